"""The shape of each event kind's body, checked on append.

Only this process's own writes are checked: the fold tolerates any body, because events imported
from other operators cannot be refused after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from warroom.untrusted import lone_surrogate
from warroom.vocabulary import CHECK_KINDS, STEP_KINDS, EventKind

from .errors import LedgerError


@dataclass(frozen=True)
class BodyField:
    types: tuple[type, ...]
    required: bool = False
    non_empty: bool = False  # text that is not blank


@dataclass(frozen=True)
class Shape:
    subject: str  # "required", "optional" or "empty"
    fields: Mapping[str, BodyField] = field(default_factory=dict)
    subject_hint: str = "the step or item id"


_NOTE = {"note": BodyField((str,))}
# The id of the last event that changed the subject when this one was made ("" when none had):
# the ledger fills it in, and the fold compares it to tell concurrent changes apart.
_SEEN = {"seen": BodyField((str,))}
# What an operator went ahead despite (a dependency unfinished, a probe DOWN), in words.
_OVERRIDE = {"override": BodyField((str,), non_empty=True)}
SHAPES: dict[EventKind, Shape] = {
    EventKind.RUNBOOK_LOADED: Shape("empty", {"sha256": BodyField((str,), required=True, non_empty=True)}),
    **{kind: Shape("required", _NOTE | _OVERRIDE | _SEEN) for kind in STEP_KINDS},
    **{kind: Shape("required", _NOTE | _SEEN) for kind in CHECK_KINDS},
    **{kind: Shape("required", _NOTE | _SEEN) for kind in (EventKind.STEP_CONFLICT_RESOLVED,
                                                            EventKind.CHECK_CONFLICT_RESOLVED)},
    EventKind.NOTE_ADDED: Shape("optional", {"text": BodyField((str,), required=True, non_empty=True)}),
    EventKind.PROBE_CHANGED: Shape("required", {
        "from": BodyField((str,), required=True, non_empty=True),
        "to": BodyField((str,), required=True, non_empty=True),
        "failed_condition": BodyField((str, type(None))),
        "vantage": BodyField((str,), required=True, non_empty=True),
    }, subject_hint="the probe's name"),
}
assert set(SHAPES) == set(EventKind), "every event kind declares its body"

_TYPE_WORDS = {str: "text", int: "a whole number", bool: "true or false", float: "a number", type(None): "null"}


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
        if isinstance(value, str):
            _refuse_broken_text(kind, name, value)
    return known


def _refuse_broken_text(kind: str, name: str, value: str) -> None:
    """A lone surrogate (bytes that were not UTF-8) cannot be hashed, stored or sent to a peer."""
    if lone_surrogate(value):
        raise LedgerError(f"'{name}' of a '{kind}' event holds bytes that are not UTF-8 text; retype it")
