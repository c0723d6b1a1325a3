"""Incidents as the room reads them: the countdown to each open one's next target, in words, and
the JSON `warroom incident list --json` and `warroom status --json` give for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from warroom.runbook import format_duration
from warroom.runbook.model import Runbook
from warroom.store import Incident, RunState

from .incidents import in_order, next_target
from .progress import iso

OVERDUE_GLYPH = "⚠"


@dataclass(frozen=True)
class Countdown:
    """How long an open incident has left before its next target ("respond" or "resolve")."""
    what: str
    due: datetime
    left: timedelta  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.left <= timedelta(0)

    @property
    def text(self) -> str:
        """'respond in 12m', 'resolve in 3h40m'; overdue, glyph and word: '⚠ OVERDUE respond 4m'."""
        if self.overdue:
            return f"{OVERDUE_GLYPH} OVERDUE {self.what} {minutes_text(-self.left)}"
        return f"{self.what} in {minutes_text(self.left)}"


def minutes_text(delta: timedelta) -> str:
    """A span to the minute ('3h40m', '0m'): seconds would tick by too fast to read."""
    return format_duration(timedelta(minutes=round(delta.total_seconds() / 60)))


def countdown(incident: Incident, runbook: Runbook, now: datetime) -> Countdown | None:
    """None once resolved or closed: nothing is due."""
    target = next_target(incident, runbook)
    return None if target is None else Countdown(target.what, target.due, target.left(now))


def most_urgent(state: RunState, runbook: Runbook, now: datetime) -> Countdown | None:
    """The open incidents' countdown that ends first (the most overdue, when some are)."""
    countdowns = [c for i in state.incidents.values() if (c := countdown(i, runbook, now)) is not None]
    return min(countdowns, key=lambda c: c.left, default=None)


def incident_document(incident: Incident, runbook: Runbook, now: datetime, zone: tzinfo) -> dict[str, Any]:
    """One incident for scripts: times in ISO 8601 with the window's offset, as `status --json`."""
    due = countdown(incident, runbook, now)
    return {
        "id": incident.id,
        "severity": incident.severity,
        "status": incident.status.value,
        "title": incident.title,
        "description": incident.description,
        "owner": incident.owner,
        "step": incident.step,
        "item": incident.item,
        "opened_at": iso(incident.opened_at, zone),
        "opened_by": incident.opened_by,
        "responded_at": iso(incident.responded_at, zone),
        "resolved_at": iso(incident.resolved_at, zone),
        "resolution": incident.resolution,
        "next_target": None if due is None else {"what": due.what, "due": iso(due.due, zone),
                                                 "overdue": due.overdue},
    }


def incidents_document(state: RunState, runbook: Runbook, now: datetime) -> list[dict[str, Any]]:
    """Every incident, open ones first, then by severity and age (ops.incidents.in_order)."""
    return [incident_document(i, runbook, now, runbook.window.zone) for i in in_order(state.incidents)]
