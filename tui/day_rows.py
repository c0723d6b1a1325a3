"""What the incidents pane and the header's day parts show (open incidents, the next status
update), as plain values: pure functions of the plan, the ledger's state and the clock, like
tui/rows.py, repainted as the clock moves."""

from __future__ import annotations

from datetime import datetime

from warroom.ops.incident_report import countdown, minutes_text, most_urgent
from warroom.ops.incidents import in_order, open_counts
from warroom.ops.updates import next_update_due
from warroom.runbook.model import Runbook
from warroom.store import RunState
from warroom.untrusted import for_screen
from warroom.widgets.display import age_text
from warroom.widgets.header import DayInfo
from warroom.widgets.incidents import IncidentRow


def incident_rows(runbook: Runbook, state: RunState, now: datetime) -> tuple[IncidentRow, ...]:
    """Every incident, open ones first, by severity, then age (ops.incidents.in_order)."""
    rows = []
    for incident in in_order(state.incidents):
        due = countdown(incident, runbook, now)
        rows.append(IncidentRow(for_screen(incident.id), incident.severity, incident.status.value,
                                for_screen(incident.title), for_screen(incident.owner or incident.opened_by),
                                age_text(now - incident.opened_at), due.text if due else "",
                                bool(due and due.overdue)))
    return tuple(rows)


def update_countdown(runbook: Runbook, state: RunState, now: datetime) -> tuple[str, bool]:
    """'update in 7m', or overdue by glyph and word: '⚠ update 3m overdue'; nothing once the window
    has closed or every step is finished: the updates are the deployment's."""
    if now >= runbook.window.end or all(state.step(step.id).status.finished for step in runbook.steps):
        return "", False
    left = next_update_due(runbook, state) - now
    if left.total_seconds() <= 0:
        return f"⚠ update {minutes_text(-left)} overdue", True
    return f"update in {minutes_text(left)}", False


def day_info(runbook: Runbook, state: RunState, now: datetime) -> DayInfo:
    urgent = most_urgent(state, runbook, now)
    update, update_overdue = update_countdown(runbook, state, now)
    return DayInfo(incidents=tuple(open_counts(state).items()), urgent=urgent.text if urgent else "",
                   urgent_overdue=bool(urgent and urgent.overdue), update=update, update_overdue=update_overdue)


def incident_alarms(runbook: Runbook, state: RunState, now: datetime) -> dict[tuple[str, str], str]:
    """The open incidents past their next target, and the status update when overdue, by a key
    that stays the same while it lasts (see tui/attention.py): each rings once as it crosses."""
    found: dict[tuple[str, str], str] = {}
    for incident in state.incidents.values():
        due = countdown(incident, runbook, now)
        if due is not None and due.overdue:
            target = "response" if due.what == "respond" else "resolution"
            found[("incident", f"{incident.id} {due.what}")] = (
                f"incident {for_screen(incident.id)} ({incident.severity}) is past its {target} target")
    if update_countdown(runbook, state, now)[1]:
        found[("update", next_update_due(runbook, state).isoformat())] = "the status update is due"
    return found
