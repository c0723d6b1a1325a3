"""What an operator can do to the ledger, shared by the command line and the app.

Ids are checked against the runbook before anything is written, so a typo never lands in the
ledger; the error names the id and the closest real one.
"""

from __future__ import annotations

from warroom.runbook import suggest
from warroom.runbook.model import ChecklistItem, Runbook, Step
from warroom.store import Event, Ledger, RunState
from warroom.vocabulary import STATUS_AFTER, EventKind

# What an operator says (`warroom step RB ID done`, the `d` key) and the event it records.
STEP_EVENTS = {
    "start": EventKind.STEP_STARTED,
    "done": EventKind.STEP_DONE,
    "fail": EventKind.STEP_FAILED,
    "skip": EventKind.STEP_SKIPPED,
    "reopen": EventKind.STEP_REOPENED,
}


class UsageProblem(Exception):
    """A mistake in what was asked: one sentence that says what to do instead (exit status 2)."""


def did_you_mean(word: str, candidates) -> str:
    match = suggest(word, list(candidates))
    return f" (did you mean '{match}'?)" if match else ""


def find_step(runbook: Runbook, step_id: str) -> Step:
    if runbook.has_step(step_id):
        return runbook.step(step_id)
    hint = did_you_mean(step_id, (s.id for s in runbook.steps))
    raise UsageProblem(f"{runbook.path or runbook.id} has no step '{step_id}'{hint}; 'warroom status' lists the steps.")


def find_item(runbook: Runbook, item_id: str) -> ChecklistItem:
    """Accepts the full id (`pre_deployment/war-room-prepared`) or, when unambiguous, the part after '/'."""
    if runbook.has_item(item_id):
        return runbook.item(item_id)
    short = [i for i in runbook.items if i.id.split("/", 1)[1] == item_id]
    if len(short) == 1:
        return short[0]
    if len(short) > 1:
        choices = ", ".join(i.id for i in short)
        raise UsageProblem(f"'{item_id}' is in several checklists ({choices}); give the full id.")
    hint = did_you_mean(item_id, (i.id for i in runbook.items))
    raise UsageProblem(f"{runbook.path or runbook.id} has no checklist item '{item_id}'{hint}; "
                       "'warroom status' lists the items.")


def record_step(ledger: Ledger, runbook: Runbook, state: RunState, step_id: str, action: str,
                note: str | None = None) -> Event | None:
    """Append the step event; None when the step is already in the state the action leads to."""
    step = find_step(runbook, step_id)
    if state.step(step.id).status is STATUS_AFTER[STEP_EVENTS[action]]:
        return None  # already so: doing it again records nothing, so scripts can retry
    return ledger.append(STEP_EVENTS[action], step.id, {"note": note} if note else {})


def set_check(ledger: Ledger, runbook: Runbook, state: RunState, item_id: str, ticked: bool) -> Event | None:
    item = find_item(runbook, item_id)
    if state.check(item.id).ticked == ticked:
        return None
    return ledger.append(EventKind.CHECK_TICKED if ticked else EventKind.CHECK_UNTICKED, item.id)


def add_note(ledger: Ledger, subject: str, text: str) -> Event:
    text = text.strip()
    if not text:
        raise UsageProblem("the note is empty; write what happened.")
    return ledger.append(EventKind.NOTE_ADDED, subject, {"text": text})
