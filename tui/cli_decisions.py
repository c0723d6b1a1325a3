"""`warroom approve` and `warroom decide`: sign-offs and the day's decisions from the command line.

Registered on the `warroom` group by the import at the end of tui/cli.py. Like `step` and `check`,
every mistake the operator can fix is one sentence and exit status 2, with nothing recorded.
"""

from __future__ import annotations

import click

from warroom.ops.actions import UsageProblem, find_step
from warroom.ops.decisions import (
    NEEDS_WORDS,
    parse_decision,
    record_decision,
    sign_off,
    sign_off_text,
    withdraw_sign_off,
)
from warroom.ops.describe import describe
from warroom.ops.loading import load_runbook
from warroom.store import WITHOUT_NOTES
from warroom.tui.cli import guarded, ledger_options, main, open_ledger, runbook_argument, say
from warroom.vocabulary import Decision


@main.command()
@runbook_argument
@click.argument("step_id")
@click.option("--withdraw", is_flag=True, help="Take your sign-off back (only before the step starts).")
@ledger_options
@guarded
def approve(runbook_path: str, step_id: str, withdraw: bool, db, operator, run) -> None:
    """Sign off on a step that needs sign-offs (`approval:` in the runbook) before it may start."""
    runbook = load_runbook(runbook_path)
    step = find_step(runbook, step_id)
    if not step.approval:
        raise UsageProblem(f"'{step.title}' ({step.id}) needs no sign-off (the runbook gives it no approval:); "
                           "nothing recorded.")
    with open_ledger(runbook, db, operator, run) as ledger:
        state = ledger.state(skip=WITHOUT_NOTES)
        event = (withdraw_sign_off if withdraw else sign_off)(ledger, runbook, state, step.id)
        if event is None:
            had = "has not signed off" if withdraw else "already signed off"
            say(f"{ledger.operator} {had} {step.id}; nothing recorded ({sign_off_text(step.approval, state, step.id)})")
            return
        say(describe(event, runbook))
        say(f"{step.id}: {sign_off_text(step.approval, state.with_event(event), step.id)}")


@main.command()
@runbook_argument
@click.argument("word", metavar="go|conditional|no-go|proceed|rollback")
@click.option("--note", default=None,
              help="The conditions of a CONDITIONAL GO, the reason of a NO-GO (both required), or why you "
                   "PROCEED with --override.")
@click.option("--override", is_flag=True,
              help="PROCEED although a smoke test has not passed or a P1 is open; needs --note saying why.")
@ledger_options
@guarded
def decide(runbook_path: str, word: str, note: str | None, override: bool, db, operator, run) -> None:
    """Record a decision with your name and roles: go, conditional or no-go at the go/no-go review;
    proceed or rollback at go-live."""
    runbook = load_runbook(runbook_path)
    decision = parse_decision(word)
    note = (note or "").strip() or None
    if decision in NEEDS_WORDS and not note:  # said before the ledger is opened
        raise UsageProblem(f"a {decision.label} needs {NEEDS_WORDS[decision]} in words: add --note TEXT; "
                           "nothing recorded.")
    if override and decision is not Decision.PROCEED:
        raise UsageProblem("--override only goes with proceed; nothing recorded.")
    with open_ledger(runbook, db, operator, run) as ledger:
        state = ledger.state(skip=WITHOUT_NOTES)
        say(describe(record_decision(ledger, runbook, state, decision, note, override=override), runbook))
