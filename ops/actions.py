"""What an operator can do to the ledger, shared by the command line and the app.

Ids are checked against the runbook before anything is written, so a typo never lands in the
ledger; the error names the id and the closest real one.
"""

from __future__ import annotations

from collections.abc import Mapping

from warroom.runbook import suggest
from warroom.runbook.model import CHECKLIST_TITLES, SMOKE_TESTS, ChecklistItem, Runbook, Step
from warroom.store import Event, Ledger, RunState
from warroom.store.ledger import UNSEEN, Unseen
from warroom.vocabulary import OUTCOME_AFTER, STATUS_AFTER, EventKind, StepStatus

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


def short_item_id(item_id: str) -> str:
    """The part of a checklist item's id after its checklist's name: `war-room-prepared`."""
    return item_id.split("/", 1)[-1]


def find_item(runbook: Runbook, item_id: str) -> ChecklistItem:
    """Accepts the full id (`pre_deployment/war-room-prepared`) or, when unambiguous, its short id."""
    if runbook.has_item(item_id):
        return runbook.item(item_id)
    short = [i for i in runbook.items if short_item_id(i.id) == item_id]
    if len(short) == 1:
        return short[0]
    if len(short) > 1:
        choices = ", ".join(i.id for i in short)
        raise UsageProblem(f"'{item_id}' is in several checklists ({choices}); give the full id.")
    hint = did_you_mean(item_id, (i.id for i in runbook.items))
    raise UsageProblem(f"{runbook.path or runbook.id} has no checklist item '{item_id}'{hint}; "
                       "'warroom status' lists the items.")


# Actions that say why, always: a failed or skipped step leaves the room a question.
NEEDS_NOTE = {"fail": "what failed", "skip": "why it is skipped"}
# Where an unfinished dependency stands, as a guard names it.
UNFINISHED = {StepStatus.PENDING: "still pending", StepStatus.IN_PROGRESS: "still running",
              StepStatus.FAILED: "failed"}


def step_guards(runbook: Runbook, state: RunState, step_id: str, action: str,
                probe_states: Mapping[str, str]) -> list[str]:
    """Why `action` on the step should not go ahead unasked, in words; empty when nothing stands
    in the way. Starting or finishing waits for the steps it depends on; finishing waits for the
    probes it validates with (`probe_states`: probe name -> UP, DOWN, ...) not to be DOWN."""
    step = find_step(runbook, step_id)
    reasons = []
    if action in ("start", "done"):
        for dep in step.after:
            status = state.step(dep).status
            if not status.finished:
                reasons.append(f"depends on '{runbook.step(dep).title}' ({dep}), {UNFINISHED[status]}")
    if action == "done":
        for probe in dict.fromkeys(v.probe for v in step.validate if v.probe):
            if probe_states.get(probe) == "DOWN":
                reasons.append(f"validates with probe '{probe}', which is DOWN")
    return reasons


def recorded_probe_states(state: RunState) -> dict[str, str]:
    """Probe name -> the state most recently recorded for it, from any vantage point: what the
    command line, which runs no probes, knows of the system's health."""
    latest: dict[str, tuple] = {}
    for (probe, _vantage), seen in state.probes.items():
        if probe not in latest or seen.since > latest[probe][0]:
            latest[probe] = (seen.since, seen.state)
    return {probe: probe_state for probe, (_since, probe_state) in latest.items()}


def record_step(ledger: Ledger, runbook: Runbook, state: RunState, step_id: str, action: str,
                note: str | None = None, *, override: list[str] | None = None,
                seen: str | None | Unseen = UNSEEN) -> Event | None:
    """Append the step event; None when the step is already in the state the action leads to.
    `override`: the guards the operator went ahead despite (recorded with the event, with the note
    saying why). `seen`: see Ledger.append (StateChanged if the step changed since).
    A fail, a skip or an override owes a note (NEEDS_NOTE): UsageProblem without one."""
    step = find_step(runbook, step_id)
    if (action in NEEDS_NOTE or override) and not (note or "").strip():
        raise UsageProblem(f"the note is empty; say {NEEDS_NOTE.get(action, 'why you go ahead')}.")
    if state.step(step.id).status is STATUS_AFTER[STEP_EVENTS[action]]:
        return None  # already so: doing it again records nothing, so scripts can retry
    body = {"note": note} if note else {}
    if override:
        body["override"] = "; ".join(override)
    return ledger.append(STEP_EVENTS[action], step.id, body, seen=seen)


# What an operator can say of a checklist item, and the event it records ("cleared": back to not done).
OUTCOME_EVENTS = {
    "passed": EventKind.CHECK_TICKED,
    "failed": EventKind.CHECK_FAILED,
    "blocked": EventKind.CHECK_BLOCKED,
    "waived": EventKind.CHECK_WAIVED,
    "cleared": EventKind.CHECK_UNTICKED,
}
# Outcomes that owe a reason, in the words a prompt or an error asks for it.
OUTCOME_NEEDS_NOTE = {"failed": "what failed", "waived": "why it is waived"}
# Outcomes only a smoke test can have: a test runs, fails or cannot run; a checklist item is done or waived.
SMOKE_TEST_OUTCOMES = frozenset({"failed", "blocked"})


def record_outcome(ledger: Ledger, runbook: Runbook, state: RunState, item_id: str, outcome: str,
                   note: str | None = None, *, seen: str | None | Unseen = UNSEEN) -> Event | None:
    """Record a checklist item as passed (ticked), failed, blocked, waived or cleared (unticked);
    None when it already is so (the same outcome, and for a failure, a block or a waiver the same
    note). Failed and blocked are for smoke tests only; failed and waived owe a note. `seen`: see
    Ledger.append (StateChanged if the item changed since)."""
    item = find_item(runbook, item_id)
    if outcome not in OUTCOME_EVENTS:
        raise UsageProblem(f"'{outcome}' is not an outcome of a checklist item; say {', '.join(OUTCOME_EVENTS)}.")
    note = (note or "").strip() or None
    if outcome in SMOKE_TEST_OUTCOMES and item.checklist != SMOKE_TESTS:
        raise UsageProblem(f"only a smoke test can be {outcome}; '{item.text}' is on the "
                           f"{CHECKLIST_TITLES[item.checklist]} checklist: tick it, or waive it with a reason.")
    if outcome in OUTCOME_NEEDS_NOTE and not note:
        raise UsageProblem(f"the note is empty; say {OUTCOME_NEEDS_NOTE[outcome]}.")
    kind = OUTCOME_EVENTS[outcome]
    check = state.check(item.id)
    # A tick or an untick keeps no note in the state (the log still shows one): the outcome alone says "already so".
    kept_note = note if OUTCOME_AFTER[kind] not in ("", "passed") else None
    if check.outcome == OUTCOME_AFTER[kind] and check.note == kept_note:
        return None
    return ledger.append(kind, item.id, {"note": note} if note else {}, seen=seen)


def add_note(ledger: Ledger, subject: str, text: str) -> Event:
    text = text.strip()
    if not text:
        raise UsageProblem("the note is empty; write what happened.")
    return ledger.append(EventKind.NOTE_ADDED, subject, {"text": text})


# What a resolve of each kind of subject records.
RESOLVE_EVENTS = {"step": EventKind.STEP_CONFLICT_RESOLVED, "check": EventKind.CHECK_CONFLICT_RESOLVED}


def resolve_conflict(ledger: Ledger, kind: str, subject: str, seen: str | None | Unseen = UNSEEN) -> Event:
    """Keep the standing version of a step ("step") or checklist item ("check") and clear its
    conflict marker: a `*.conflict_resolved` event made on the row as it stands (`seen`, its last
    event: StateChanged if it changed since, so that nobody settles a version they did not see)."""
    if kind not in RESOLVE_EVENTS:
        raise UsageProblem(f"'{kind}' is not something with conflicts; say step or check.")
    return ledger.append(RESOLVE_EVENTS[kind], subject, seen=seen)
