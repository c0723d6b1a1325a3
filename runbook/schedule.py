"""When each step is planned to run, from the window, fixed `at:` times and dependencies."""

from __future__ import annotations

from datetime import UTC, datetime

from .graph import run_order
from .model import PlannedSlot, Runbook


def plan(runbook: Runbook) -> dict[str, PlannedSlot]:
    """step id -> planned slot, in file order. A step starts at the latest of: the window start,
    its `at:` and the planned end of every step it waits for. Computed afresh on each call."""
    zone = runbook.window.zone
    # Work in UTC: adding 3h across a DST change must give 3 real hours, not 3 wall-clock hours.
    window_start = runbook.window.start.astimezone(UTC)
    utc_slots: dict[str, tuple[datetime, datetime]] = {}
    for step_id in run_order({s.id: s.after for s in runbook.steps}):
        step = runbook.step(step_id)
        start = max([window_start, *([step.at.astimezone(UTC)] if step.at else []),
                     *(utc_slots[d][1] for d in step.after if d in utc_slots)])
        utc_slots[step_id] = (start, start + step.duration)
    return {
        s.id: PlannedSlot(utc_slots[s.id][0].astimezone(zone), utc_slots[s.id][1].astimezone(zone))
        for s in runbook.steps if s.id in utc_slots
    }
