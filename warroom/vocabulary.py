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
    CHECK_TICKED = "check.ticked"  # passed, for a smoke test
    CHECK_UNTICKED = "check.unticked"
    CHECK_FAILED = "check.failed"  # smoke tests: ran and failed (the note says what)
    CHECK_BLOCKED = "check.blocked"  # smoke tests: could not be run
    CHECK_WAIVED = "check.waived"  # any item: not needed this time, with the reason
    # Someone looked at two concurrent changes (made apart, synced later) and kept what stands.
    STEP_CONFLICT_RESOLVED = "step.conflict_resolved"
    CHECK_CONFLICT_RESOLVED = "check.conflict_resolved"
    NOTE_ADDED = "note.added"
    PROBE_CHANGED = "probe.changed"
    # Running the day: sign-offs, decisions, incidents, status updates, rollback, who holds which role.
    SIGNOFF_GIVEN = "signoff.given"
    SIGNOFF_WITHDRAWN = "signoff.withdrawn"
    DECISION_RECORDED = "decision.recorded"
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_UPDATED = "incident.updated"
    STATUS_POSTED = "status.posted"
    ROLLBACK_STARTED = "rollback.started"
    ROLLBACK_DONE = "rollback.done"
    ROLLBACK_FAILED = "rollback.failed"
    ROLES_DECLARED = "roles.declared"


# The status each step event leads to.
STATUS_AFTER: dict[EventKind, StepStatus] = {
    EventKind.STEP_STARTED: StepStatus.IN_PROGRESS,
    EventKind.STEP_DONE: StepStatus.DONE,
    EventKind.STEP_FAILED: StepStatus.FAILED,
    EventKind.STEP_SKIPPED: StepStatus.SKIPPED,
    EventKind.STEP_REOPENED: StepStatus.PENDING,
}
STEP_KINDS = frozenset(STATUS_AFTER)
CHECK_KINDS = frozenset({EventKind.CHECK_TICKED, EventKind.CHECK_UNTICKED, EventKind.CHECK_FAILED,
                         EventKind.CHECK_BLOCKED, EventKind.CHECK_WAIVED})
# What each checklist event leaves the item as; "" is not done yet. A tick is a pass.
OUTCOME_AFTER: dict[EventKind, str] = {
    EventKind.CHECK_TICKED: "passed",
    EventKind.CHECK_UNTICKED: "",
    EventKind.CHECK_FAILED: "failed",
    EventKind.CHECK_BLOCKED: "blocked",
    EventKind.CHECK_WAIVED: "waived",
}
ROLLBACK_KINDS = frozenset({EventKind.ROLLBACK_STARTED, EventKind.ROLLBACK_DONE, EventKind.ROLLBACK_FAILED})
# The kinds that change one subject's state, each naming the last event it had seen for that
# subject (`seen` in the body): two that saw the same one were made apart, and conflict.
SEEING_KINDS = STEP_KINDS | CHECK_KINDS | {EventKind.STEP_CONFLICT_RESOLVED, EventKind.CHECK_CONFLICT_RESOLVED}


class DecisionPoint(StrEnum):
    """Where the day is decided: before deploying, and before the point of no return."""
    GO_NO_GO = "go-no-go"
    GO_LIVE = "go-live"


class Decision(StrEnum):
    GO = "go"
    CONDITIONAL = "conditional"  # GO, with conditions in words
    NO_GO = "no-go"
    PROCEED = "proceed"
    ROLLBACK = "rollback"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS = {Decision.GO: "GO", Decision.CONDITIONAL: "CONDITIONAL GO", Decision.NO_GO: "NO-GO",
                   Decision.PROCEED: "PROCEED", Decision.ROLLBACK: "ROLLBACK"}
DECISIONS_AT = {
    DecisionPoint.GO_NO_GO: (Decision.GO, Decision.CONDITIONAL, Decision.NO_GO),
    DecisionPoint.GO_LIVE: (Decision.PROCEED, Decision.ROLLBACK),
}


class IncidentStatus(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        return self in (IncidentStatus.NEW, IncidentStatus.ACTIVE)


SEVERITIES = ("P1", "P2", "P3", "P4")


def outcome_counts(done: int, skipped: int, failed: int, total: int) -> str:
    """'3 done · 2 skipped · 1 failed of 27': each outcome apart (a skip is not done), the ones
    that did not happen left out. The header, the timeline's phases and `warroom status` say it so."""
    others = ((skipped, "skipped"), (failed, "failed"))
    parts = [f"{done} done"] + [f"{count} {word}" for count, word in others if count]
    return f"{' · '.join(parts)} of {total}"
