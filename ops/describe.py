"""One line per event, for the activity log and `warroom log`."""

from __future__ import annotations

from warroom.runbook.model import CHECKLIST_TITLES, Runbook
from warroom.store import Event
from warroom.vocabulary import CHECK_KINDS, STEP_KINDS, EventKind


def describe(event: Event, runbook: Runbook) -> str:
    """One line for the activity log and `warroom log`. Bodies may come from other releases on
    other laptops, so every field is read as text whatever it holds."""
    body = event.body
    note = body.get("note")
    suffix = f": {note}" if note else ""
    if event.kind in STEP_KINDS:
        verb = event.kind.split(".", 1)[1]
        title = runbook.step(event.subject).title if runbook.has_step(event.subject) else ""
        return f"{verb} {event.subject} · {title}{suffix}"
    if event.kind in CHECK_KINDS:
        verb = "ticked" if event.kind == EventKind.CHECK_TICKED else "unticked"
        if runbook.has_item(event.subject):
            item = runbook.item(event.subject)
            return f"{verb} {CHECKLIST_TITLES[item.checklist]}: {item.text}{suffix}"
        return f"{verb} {event.subject}{suffix}"
    if event.kind == EventKind.NOTE_ADDED:
        where = f" on {event.subject}" if event.subject else ""
        return f"note{where}: {body.get('text', '')}"
    if event.kind == EventKind.PROBE_CHANGED:
        why = f": {body['failed_condition']}" if body.get("failed_condition") else ""
        return f"probe {event.subject} {body.get('from', '?')} → {body.get('to', '?')}{why}"
    if event.kind == EventKind.RUNBOOK_LOADED:
        return f"runbook loaded (sha256 {str(body.get('sha256', ''))[:12]})"
    return f"{event.kind} {event.subject}".strip()
