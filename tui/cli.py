"""The `warroom` command line.

Every failure the operator can fix is one sentence on stderr and exit status 2; a traceback only
with --debug. Nothing is written to the ledger before the ids in the request have been checked.
"""

from __future__ import annotations

import functools
import gc
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path
from types import MappingProxyType

import click

from warroom.ops.actions import (
    NEEDS_NOTE,
    OUTCOME_NEEDS_NOTE,
    STEP_EVENTS,
    UsageProblem,
    add_note,
    find_step,
    record_outcome,
    record_step,
    recorded_probe_states,
    step_guards,
)
from warroom.ops.decisions import step_refusals
from warroom.ops.describe import describe
from warroom.ops.loading import load_runbook
from warroom.ops.people import check_roles, declare_roles, roster_roles
from warroom.ops.status import status_document, status_text
from warroom.ops.version import read_version_report, short
from warroom.runbook import RunbookError, lint
from warroom.runbook.model import Runbook
from warroom.store import WITHOUT_NOTES, Ledger, LedgerError, resolve_db_path, resolve_operator
from warroom.sync.config import resolve_export
from warroom.sync.errors import SyncError
from warroom.untrusted import json_text, lone_surrogate, visible

EXIT_USAGE = 2
EXIT_CRASH = 1
EXIT_BROKEN_PIPE = 141  # what a shell reports for a tool ended by SIGPIPE (128 + 13)
DEMO_PROBE_INTERVAL = "2s"
DEMO_RUN = "rehearsal-1"
DEMO_ROLE = "Deployment Lead"


def say(text: str, err: bool = False, *, lines: bool = False) -> None:
    """Every line the command line prints for people: runbook text, notes and probe output in it
    are data, so their control characters are made visible (see warroom.untrusted), newlines too,
    so that a note cannot forge a line of output. `lines`: a text of several lines whose builder
    made what it quotes visible itself (status_text, probe_table)."""
    click.echo(visible(text, lines=lines), err=err)


def fail(message: str) -> None:
    say(f"warroom: {message}", err=True)
    sys.exit(EXIT_USAGE)


def end_quietly_on_closed_pipe() -> None:
    """`warroom log | head -1`: the reader has gone, so stop as other Unix tools do, silently.
    stdout is pointed at /dev/null so that Python's own flush at exit cannot complain either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sys.exit(EXIT_BROKEN_PIPE)


SETTINGS = ("WARROOM_OPERATOR", "WARROOM_RUN", "WARROOM_DB", "WARROOM_EXPORT")


def refuse_undecodable_arguments(argv: list[str]) -> None:
    """Bytes that are not UTF-8 arrive as lone surrogates, which no ledger or terminal can take."""
    named = [(f"argument {n} ({visible(a)})", a) for n, a in enumerate(argv, start=1)]
    named += [(f"${name}", os.environ[name]) for name in SETTINGS if name in os.environ]
    for what, value in named:
        if lone_surrogate(value):
            fail(f"{what} is not valid UTF-8 text; retype it in UTF-8 (a locale such as LANG=C.UTF-8 helps).")


def guarded(command):
    """Turn the errors an operator can fix into one clear sentence and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            try:
                return command(*args, **kwargs)
            finally:
                sys.stdout.flush()  # here, so that a reader that went away is noticed below
        except BrokenPipeError:
            end_quietly_on_closed_pipe()
        except RunbookError as error:
            if debug:
                traceback.print_exc()
            for problem in error.problems:
                say(str(problem), err=True)
            sys.exit(EXIT_USAGE)
        except (LedgerError, UsageProblem, SyncError) as error:
            if debug:
                traceback.print_exc()
            fail(str(error))
        except Exception as error:  # a bug, not bad input: still no traceback unless asked
            if debug:
                raise
            say(f"warroom: internal error: {error!r}; run again with --debug for the details.", err=True)
            sys.exit(EXIT_CRASH)

    return click.option("--debug", is_flag=True, help="Show tracebacks.")(wrapper)


run_option = click.option("--run", "run", default="live", show_default=True, envvar="WARROOM_RUN",
                          help="Run name: live, rehearsal-1, ...")
operator_option = click.option("--operator", default=None,
                               help="Who is acting (default: $WARROOM_OPERATOR, then the login name).")


def ledger_options(command):
    command = run_option(command)
    command = operator_option(command)
    command = click.option("--db", "db", default=None,
                           help="Ledger file (default: $WARROOM_DB, then the user data directory).")(command)
    return command


def open_ledger(runbook: Runbook, db: str | None, operator: str | None, run: str) -> Ledger:
    return Ledger.open(
        resolve_db_path(db, runbook.id),
        runbook.id,
        resolve_operator(operator),
        run=run,
        runbook_sha256=runbook.sha256,
    )


export_option = click.option(
    "--export", "export", default=None, metavar="DIR|git:URL",
    help="The shared export to sync through: a folder, or git:URL / a bare repository's path "
         "(default: $WARROOM_EXPORT, then `export:` in the user config file).")


runbook_argument = click.argument("runbook_path", metavar="RUNBOOK", type=click.Path(dir_okay=False))


class Commands(click.Group):
    def main(self, args=None, *rest, **options):
        """Arguments are checked before click sees them: it would print a lone surrogate raw."""
        refuse_undecodable_arguments(sys.argv[1:] if args is None else list(args))
        return super().main(args, *rest, **options)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """warroom: the deployment-day console."""


@main.command()
@click.argument("paths", metavar="RUNBOOK...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db", default=None,
              help="Also compare with the run (--run) recorded in this ledger: a changed runbook, operators "
                   "on different versions, recorded steps and ticks it no longer has.")
@run_option
@guarded
def validate(paths: tuple[str, ...], db: str | None, run: str) -> None:
    """Check runbooks: one line per file, warnings after it; exit 2 on any error."""
    failed = False
    for path in paths:
        try:
            runbook = load_runbook(path)
        except RunbookError as error:
            failed = True
            for problem in error.problems:
                say(str(problem), err=True)
            continue
        say(
            f"{path}: ok · {runbook.id} v{runbook.version} · {counted(len(runbook.steps), 'step')} in "
            f"{counted(len(runbook.phases), 'phase')} · {counted(len(runbook.items), 'checklist item')}"
            f" · {counted(len(runbook.probes), 'probe')}"
            f" · window {runbook.window.start:%Y-%m-%d %H:%M}–{runbook.window.end:%H:%M}"
        )
        for problem in lint(runbook):
            say(f"{problem.file}:{problem.line}:{problem.col}: warning: {problem.message}")
        if db is not None:
            compare_with_ledger(path, runbook, Path(db).expanduser(), run)
    if failed:
        sys.exit(EXIT_USAGE)


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def compare_with_ledger(path: str, runbook: Runbook, db: Path, run: str) -> None:
    """`validate --db`: the runbook against what the run recorded. Never creates the ledger or records in it."""
    if not db.exists():
        raise UsageProblem(f"{db} does not exist; check the path, or pass --db with an existing ledger.")
    # Nothing is written, so who reads does not matter: no --operator to ask for.
    with Ledger.open(db, runbook.id, "validate", run=run, runbook_sha256=runbook.sha256) as ledger:
        report = read_version_report(runbook, ledger)
    where = f"run '{run}' in {db}"
    if report.recorded is None:
        say(f"{path}: {where} has recorded no runbook yet")
    elif not report.changed:
        say(f"{path}: {where} last recorded this runbook ({short(report.sha256)})")
    for line in report.lines():
        say(f"{path}: warning: {line}")


updates_file_option = click.option(
    "--updates-file", "updates_file", default=None, type=click.Path(dir_okay=False),
    help="Append posted status updates to this file (default: the runbook's updates_file, if any).")
no_bell_option = click.option("--no-bell", "no_bell", is_flag=True,
                              help="Never ring the terminal bell (it rings once when a probe goes DOWN, a step "
                                   "overruns, or the rollback deadline is 60, 30 or 10 minutes away).")


@main.command(name="open")
@runbook_argument
@ledger_options
@export_option
@no_bell_option
@click.option("--role", "roles", multiple=True, metavar="NAME",
              help="A role of the runbook's team you hold in this run (repeatable); without it, the console "
                   "asks on first open.")
@updates_file_option
@guarded
def open_(runbook_path: str, db: str | None, operator: str | None, run: str, export: str | None,
          no_bell: bool, roles: tuple[str, ...], updates_file: str | None) -> None:
    """Open the full-screen console on RUNBOOK (syncing through the export, when one is named)."""
    from warroom.ops.syncing import open_syncer

    runbook = load_runbook(runbook_path)
    check_roles(runbook, roles)  # before anything is opened or written
    choice = resolve_export(export)
    ledger = open_ledger(runbook, db, operator, run)
    try:
        if roles:
            declare_roles(ledger, runbook, ledger.state(skip=WITHOUT_NOTES), roles)
        # named on this command line: a wrong one is refused now; from the settings, the header says it
        syncer = None if choice is None else open_syncer(runbook, ledger, choice, check=export is not None)
    except BaseException:
        ledger.close()
        raise
    _run_app(runbook, ledger, bell=not no_bell, syncer=syncer, ask_roles=not roles, updates_file=updates_file)


@main.command()
@operator_option
@click.option("--keep", is_flag=True, help="Keep the demo's ledger when it ends, and print where it is.")
@no_bell_option
@updates_file_option
@guarded
def demo(operator: str | None, keep: bool, no_bell: bool, updates_file: str | None) -> None:
    """Open the console on the bundled web cutover, rehearsing now, with a throwaway ledger and a
    small service of its own on 127.0.0.1 that plays the system being deployed."""
    from warroom.runbook.rebase import starting_at
    from warroom.tui.demo_service import DemoService, point_probes_at

    with as_file(files("warroom.sample_runbooks") / "web-cutover.yaml") as sample:
        runbook = load_runbook(sample)
    runbook = starting_at(runbook, demo_start(datetime.now(UTC).astimezone(runbook.window.zone)))
    with throwaway_ledger(runbook.id, keep=keep) as db, DemoService() as service:
        runbook = _quick_probes(point_probes_at(runbook, service))
        ledger = open_ledger(runbook, str(db), operator, DEMO_RUN)
        if DEMO_ROLE in roster_roles(runbook):  # the demo's operator runs the day: they may act as the lead
            declare_roles(ledger, runbook, ledger.state(skip=WITHOUT_NOTES), [DEMO_ROLE])
        _run_app(runbook, ledger, demo=service, bell=not no_bell, updates_file=updates_file)


def demo_start(now: datetime) -> datetime:
    """The demo's window opens at the current minute: its first step is due now, not some minutes ago."""
    return now.replace(second=0, microsecond=0)


@contextmanager
def throwaway_ledger(deployment: str, *, keep: bool) -> Iterator[Path]:
    """A new ledger path in a private folder of its own. When the block ends the folder goes, with
    the ledger, SQLite's files beside it and the probe samples; with `keep` it stays, and the
    command says where."""
    folder = Path(tempfile.mkdtemp(prefix="warroom-demo-"))
    db = folder / f"{deployment}.sqlite"
    try:
        yield db
    finally:
        if keep:
            say(f"The demo's ledger is kept in {db} (run {DEMO_RUN}).")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _quick_probes(runbook: Runbook) -> Runbook:
    """Every 2 s instead of every 30 s, so the demo's probes react while someone watches."""
    return replace(runbook, probes=tuple(
        replace(spec, options=MappingProxyType({**spec.options, "interval": DEMO_PROBE_INTERVAL}))
        for spec in runbook.probes
    ))


def _run_app(runbook: Runbook, ledger: Ledger, demo=None, bell: bool = True, syncer=None,
             ask_roles: bool = False, updates_file: str | None = None) -> None:
    from warroom.tui.app import WarroomApp  # Textual loads only for the full-screen commands

    # Start-up builds a great many long-lived objects; collecting garbage meanwhile only slows
    # the first frame. The app freezes them and turns collection back on once it is shown.
    gc.disable()
    with ledger:
        app = WarroomApp(runbook, ledger, demo=demo, bell=bell, syncer=syncer, ask_roles=ask_roles,
                         updates_file=updates_file)
        app.run()
    if app.crash_report is not None:
        fail_crashed(app.crash_report)
    elif app.return_code:
        sys.exit(app.return_code)


def fail_crashed(report: Path) -> None:
    say(f"warroom: the console stopped on an unexpected error; everything recorded is kept; "
        f"the traceback is in {report}.", err=True)
    sys.exit(EXIT_CRASH)


@main.command()
@runbook_argument
@ledger_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@guarded
def status(runbook_path: str, db, operator, run, as_json: bool) -> None:
    """Progress, current and next steps, checklists."""
    runbook = load_runbook(runbook_path)
    with open_ledger(runbook, db, operator, run) as ledger:
        doc = status_document(runbook, ledger)
    if as_json:
        click.echo(json_text(doc))
    else:
        say(status_text(doc, runbook), lines=True)


@main.command()
@runbook_argument
@click.argument("step_id")
@click.argument("action", type=click.Choice(list(STEP_EVENTS)))
@click.option("--note", default=None, help="Why, or what happened (required for fail, skip and --force).")
@click.option("--force", is_flag=True,
              help="Go ahead although a dependency is unfinished or a probe it validates with is DOWN; "
                   "recorded with --note. Missing sign-offs and a missing GO are never forced.")
@ledger_options
@guarded
def step(runbook_path: str, step_id: str, action: str, note: str | None, force: bool, db, operator, run) -> None:
    """Record a step as started, done, failed, skipped or reopened."""
    runbook = load_runbook(runbook_path)
    title = find_step(runbook, step_id).title
    note = (note or "").strip() or None
    if action in NEEDS_NOTE and not note:
        raise UsageProblem(f"say {NEEDS_NOTE[action]}: add --note TEXT.")
    if force and not note:
        raise UsageProblem("--force needs --note saying why you go ahead; it is recorded with the step.")
    with open_ledger(runbook, db, operator, run) as ledger:
        state = ledger.state(skip=WITHOUT_NOTES)
        refusals = step_refusals(runbook, state, step_id, action)  # no --force answers these
        if refusals:
            raise UsageProblem(f"'{title}' ({step_id}) {'; '.join(refusals)}; nothing recorded.")
        guards = step_guards(runbook, state, step_id, action, recorded_probe_states(state))
        if guards and not force:
            raise UsageProblem(f"'{title}' ({step_id}) {'; '.join(guards)}: finish those first, "
                               f"or pass --force with --note saying why.")
        event = record_step(ledger, runbook, state, step_id, action, note, override=guards)
        already = f"{step_id} is already {state.step(step_id).status}; nothing recorded"
        say(describe(event, runbook) if event else already)


# `warroom check`'s flags, each the outcome it records (without one: passed, a tick).
CHECK_FLAGS = {"untick": "cleared", "fail": "failed", "blocked": "blocked", "waive": "waived"}


@main.command()
@runbook_argument
@click.argument("item_id")
@click.option("--untick", is_flag=True, help="Clear the tick, failure, block or waiver instead.")
@click.option("--fail", is_flag=True, help="A smoke test that ran and failed (needs --note saying what failed).")
@click.option("--blocked", is_flag=True, help="A smoke test that could not be run (--note says why).")
@click.option("--waive", is_flag=True, help="Not needed this time (needs --note saying why).")
@click.option("--note", default=None, help="What failed, why it is blocked or waived.")
@ledger_options
@guarded
def check(runbook_path: str, item_id: str, untick: bool, fail: bool, blocked: bool, waive: bool,
          note: str | None, db, operator, run) -> None:
    """Tick a checklist item or smoke test (a pass), or record it as --fail, --blocked, --waive, or --untick it."""
    flags = {"untick": untick, "fail": fail, "blocked": blocked, "waive": waive}
    given = [name for name, on in flags.items() if on]
    if len(given) > 1:
        raise UsageProblem(f"--{given[0]} and --{given[1]} exclude each other; give one.")
    outcome = CHECK_FLAGS[given[0]] if given else "passed"
    if outcome in OUTCOME_NEEDS_NOTE and not (note or "").strip():
        raise UsageProblem(f"say {OUTCOME_NEEDS_NOTE[outcome]}: add --note TEXT.")
    runbook = load_runbook(runbook_path)
    with open_ledger(runbook, db, operator, run) as ledger:
        event = record_outcome(ledger, runbook, ledger.state(skip=WITHOUT_NOTES), item_id, outcome, note)
        already = {"passed": "ticked", "cleared": "unticked"}.get(outcome, outcome)
        say(describe(event, runbook) if event else f"{item_id} is already {already}; nothing recorded")


@main.command()
@runbook_argument
@click.argument("text")
@click.option("--step", "step_id", default="", help="Attach the note to this step.")
@ledger_options
@guarded
def note(runbook_path: str, text: str, step_id: str, db, operator, run) -> None:
    """Add a note to the log (or to a step with --step)."""
    runbook = load_runbook(runbook_path)
    subject = find_step(runbook, step_id).id if step_id else ""
    with open_ledger(runbook, db, operator, run) as ledger:
        say(describe(add_note(ledger, subject, text), runbook))


@main.command()
@runbook_argument
@ledger_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of events.")
@guarded
def log(runbook_path: str, db, operator, run, as_json: bool) -> None:
    """The event log of this run, oldest first."""
    runbook = load_runbook(runbook_path)
    with open_ledger(runbook, db, operator, run) as ledger:
        events = ledger.events()
    if as_json:
        click.echo(json_text([e.to_json() for e in events]))
        return
    zone = runbook.window.zone
    for event in events:
        # The operator made visible first, so that the column lines up.
        say(f"{event.at.astimezone(zone):%Y-%m-%d %H:%M:%S}  {visible(event.operator):12} {describe(event, runbook)}")


@main.command()
@runbook_argument
@ledger_options
@export_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@guarded
def sync(runbook_path: str, db, operator, run, export: str | None, as_json: bool) -> None:
    """One sync round: publish this device's events to the export, import everyone else's."""
    from warroom.ops.syncing import open_syncer, report_document, round_lines

    runbook = load_runbook(runbook_path)
    choice = resolve_export(export)
    if choice is None:
        raise UsageProblem("no export is named; pass --export DIR or git:URL, or set WARROOM_EXPORT.")
    with open_ledger(runbook, db, operator, run) as ledger:
        report = open_syncer(runbook, ledger, choice, check=True).round()
    if as_json:
        click.echo(json_text(report_document(report)))
    else:
        for line in round_lines(report):
            say(line)
    if report.error:
        sys.exit(EXIT_USAGE)


@main.group()
def keys() -> None:
    """This device's signing key, and the keys trusted here."""


@keys.command(name="show")
@operator_option
@guarded
def keys_show(operator: str | None) -> None:
    """Print this device's public key, as a runbook team entry's `key:` line."""
    from warroom.store.identity import data_dir
    from warroom.sync.keys import device_key

    key = device_key(data_dir())
    say(f"key: {key.public}")
    say(f"# {resolve_operator(operator)} on this device (key id {key.key_id}); paste it under your entry in "
        "the runbook's team, or have others run: warroom keys trust NAME KEY")


@keys.command(name="trust")
@click.argument("trusted_operator", metavar="OPERATOR")
@click.argument("public_key", metavar="PUBLIC_KEY")
@guarded
def keys_trust(trusted_operator: str, public_key: str) -> None:
    """Trust PUBLIC_KEY as OPERATOR's on this machine: their quarantined events apply at the next sync."""
    from warroom.sync.keys import key_id, normalise_public_key
    from warroom.sync.trust import TrustStore, trust_store_path

    name = trusted_operator.strip()
    if not name:
        raise UsageProblem("the operator name is empty; give the name they record as.")
    key = normalise_public_key(public_key)
    added = TrustStore(trust_store_path()).add(name, key)
    say(f"{'trusted' if added else 'already trusted'}: {name} with key {key_id(key)}")


@main.command()
@runbook_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--only", "only", multiple=True, metavar="NAME", help="Check only this probe (repeatable).")
@guarded
def probe(runbook_path: str, as_json: bool, only: tuple[str, ...]) -> None:
    """Run every probe once: exit 0 if none is DOWN, 1 if any is, 2 on a configuration error."""
    from warroom.ops.gate import check_once, probe_table

    runbook = load_runbook(runbook_path)
    results = check_once(runbook, only)
    if as_json:
        click.echo(json_text(results))
    else:
        say(probe_table(results), lines=True)
    sys.exit(1 if any(r["state"] == "DOWN" for r in results) else 0)


# The commands of running the day, each module registering its own on `main` (they import it).
from warroom.tui import cli_decisions, cli_incidents, cli_rollback, cli_updates  # noqa: E402, F401, I001

if __name__ == "__main__":
    main()
