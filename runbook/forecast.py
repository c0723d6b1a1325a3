"""The plan re-timed by what has actually happened: forecast start/end per step, drift, overall status.

Cumulative drift per phase is how cutovers fail, so every step and phase carries its drift
(forecast end minus planned end). The headline and the overall drift share one baseline, the
plan's end; how far the forecast runs past the window's end (what decides a rollback) is a
separate number, `overrun`. Pure: callers pass the actuals as plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from warroom.runbook.graph import run_order
from warroom.runbook.model import PlannedSlot, Runbook
from warroom.runbook.schedule import plan
from warroom.vocabulary import StepStatus

# Drift under this is noise, not a delay worth a different headline.
ON_TRACK_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Actual:
    status: StepStatus
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Forecast:
    planned: Mapping[str, PlannedSlot]
    expected: Mapping[str, PlannedSlot]  # forecast slots, actual times where known
    planned_end: datetime
    expected_end: datetime
    # "ON TRACK" | "DELAYED" (overall_drift past ON_TRACK_TOLERANCE) | "BLOCKED" | "COMPLETE"
    headline: str
    window_end: datetime

    @property
    def overrun(self) -> timedelta:
        """How far the forecast end runs past the window's end; zero when it ends in time."""
        return max(self.expected_end - self.window_end, timedelta(0))

    def drift(self, step_id: str) -> timedelta:
        return self.expected[step_id].end - self.planned[step_id].end

    def phase_drift(self, step_ids: Sequence[str]) -> timedelta:
        """The phase's (its `step_ids`') forecast end minus its planned end."""
        return max(self.expected[i].end for i in step_ids) - max(self.planned[i].end for i in step_ids)

    @property
    def overall_drift(self) -> timedelta:
        """Forecast end minus the plan's end: the headline's baseline."""
        return self.expected_end - self.planned_end


def forecast(runbook: Runbook, actuals: Mapping[str, Actual], now: datetime) -> Forecast:
    """Expected slots in UTC: adding durations to zone-local times would be wrong across a clock change."""
    planned = _cached_plan(runbook)
    now = now.astimezone(UTC)
    expected: dict[str, PlannedSlot] = {}
    window_start = runbook.window.start.astimezone(UTC)
    for step_id in run_order({s.id: s.after for s in runbook.steps}):
        step = runbook.step(step_id)
        fixed_start = [step.at.astimezone(UTC)] if step.at else []
        floor = max([window_start, *fixed_start, *(expected[d].end for d in step.after)])
        expected[step_id] = _expected_slot(floor, step.duration, actuals.get(step_id), now)
    planned_end = max(slot.end for slot in planned.values())
    expected_end = max(slot.end for slot in expected.values())
    headline = _headline(runbook, actuals, expected_end - planned_end)
    return Forecast(planned, expected, planned_end, expected_end, headline, runbook.window.end)


def _cached_plan(runbook: Runbook) -> Mapping[str, PlannedSlot]:
    """The plan never changes for a loaded runbook: compute it once (kept like the model's own
    id lookups, on the frozen instance)."""
    cached = runbook.__dict__.get("_plan_cache")
    if cached is None:
        cached = plan(runbook)
        object.__setattr__(runbook, "_plan_cache", cached)
    return cached


def _expected_slot(step_floor: datetime, duration: timedelta, actual: Actual | None, now: datetime) -> PlannedSlot:
    status = StepStatus(actual.status) if actual else StepStatus.PENDING
    if status.finished and actual and actual.finished_at:
        start = actual.started_at or actual.finished_at
        return PlannedSlot(start, max(start, actual.finished_at))
    if status is StepStatus.IN_PROGRESS and actual and actual.started_at:
        return PlannedSlot(actual.started_at, max(actual.started_at + duration, now))
    if status is StepStatus.FAILED:
        # A failed step blocks its successors until someone acts: it lasts at least until now.
        start = (actual.started_at or actual.finished_at or now) if actual else now
        return PlannedSlot(start, max(start + duration, now))
    start = max(step_floor, now)
    return PlannedSlot(start, start + duration)


def _headline(runbook: Runbook, actuals: Mapping[str, Actual], drift: timedelta) -> str:
    statuses = [StepStatus(actuals[s.id].status) if s.id in actuals else StepStatus.PENDING for s in runbook.steps]
    if StepStatus.FAILED in statuses:
        return "BLOCKED"
    if all(status.finished for status in statuses):
        return "COMPLETE"
    return "DELAYED" if drift > ON_TRACK_TOLERANCE else "ON TRACK"
