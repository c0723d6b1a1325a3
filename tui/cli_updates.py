"""`warroom update RUNBOOK --draft|--post`: status updates to stakeholders from the command line
(registered on the `warroom` group by tui/cli.py)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from warroom.ops.actions import UsageProblem, recorded_probe_states
from warroom.ops.loading import load_runbook
from warroom.ops.progress import actuals
from warroom.ops.updates import draft_update, post_update, updates_path
from warroom.runbook.forecast import forecast
from warroom.store import WITHOUT_NOTES
from warroom.tui.cli import guarded, ledger_options, main, open_ledger, runbook_argument, say


@main.command()
@runbook_argument
@click.option("--draft", is_flag=True, help="Print the draft, filled from the ledger, and post nothing.")
@click.option("--post", is_flag=True, help="Post an update: the --message-file's text, or the draft.")
@click.option("--message-file", "message_file", default=None, type=click.Path(dir_okay=False),
              help="The update's text ('-' reads it from stdin).")
@click.option("--updates-file", "updates_file", default=None, type=click.Path(dir_okay=False),
              help="Append posted updates to this file (default: the runbook's updates_file, if any).")
@ledger_options
@guarded
def update(runbook_path: str, draft: bool, post: bool, message_file: str | None, updates_file: str | None,
           db, operator, run) -> None:
    """Draft (--draft) or post (--post) a status update in the template stakeholders know."""
    if draft == post:
        raise UsageProblem("say --draft to print the draft or --post to post an update.")
    runbook = load_runbook(runbook_path)
    text = read_message(message_file) if message_file else None
    with open_ledger(runbook, db, operator, run) as ledger:
        if text is None:
            state, now = ledger.state(skip=WITHOUT_NOTES), datetime.now(UTC)
            text = draft_update(runbook, state, forecast(runbook, actuals(state), now), recorded_probe_states(state),
                                now)
        if draft:
            say(text, lines=True)
            return
        warnings: list[str] = []
        post_update(ledger, text, runbook, updates_file, on_warning=warnings.append)
    for warning in warnings:
        say(f"warning: {warning}", err=True)
    path = updates_path(runbook, updates_file)
    say("status update posted" + (f"; appended to {path}" if path and not warnings else ""))


def read_message(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"cannot read the message file {path} ({error}); give a readable UTF-8 text file.") \
            from error
