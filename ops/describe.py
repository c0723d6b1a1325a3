"""One line per event, for the activity log and `warroom log`; one line for a probe's repeats.

What matters comes first, so a line cut at the pane's edge never reads the wrong way round: a probe
change is `probe api DOWN (was PENDING)`, its new state before the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from warroom.runbook.model import CHECKLIST_TITLES, Runbook
from warroom.store import Event
from warroom.vocabulary import (
    CHECK_KINDS,
    DECISION_LABELS,
    OUTCOME_AFTER,
    ROLLBACK_KINDS,
    STEP_KINDS,
    Decision,
    EventKind,
)

# What the activity log's kind filter calls each kind of event; anything else is "other".
KIND_GROUPS: dict[str, str] = {
    **{kind: "step" for kind in STEP_KINDS},
    **{kind: "check" for kind in CHECK_KINDS},
    EventKind.STEP_CONFLICT_RESOLVED: "step",
    EventKind.CHECK_CONFLICT_RESOLVED: "check",
    EventKind.NOTE_ADDED: "note",
    EventKind.PROBE_CHANGED: "probe",
    EventKind.SIGNOFF_GIVEN: "decision",
    EventKind.SIGNOFF_WITHDRAWN: "decision",
    EventKind.DECISION_RECORDED: "decision",
    **{kind: "decision" for kind in ROLLBACK_KINDS},
    EventKind.INCIDENT_OPENED: "incident",
    EventKind.INCIDENT_UPDATED: "incident",
    EventKind.STATUS_POSTED: "update",
}


def kind_group(kind: str) -> str:
    """step, check, note, probe, decision, incident, update or other: what the activity log filters by."""
    return KIND_GROUPS.get(kind, "other")


def describe(event: Event, runbook: Runbook) -> str:
    """One line for the activity log and `warroom log`: the headline, then the note or reason."""
    said = free_text(event)
    return f"{headline(event, runbook)}: {said}" if said else headline(event, runbook)


def headline(event: Event, runbook: Runbook) -> str:
    """What happened, without the note or reason. Bodies may come from other releases on other
    laptops, so every field is read as text whatever it holds."""
    body = event.body
    if event.kind in STEP_KINDS:
        verb = event.kind.split(".", 1)[1]
        title = runbook.step(event.subject).title if runbook.has_step(event.subject) else ""
        override = body.get("override")  # what the operator went ahead despite, when asked
        return f"{verb} {event.subject} · {title}" + (f" · OVERRIDE: {override}" if override else "")
    if event.kind in CHECK_KINDS:
        verb = {"passed": "ticked", "": "unticked"}.get(OUTCOME_AFTER[EventKind(event.kind)],
                                                        OUTCOME_AFTER[EventKind(event.kind)])
        if runbook.has_item(event.subject):
            item = runbook.item(event.subject)
            return f"{verb} {CHECKLIST_TITLES[item.checklist]}: {item.text}"
        return f"{verb} {event.subject}"
    if event.kind == EventKind.STEP_CONFLICT_RESOLVED:
        title = runbook.step(event.subject).title if runbook.has_step(event.subject) else event.subject
        return f"kept the standing version of '{title}' ({event.subject})"
    if event.kind == EventKind.CHECK_CONFLICT_RESOLVED:
        text = runbook.item(event.subject).text if runbook.has_item(event.subject) else event.subject
        return f"kept the standing version of '{text}'"
    if event.kind == EventKind.NOTE_ADDED:
        return f"note on {event.subject}" if event.subject else "note"
    if event.kind == EventKind.PROBE_CHANGED:
        return f"probe {event.subject} {body.get('to', '?')} (was {body.get('from', '?')})"
    if event.kind in DAY_HEADLINES:
        return DAY_HEADLINES[EventKind(event.kind)](event, runbook)
    if event.kind == EventKind.RUNBOOK_LOADED:
        return f"runbook loaded (sha256 {str(body.get('sha256', ''))[:12]})"
    return f"{event.kind} {event.subject}".strip()


def _step_title(subject: str, runbook: Runbook) -> str:
    return f"'{runbook.step(subject).title}' ({subject})" if runbook.has_step(subject) else subject


def _as_role(event: Event) -> str:
    role = event.body.get("role")
    return f" as {role}" if isinstance(role, str) and role else ""


def _decision(event: Event, runbook: Runbook) -> str:
    word = str(event.body.get("decision"))
    label = DECISION_LABELS[Decision(word)] if word in Decision.__members__.values() else word
    override = event.body.get("override")
    point = "go-live" if event.subject == "go-live" else "go/no-go"
    return f"{point} decision: {label}{_as_role(event)}" + (f" · OVERRIDE: {override}" if override else "")


def _incident_opened(event: Event, runbook: Runbook) -> str:
    body = event.body
    on = f" · on {body['step']}" if isinstance(body.get("step"), str) else ""
    return f"incident {event.subject} opened · {body.get('severity', '?')} {body.get('title', '')}{on}"


def _incident_updated(event: Event, runbook: Runbook) -> str:
    body = event.body
    changes = [str(body[name]) for name in ("status", "severity") if name in body]
    changes += [f"owner {body['owner']}"] if "owner" in body else []
    return f"incident {event.subject} {' · '.join(changes) or 'updated'}"


DAY_HEADLINES = {
    EventKind.SIGNOFF_GIVEN: lambda e, r: f"signed off {_step_title(e.subject, r)}{_as_role(e)}",
    EventKind.SIGNOFF_WITHDRAWN: lambda e, r: f"withdrew sign-off on {_step_title(e.subject, r)}",
    EventKind.DECISION_RECORDED: _decision,
    EventKind.ROLLBACK_STARTED: lambda e, r: f"rollback started {_step_title(e.subject, r)}",
    EventKind.ROLLBACK_DONE: lambda e, r: f"rollback done {_step_title(e.subject, r)}",
    EventKind.ROLLBACK_FAILED: lambda e, r: f"rollback failed {_step_title(e.subject, r)}",
    EventKind.INCIDENT_OPENED: _incident_opened,
    EventKind.INCIDENT_UPDATED: _incident_updated,
    EventKind.STATUS_POSTED: lambda e, r: "status update posted",
    EventKind.ROLES_DECLARED: lambda e, r: "holds the roles " + (", ".join(map(str, e.body.get("roles") or []))
                                                                  or "(none)"),
}


# The body field holding what a person (or a probe) said about the event, and what to call it.
FREE_TEXT: dict[str, tuple[str, str]] = {
    EventKind.NOTE_ADDED: ("text", "Note"),
    EventKind.PROBE_CHANGED: ("failed_condition", "Failing"),
    EventKind.STEP_FAILED: ("note", "Reason"),
    EventKind.STEP_SKIPPED: ("note", "Reason"),
    EventKind.CHECK_FAILED: ("note", "Reason"),
    EventKind.CHECK_BLOCKED: ("note", "Reason"),
    EventKind.CHECK_WAIVED: ("note", "Reason"),
    EventKind.INCIDENT_OPENED: ("description", "Description"),
    EventKind.STATUS_POSTED: ("text", "Update"),
}


def _free_text_field(event: Event) -> tuple[str, str]:
    """The body field of the event's free text, and what to call it."""
    return FREE_TEXT.get(event.kind, ("note", "Note"))


def free_text(event: Event) -> str:
    """The note, reason or failing condition the event carries, whole; '' when there is none."""
    field, _ = _free_text_field(event)
    value = event.body.get(field)
    return "" if value is None else str(value)


def free_text_label(event: Event) -> str:
    """What to call the event's free text: Note, Reason or Failing."""
    return _free_text_field(event)[1]


def describe_repeats(changes: Sequence[Event], zone: tzinfo) -> str:
    """One line for one probe's repeated changes (`changes` newest first): the states it moved
    between, the one it is in now first, how many changes and when, e.g.
    `probe host-cpu UP ⇄ DEGRADED ×14 · 10:02–10:12`."""
    newest, oldest = changes[0], changes[-1]
    states = dict.fromkeys(str(change.body.get("to", "?")) for change in changes)
    span = f"{oldest.at.astimezone(zone):%H:%M}–{newest.at.astimezone(zone):%H:%M}"
    return f"probe {newest.subject} {' ⇄ '.join(states)} ×{len(changes)} · {span}"
