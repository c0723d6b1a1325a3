"""`warroom rollback`: the rollback branch from the command line, its plan and its actions.

Registered on the `warroom` group by importing this module (see the end of tui/cli.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from warroom.ops.actions import UsageProblem, find_step
from warroom.ops.decisions import rolling_back
from warroom.ops.describe import describe
from warroom.ops.loading import load_runbook
from warroom.ops.rollback import (
    ROLLBACK_EVENTS,
    record_rollback,
    rollback_decision,
    rollback_ended_at,
    rollback_fits,
    rollback_plan,
    rollback_time,
)
from warroom.runbook import format_duration
from warroom.runbook.model import Runbook
from warroom.store import WITHOUT_NOTES, RunState
from warroom.tui.cli import guarded, ledger_options, main, open_ledger, runbook_argument, say
from warroom.untrusted import visible
from warroom.widgets.display import STEP_GLYPH, STEP_WORD, clock


@main.command()
@runbook_argument
@click.argument("step_id", required=False)
@click.argument("action", required=False, type=click.Choice(list(ROLLBACK_EVENTS)))
@click.option("--note", default=None, help="What happened (required for fail).")
@ledger_options
@guarded
def rollback(runbook_path: str, step_id: str | None, action: str | None, note: str | None, db, operator, run) -> None:
    """The rollback plan (each done step's rollback, newest first, and whether it fits the window);
    with STEP and start|done|fail, record that step's rollback action."""
    runbook = load_runbook(runbook_path)
    if step_id is not None and action is None:
        raise UsageProblem("say what to record for the step's rollback: start, done or fail.")
    with open_ledger(runbook, db, operator, run) as ledger:
        state = ledger.state(skip=WITHOUT_NOTES)
        if step_id is None:
            say("\n".join(plan_lines(runbook, state, datetime.now(UTC))), lines=True)
            return
        step = find_step(runbook, step_id)
        if not rolling_back(state):
            raise UsageProblem(f"the go-live decision is not ROLLBACK, so '{step.title}' ({step.id}) is not rolled "
                               f"back yet; decide first: warroom decide {runbook_path} rollback.")
        assert action is not None
        event = record_rollback(ledger, runbook, state, step.id, action, note)
        already = f"the rollback of {step.id} is already {STEP_WORD[state.rollback(step.id).status]}; nothing recorded"
        say(describe(event, runbook) if event else already)


def plan_lines(runbook: Runbook, state: RunState, now: datetime) -> list[str]:
    """The plan for people: whether ROLLBACK is decided, each action with its command and status,
    the time still needed and whether it fits. What it quotes is made visible here, line by line."""
    zone = runbook.window.zone
    decision = rollback_decision(state)
    plan = rollback_plan(runbook, state)
    if decision is None:
        lines = ["Rollback plan (not decided: the go-live decision is not ROLLBACK)"]
    else:
        ended = rollback_ended_at(runbook, state)
        lines = [f"ROLLBACK started {clock(decision.at, zone)} by {visible(decision.operator)}"
                 + (f", rolled back at {clock(ended, zone)}" if ended else "")]
    if not plan:
        lines.append("  nothing to undo: no step with a rollback action is done")
    for number, step in enumerate(plan, start=1):
        action = state.rollback(step.id)
        who = f" by {visible(action.by)} {clock(action.finished_at or action.started_at, zone)}" if action.by else ""
        lines.append(f"  {number}. {step.id}  {visible(step.title)}  ↶ {format_duration(step.time_to_undo)}"
                     f"  {STEP_GLYPH[action.status]} {STEP_WORD[action.status]}{who}")
        lines += [f"       $ {visible(line)}" for line in (step.rollback_action or "").splitlines()]
        if action.note:
            lines.append(f"       note: {visible(action.note)}")
    needed = rollback_time(runbook, state)
    window_end = clock(runbook.window.end, zone)
    fits = (f"fits: it would end by {clock(now + needed, zone)}, before the window closes at {window_end}"
            if rollback_fits(runbook, state, now)
            else f"✗ too late: it would end after the window closes at {window_end}")
    lines.append(f"Time needed now: {format_duration(needed)} · {fits}")
    return lines
