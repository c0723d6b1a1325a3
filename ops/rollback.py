"""The rollback branch: which steps' rollback actions undo the day, in which order, and how
long that would take now."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.runbook.model import Runbook, Step
from warroom.store import DecisionEntry, Event, Ledger, RunState
from warroom.vocabulary import Decision, DecisionPoint, EventKind, StepStatus

from .actions import UsageProblem, find_step

ROLLBACK_EVENTS = {"start": EventKind.ROLLBACK_STARTED, "done": EventKind.ROLLBACK_DONE,
                   "fail": EventKind.ROLLBACK_FAILED}


def rollback_plan(runbook: Runbook, state: RunState) -> list[Step]:
    """The steps whose rollback undoes what is done: every done step with a rollback action,
    the most recently finished first (ties: the later in the runbook first)."""
    order = {step.id: index for index, step in enumerate(runbook.steps)}
    done = [step for step in runbook.steps
            if state.step(step.id).status is StepStatus.DONE and step.rollback_action is not None]
    return sorted(done, key=lambda s: (state.step(s.id).finished_at or datetime.min, order[s.id]), reverse=True)


def rollback_time(runbook: Runbook, state: RunState) -> timedelta:
    """How long rolling back would take now: the rollback durations of what is done (and not yet
    rolled back)."""
    return sum((step.time_to_undo for step in rollback_plan(runbook, state)
                if state.rollback(step.id).status is not StepStatus.DONE), timedelta(0))


def rollback_fits(runbook: Runbook, state: RunState, now: datetime) -> bool:
    """Whether a rollback started now would end before the window closes."""
    return now + rollback_time(runbook, state) <= runbook.window.end


def rollback_decision(state: RunState) -> DecisionEntry | None:
    """The ROLLBACK decision the branch runs under (its moment is the rollback's start), while the
    latest go-live decision is ROLLBACK; None otherwise."""
    latest = state.latest_decision(DecisionPoint.GO_LIVE)
    return latest if latest is not None and latest.decision is Decision.ROLLBACK else None


def rollback_ended_at(runbook: Runbook, state: RunState) -> datetime | None:
    """When the rollback ended: its last action done, once every action of the plan is (with none
    to do, at the decision itself); None while rolling back, or when not rolling back at all."""
    decision = rollback_decision(state)
    if decision is None:
        return None
    actions = [state.rollback(step.id) for step in rollback_plan(runbook, state)]
    if any(action.status is not StepStatus.DONE for action in actions):
        return None
    return max((action.finished_at or decision.at for action in actions), default=decision.at)


def record_rollback(ledger: Ledger, runbook: Runbook, state: RunState, step_id: str, action: str,
                    note: str | None = None) -> Event | None:
    """Start, finish or fail one step's rollback action; None when it is already so. A failure
    owes a note. Only steps in the rollback plan can be rolled back."""
    step = find_step(runbook, step_id)
    if action not in ROLLBACK_EVENTS:
        raise UsageProblem(f"'{action}' is not a rollback action; say start, done or fail.")
    if step.id not in {s.id for s in rollback_plan(runbook, state)}:
        raise UsageProblem(f"'{step.title}' ({step.id}) is not on the rollback branch: it is not done, "
                           "or its rollback needs nothing.")
    note = (note or "").strip() or None
    if action == "fail" and not note:
        raise UsageProblem("the note is empty; say what failed in the rollback.")
    wanted = {"start": StepStatus.IN_PROGRESS, "done": StepStatus.DONE, "fail": StepStatus.FAILED}[action]
    if state.rollback(step.id).status is wanted:
        return None
    return ledger.append(ROLLBACK_EVENTS[action], step.id, {"note": note} if note else {})
