"""The shape of each event kind's body, checked on append.

Only this process's own writes are checked: the fold tolerates any body, because events imported
from other operators cannot be refused after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from warroom.untrusted import lone_surrogate
from warroom.vocabulary import (
    CHECK_KINDS,
    DECISIONS_AT,
    ROLLBACK_KINDS,
    SEVERITIES,
    STEP_KINDS,
    DecisionPoint,
    EventKind,
    IncidentStatus,
)

from .errors import LedgerError


@dataclass(frozen=True)
class BodyField:
    types: tuple[type, ...]
    required: bool = False
    non_empty: bool = False  # text that is not blank
    choices: tuple[str, ...] = ()  # the only values it may take, when given


@dataclass(frozen=True)
class Shape:
    subject: str  # "required", "optional" or "empty"
    fields: Mapping[str, BodyField] = field(default_factory=dict)
    subject_hint: str = "the step or item id"
    subject_choices: tuple[str, ...] = ()  # the only subjects it may have, when given


_NOTE = {"note": BodyField((str,))}
# The id of the last event that changed the subject when this one was made ("" when none had):
# the ledger fills it in, and the fold compares it to tell concurrent changes apart.
_SEEN = {"seen": BodyField((str,))}
# What an operator went ahead despite (a dependency unfinished, a probe DOWN), in words.
_OVERRIDE = {"override": BodyField((str,), non_empty=True)}
# The role the operator acted in (a sign-off, a decision), as the runbook's team names it.
_ROLE = {"role": BodyField((str,))}
SHAPES: dict[EventKind, Shape] = {
    EventKind.RUNBOOK_LOADED: Shape("empty", {"sha256": BodyField((str,), required=True, non_empty=True)}),
    **{kind: Shape("required", _NOTE | _OVERRIDE | _SEEN) for kind in STEP_KINDS},
    **{kind: Shape("required", _NOTE | _SEEN) for kind in CHECK_KINDS},
    **{kind: Shape("required", _NOTE | _SEEN) for kind in (EventKind.STEP_CONFLICT_RESOLVED,
                                                            EventKind.CHECK_CONFLICT_RESOLVED)},
    EventKind.NOTE_ADDED: Shape("optional", {"text": BodyField((str,), required=True, non_empty=True)}),
    EventKind.SIGNOFF_GIVEN: Shape("required", _NOTE | _ROLE, subject_hint="the step's id"),
    EventKind.SIGNOFF_WITHDRAWN: Shape("required", _NOTE, subject_hint="the step's id"),
    EventKind.DECISION_RECORDED: Shape("required", _NOTE | _ROLE | _OVERRIDE | {
        "decision": BodyField((str,), required=True,
                              choices=tuple(d.value for ds in DECISIONS_AT.values() for d in ds)),
    }, subject_hint="go-no-go or go-live", subject_choices=tuple(DecisionPoint)),
    EventKind.INCIDENT_OPENED: Shape("required", {
        "severity": BodyField((str,), required=True, choices=SEVERITIES),
        "title": BodyField((str,), required=True, non_empty=True),
        "description": BodyField((str,)),
        "owner": BodyField((str,)),
        "step": BodyField((str,)),
        "item": BodyField((str,)),
    }, subject_hint="the incident's id"),
    EventKind.INCIDENT_UPDATED: Shape("required", _NOTE | {
        "status": BodyField((str,), choices=tuple(IncidentStatus)),
        "severity": BodyField((str,), choices=SEVERITIES),
        "owner": BodyField((str,)),
    }, subject_hint="the incident's id"),
    EventKind.STATUS_POSTED: Shape("empty", {"text": BodyField((str,), required=True, non_empty=True)}),
    **{kind: Shape("required", _NOTE, subject_hint="the step's id") for kind in ROLLBACK_KINDS},
    EventKind.ROLES_DECLARED: Shape("empty", {"roles": BodyField((list,), required=True)}),
    EventKind.PROBE_CHANGED: Shape("required", {
        "from": BodyField((str,), required=True, non_empty=True),
        "to": BodyField((str,), required=True, non_empty=True),
        "failed_condition": BodyField((str, type(None))),
        "vantage": BodyField((str,), required=True, non_empty=True),
    }, subject_hint="the probe's name"),
}
assert set(SHAPES) == set(EventKind), "every event kind declares its body"

_TYPE_WORDS = {str: "text", int: "a whole number", bool: "true or false", float: "a number", type(None): "null",
               list: "a list"}


def validate(kind: str, subject: str, body: Mapping[str, Any]) -> EventKind:
    """The kind as an EventKind, when subject and body have its shape; else a LedgerError."""
    try:
        known = EventKind(kind)
    except ValueError:
        raise LedgerError(f"'{kind}' is not an event kind warroom records; "
                          f"use one of {', '.join(k.value for k in EventKind)}") from None
    shape = SHAPES[known]
    if not isinstance(subject, str):
        raise LedgerError(f"the subject of a '{kind}' event must be text")
    _refuse_broken_text(kind, "subject", subject)
    if shape.subject == "required" and not subject:
        raise LedgerError(f"a '{kind}' event needs a subject ({shape.subject_hint})")
    if shape.subject == "empty" and subject:
        raise LedgerError(f"a '{kind}' event has no subject; leave it empty")
    if shape.subject_choices and subject not in shape.subject_choices:
        raise LedgerError(f"a '{kind}' event is about {' or '.join(shape.subject_choices)}, not '{subject}'")
    for name in body:
        if name not in shape.fields:
            allowed = ", ".join(shape.fields) or "nothing"
            raise LedgerError(f"a '{kind}' event has no field '{name}'; its body holds {allowed}")
    for name, spec in shape.fields.items():
        if name not in body:
            if spec.required:
                raise LedgerError(f"a '{kind}' event needs '{name}' in its body")
            continue
        value = body[name]
        if type(value) not in spec.types:  # exact: True is not a whole number here
            wanted = " or ".join(_TYPE_WORDS.get(t, t.__name__) for t in spec.types)
            raise LedgerError(f"'{name}' of a '{kind}' event must be {wanted}")
        if spec.non_empty and isinstance(value, str) and not value.strip():
            raise LedgerError(f"'{name}' of a '{kind}' event is empty; write what it is")
        if spec.choices and value not in spec.choices:
            raise LedgerError(f"'{name}' of a '{kind}' event is '{value}'; use one of {', '.join(spec.choices)}")
        for part in value if isinstance(value, list) else [value]:
            if isinstance(value, list) and not (isinstance(part, str) and part.strip()):
                raise LedgerError(f"'{name}' of a '{kind}' event must be a list of names")
            if isinstance(part, str):
                _refuse_broken_text(kind, name, part)
    return known


def _refuse_broken_text(kind: str, name: str, value: str) -> None:
    """A lone surrogate (bytes that were not UTF-8) cannot be hashed, stored or sent to a peer."""
    if lone_surrogate(value):
        raise LedgerError(f"'{name}' of a '{kind}' event holds bytes that are not UTF-8 text; retype it")
