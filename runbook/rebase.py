"""Move a whole plan in time, e.g. to rehearse now what is planned for Saturday."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from warroom.runbook.model import Runbook


def starting_at(runbook: Runbook, start: datetime) -> Runbook:
    """The same runbook (same sha256) with its window and fixed step times shifted to `start`."""
    shift = start - runbook.window.start
    window = runbook.window
    zone = window.zone

    def moved(moment: datetime) -> datetime:
        # Shift in real elapsed time (UTC), then show in the window's zone again.
        return (moment.astimezone(UTC) + shift).astimezone(zone)

    return replace(
        runbook,
        window=replace(
            window,
            start=moved(window.start),
            end=moved(window.end),
            rollback_deadline=moved(window.rollback_deadline) if window.rollback_deadline else None,
        ),
        steps=tuple(replace(step, at=moved(step.at)) if step.at else step for step in runbook.steps),
    )
