"""How far the run is, in plain values both front ends and every report use: each step's actual
times for the forecast, the steps that can start now, the steps counted by outcome, and the one
form of a time in JSON."""

from __future__ import annotations

from datetime import datetime, tzinfo

from warroom.runbook.forecast import Actual
from warroom.runbook.model import Runbook
from warroom.store import RunState
from warroom.vocabulary import StepStatus


def actuals(state: RunState) -> dict[str, Actual]:
    return {sid: Actual(s.status, s.started_at, s.finished_at) for sid, s in state.steps.items()}


def iso(moment: datetime | None, zone: tzinfo) -> str | None:
    """The one form of a time in `status --json`: ISO 8601, seconds, the window's UTC offset."""
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def progress(statuses: list[StepStatus]) -> dict[str, int]:
    """Each outcome counted on its own: a skipped or failed step is not a done one."""
    return {
        "done": statuses.count(StepStatus.DONE),
        "skipped": statuses.count(StepStatus.SKIPPED),
        "failed": statuses.count(StepStatus.FAILED),
        "running": statuses.count(StepStatus.IN_PROGRESS),
        "pending": statuses.count(StepStatus.PENDING),
        "total": len(statuses),
    }


def next_steps(runbook: Runbook, state: RunState) -> list[str]:
    """Pending steps whose dependencies are all finished: what can start now."""
    return [
        step.id
        for step in runbook.steps
        if state.step(step.id).status is StepStatus.PENDING
        and all(state.step(dep).status.finished for dep in step.after)
    ]
