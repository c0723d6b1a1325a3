"""The words every room shares, defined once: what can happen (event kinds) and where a step can be.

Pure and tiny, at the bottom of the house: the plan, the ledger, the application layer and the
screen all import it, and nothing here imports them.
"""

from __future__ import annotations

from enum import StrEnum


class StepStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        """Done or skipped: nothing more to do, and the steps after it may start."""
        return self in (StepStatus.DONE, StepStatus.SKIPPED)

    @property
    def current(self) -> bool:
        """Running, or failed and waiting for someone: what the room is busy with now."""
        return self in (StepStatus.IN_PROGRESS, StepStatus.FAILED)


class EventKind(StrEnum):
    RUNBOOK_LOADED = "runbook.loaded"
    STEP_STARTED = "step.started"
    STEP_DONE = "step.done"
    STEP_FAILED = "step.failed"
    STEP_SKIPPED = "step.skipped"
    STEP_REOPENED = "step.reopened"
    CHECK_TICKED = "check.ticked"
    CHECK_UNTICKED = "check.unticked"
    # Someone looked at two concurrent changes (made apart, synced later) and kept what stands.
    STEP_CONFLICT_RESOLVED = "step.conflict_resolved"
    CHECK_CONFLICT_RESOLVED = "check.conflict_resolved"
    NOTE_ADDED = "note.added"
    PROBE_CHANGED = "probe.changed"


# The status each step event leads to.
STATUS_AFTER: dict[EventKind, StepStatus] = {
    EventKind.STEP_STARTED: StepStatus.IN_PROGRESS,
    EventKind.STEP_DONE: StepStatus.DONE,
    EventKind.STEP_FAILED: StepStatus.FAILED,
    EventKind.STEP_SKIPPED: StepStatus.SKIPPED,
    EventKind.STEP_REOPENED: StepStatus.PENDING,
}
STEP_KINDS = frozenset(STATUS_AFTER)
CHECK_KINDS = frozenset({EventKind.CHECK_TICKED, EventKind.CHECK_UNTICKED})
# The kinds that change one subject's state, each naming the last event it had seen for that
# subject (`seen` in the body): two that saw the same one were made apart, and conflict.
SEEING_KINDS = STEP_KINDS | CHECK_KINDS | {EventKind.STEP_CONFLICT_RESOLVED, EventKind.CHECK_CONFLICT_RESOLVED}


def outcome_counts(done: int, skipped: int, failed: int, total: int) -> str:
    """'3 done · 2 skipped · 1 failed of 27': each outcome apart (a skip is not done), the ones
    that did not happen left out. The header, the timeline's phases and `warroom status` say it so."""
    others = ((skipped, "skipped"), (failed, "failed"))
    parts = [f"{done} done"] + [f"{count} {word}" for count, word in others if count]
    return f"{' · '.join(parts)} of {total}"
