"""Sign-offs, gates and the day's two decisions (go/no-go, go-live), shared by the command line
and the console: what must be said before a step may start, and what a decision needs."""

from __future__ import annotations

from warroom.runbook.model import SMOKE_TESTS, Runbook
from warroom.store import Event, Ledger, RunState
from warroom.untrusted import for_screen
from warroom.vocabulary import DECISIONS_AT, Decision, DecisionPoint, EventKind, StepStatus

from .actions import UsageProblem, did_you_mean, find_step
from .people import role_text

# What an operator may type for each decision (`warroom decide RB conditional`).
DECISION_WORDS = {
    "go": Decision.GO, "conditional": Decision.CONDITIONAL, "conditional-go": Decision.CONDITIONAL,
    "no-go": Decision.NO_GO, "nogo": Decision.NO_GO, "proceed": Decision.PROCEED, "rollback": Decision.ROLLBACK,
}
# What each decision owes in words, when it owes any.
NEEDS_WORDS = {Decision.CONDITIONAL: "the conditions", Decision.NO_GO: "the reason"}


def point_of(decision: Decision) -> DecisionPoint:
    return next(point for point, words in DECISIONS_AT.items() if decision in words)


def parse_decision(word: str) -> Decision:
    found = DECISION_WORDS.get(word.strip().lower())
    if found is None:
        raise UsageProblem(f"'{word}' is not a decision{did_you_mean(word, DECISION_WORDS)}; "
                           "say go, conditional or no-go (go/no-go), or proceed or rollback (go-live).")
    return found


# --- sign-offs ---------------------------------------------------------------------------------

def sign_off(ledger: Ledger, runbook: Runbook, state: RunState, step_id: str) -> Event | None:
    """Sign off on a step that needs `approval:`; None when this operator already has (one
    person counts once). UsageProblem for a step that needs none or has started."""
    step = _before_start(runbook, state, step_id, "signed off")
    if any(s.operator == ledger.operator for s in state.signoffs(step.id)):
        return None
    role = role_text(runbook, state, ledger.operator)
    return ledger.append(EventKind.SIGNOFF_GIVEN, step.id, {"role": role} if role else {})


def withdraw_sign_off(ledger: Ledger, runbook: Runbook, state: RunState, step_id: str) -> Event | None:
    """Take this operator's sign-off back, before the step starts; None when they had given none."""
    step = _before_start(runbook, state, step_id, "withdrawn from")
    if not any(s.operator == ledger.operator for s in state.signoffs(step.id)):
        return None
    return ledger.append(EventKind.SIGNOFF_WITHDRAWN, step.id)


def signing_problem(runbook: Runbook, state: RunState, step_id: str) -> str | None:
    """Why a sign-off on the step cannot be given or withdrawn now, in one sentence; None when it
    can. The console asks before it writes, so that a refusal is a warning, not a failed write."""
    try:
        _before_start(runbook, state, step_id, "given or withdrawn")
    except UsageProblem as problem:
        return str(problem)
    return None


def _before_start(runbook: Runbook, state: RunState, step_id: str, done: str):
    step = find_step(runbook, step_id)
    name = f"'{for_screen(step.title)}' ({step.id})"
    if not step.approval:
        raise UsageProblem(f"{name} needs no sign-off (the runbook gives it no approval:); nothing recorded.")
    status = state.step(step.id).status
    if status is not StepStatus.PENDING:
        raise UsageProblem(f"{name} is already {status.value.replace('_', ' ')}; a sign-off can only be "
                           f"{done} before the step starts.")
    return step


def sign_off_text(approval: int, state: RunState, step_id: str) -> str:
    """'1 of 2 sign-offs (ana)': how far a step that needs sign-offs has come; '' when it needs none."""
    if not approval:
        return ""
    have = state.signoffs(step_id)
    names = f" ({', '.join(s.operator for s in have)})" if have else ""
    return f"{len(have)} of {approval} sign-off{'s' if approval > 1 else ''}{names}"


# --- what a step waits for -------------------------------------------------------------------

def step_refusals(runbook: Runbook, state: RunState, step_id: str, action: str) -> list[str]:
    """Why `action` on the step cannot go ahead at all, in words; no override answers these.
    Starting waits for its sign-offs, a go/no-go gate for a GO, and nothing goes forward once
    the go-live decision is ROLLBACK; a go-live gate is finished by the go-live decision."""
    step = find_step(runbook, step_id)
    # Marking a pending step done says it ran: it owes what starting it owes.
    begins = action == "start" or (action == "done" and state.step(step.id).status is StepStatus.PENDING)
    reasons = []
    if begins and step.approval:
        have = len(state.signoffs(step.id))
        if have < step.approval:
            reasons.append(f"needs {sign_off_text(step.approval, state, step.id)} before it starts")
    if begins and step.gate == DecisionPoint.GO_NO_GO:
        latest = state.latest_decision(DecisionPoint.GO_NO_GO)
        if latest is None:
            reasons.append("waits for a GO at the go/no-go review (g); none is recorded")
        elif latest.decision is Decision.NO_GO:
            reasons.append(f"waits for a GO; the go/no-go decision is NO-GO ({latest.operator})")
    if action == "done" and step.gate == DecisionPoint.GO_LIVE and state.latest_decision(DecisionPoint.GO_LIVE) is None:
        reasons.append(FINISHED_BY_GO_LIVE)
    if begins and rolling_back(state):
        reasons.append("cannot start: the go-live decision is ROLLBACK, and the rollback branch runs instead")
    return reasons


# The refusal of `done` on a `gate: go-live` step: the console answers it with the decision itself.
FINISHED_BY_GO_LIVE = "is finished by the go-live decision: PROCEED or ROLLBACK"


def rolling_back(state: RunState) -> bool:
    latest = state.latest_decision(DecisionPoint.GO_LIVE)
    return latest is not None and latest.decision is Decision.ROLLBACK


# --- decisions ---------------------------------------------------------------------------------

def go_live_blockers(runbook: Runbook, state: RunState) -> list[str]:
    """What stands against PROCEED, in words: every smoke test that has not passed, every open P1."""
    reasons = []
    for item in runbook.checklists[SMOKE_TESTS].items:
        outcome = state.check(item.id).outcome or "not run"
        if outcome != "passed":
            reasons.append(f"smoke test '{item.text}' {'is ' if outcome == 'not run' else ''}{outcome}")
    for incident in state.incidents.values():
        if incident.open and incident.severity == "P1":
            reasons.append(f"P1 {incident.id} '{incident.title}' is open")
    return reasons


def record_decision(ledger: Ledger, runbook: Runbook, state: RunState, decision: Decision,
                    note: str | None = None, *, override: bool = False) -> Event:
    """Record a go/no-go or go-live decision with the decider's roles. A CONDITIONAL GO needs its
    conditions and a NO-GO its reason; PROCEED against go_live_blockers needs `override` and a
    note saying why (the blockers are recorded with it)."""
    note = (note or "").strip() or None
    if decision in NEEDS_WORDS and not note:
        raise UsageProblem(f"a {decision.label} needs {NEEDS_WORDS[decision]} in words; add them as the note.")
    body: dict[str, str] = {"decision": decision.value}
    if decision is Decision.PROCEED:
        blockers = go_live_blockers(runbook, state)
        if blockers and not override:
            raise UsageProblem(f"PROCEED is held back: {'; '.join(blockers)}. Proceed only with an override "
                               "and a note saying why.")
        if blockers:
            if not note:
                raise UsageProblem("an override needs a note saying why you proceed.")
            body["override"] = "; ".join(blockers)
    if note:
        body["note"] = note
    role = role_text(runbook, state, ledger.operator)
    if role:
        body["role"] = role
    return ledger.append(EventKind.DECISION_RECORDED, point_of(decision).value, body)
