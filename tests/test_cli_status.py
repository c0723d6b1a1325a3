"""`status`, `validate` and `demo` tell the truth: outcomes counted apart, the items listed, one
form for every time, singular and plural, and a demo that opens now and cleans up after itself."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER

from warroom.ops.loading import load_runbook
from warroom.store import Ledger, SampleRow
from warroom.tui import cli
from warroom.tui.cli import demo_start, main, throwaway_ledger


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def status(db: Path, *more: str):
    result = run("status", WEB_CUTOVER, "--db", db, *more)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in more else result.output.splitlines()


def record(db: Path, *actions: tuple[str, str]) -> None:
    """Each step action as a script would give it: out of order if need be, and always saying why."""
    for step_id, action in actions:
        assert run("step", WEB_CUTOVER, step_id, action, "--force", "--note", "as the test says", "--db", db).exit_code == 0


# --- honest counts --------------------------------------------------------------------------------


def test_done_skipped_failed_and_running_are_counted_apart(db_path):
    record(db_path, ("war-room-open", "done"), ("checklist-review", "skip"), ("notify-start", "fail"),
           ("health-check", "start"))
    progress = status(db_path, "--json")["progress"]
    assert progress == {"done": 1, "skipped": 1, "failed": 1, "running": 1, "pending": 23, "total": 27}
    assert status(db_path)[1].startswith("1 done · 1 skipped · 1 failed of 27 · BLOCKED · forecast end ")


def test_a_skipped_step_is_never_counted_done(db_path):
    record(db_path, ("war-room-open", "skip"), ("checklist-review", "skip"))
    progress = status(db_path, "--json")["progress"]
    assert (progress["done"], progress["skipped"]) == (0, 2)
    assert status(db_path)[1].startswith("0 done · 2 skipped of 27")


# --- the items, listed -----------------------------------------------------------------------------


def test_status_lists_every_item_with_its_id_tick_and_text_by_checklist(db_path, web_cutover):
    assert run("check", WEB_CUTOVER, "pre_deployment/war-room-prepared", "--db", db_path).exit_code == 0
    lines = status(db_path)
    heading = lines.index("  Pre-deployment   1/7 ticked")
    pre = lines[heading + 1: heading + 8]
    assert pre[2] == "    [x] war-room-prepared · War room prepared"
    assert pre[0] == "    [ ] change-request-approved · Change request approved"
    assert lines[heading + 8] == "  Go/No-Go         0/21 ticked"
    assert "    [ ] no-p1-p2-defects-open · No P1/P2 defects open (functional)" in lines
    items = [line for line in lines if re.match(r"    \[[ x]\] ", line)]
    assert len(items) == len(web_cutover.items) == 44
    # The ids shown are ones `warroom check` takes.
    shown = items[-1].split()[2]
    assert run("check", WEB_CUTOVER, shown, "--db", db_path).exit_code == 0
    assert status(db_path, "--json")["checklists"]["smoke_tests"][-1]["ticked"]


def test_an_item_id_shared_by_two_checklists_is_shown_in_full(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("id: twice\ntitle: Twice\nwindow: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}\n"
                    "checklists: {post_deployment: [Smoke test passed, Logs clean]}\n"
                    "smoke_tests: [Smoke test passed]\nsteps: [{id: a, title: A, duration: 5m}]\n")
    lines = run("status", path, "--db", tmp_path / "l.sqlite").output.splitlines()
    assert "    [ ] post_deployment/smoke-test-passed · Smoke test passed" in lines
    assert "    [ ] smoke_tests/smoke-test-passed · Smoke test passed" in lines
    assert "    [ ] logs-clean · Logs clean" in lines


# --- one form for every time ----------------------------------------------------------------------

ISO_IN_WINDOW_ZONE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00")  # the web cutover's window is at +01:00
TIME_KEYS = {"planned_start", "started_at", "finished_at", "at", "forecast_end", "start", "end"}


def test_every_time_in_status_json_is_iso_8601_at_the_window_offset(db_path):
    record(db_path, ("war-room-open", "start"), ("war-room-open", "done"), ("checklist-review", "fail"))
    assert run("check", WEB_CUTOVER, "war-room-prepared", "--db", db_path).exit_code == 0
    doc = status(db_path, "--json")
    found = [(key, value) for key, value in _flat(doc) if key in TIME_KEYS and value is not None]
    times = [value for _, value in found]
    assert {key for key, _ in found} == TIME_KEYS
    assert len(times) >= 27 + 2 + 2 + 1 + 1 + 2  # planned starts, started, finished, tick, forecast, window
    assert [t for t in times if not ISO_IN_WINDOW_ZONE.fullmatch(t)] == []
    assert doc["window"] == {"start": "2026-11-28T08:00:00+01:00", "end": "2026-11-28T18:00:00+01:00"}
    assert doc["runbook_version"]["operators"][0]["at"] == doc["steps"][0]["started_at"]


def _flat(value, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flat(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _flat(v, key)
    else:
        yield key, value


# --- validate: singular and plural ----------------------------------------------------------------


def test_validate_says_one_step_one_phase_one_probe(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text("id: one\ntitle: One\nwindow: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}\n"
                    "checklists: {pre_deployment: [Ready]}\nsteps: [{id: a, title: A, duration: 5m}]\n"
                    "probes: [{name: db, tcp: '127.0.0.1:5432'}]\n")
    result = run("validate", path, WEB_CUTOVER)
    assert result.exit_code == 0, result.output
    one, many = result.output.splitlines()
    assert " · 1 step in 1 phase · 1 checklist item · 1 probe · " in one
    assert " · 27 steps in 8 phases · 44 checklist items · 4 probes · " in many


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_opens_at_the_current_minute():
    zone = timezone(timedelta(hours=1))
    assert demo_start(datetime(2026, 12, 1, 22, 7, 42, 123456, zone)) == datetime(2026, 12, 1, 22, 7, tzinfo=zone)
    assert demo_start(datetime(2026, 12, 1, 22, 14, 59, tzinfo=zone)).minute == 14


@pytest.fixture
def demo_folder(tmp_path, monkeypatch) -> Path:
    """Where the demo's throwaway folders go in this test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def console_stand_in(seen: dict):
    """In place of the full-screen console: writes what the console would (an event, a probe
    sample), notes what it was given, and closes the ledger as the console does."""

    def run_app(runbook, ledger: Ledger, demo=None, bell: bool = True, updates_file=None, **_options) -> None:
        with ledger:
            ledger.append("step.started", runbook.steps[0].id)
            ledger.record_samples([SampleRow("web", datetime.now(UTC), "UP", True, 12.0, "200", None)])
            seen.update(runbook=runbook, db=ledger.path, files={p.name for p in ledger.path.parent.iterdir()},
                        run=ledger.run, demo=demo)

    return run_app


def test_the_demo_removes_its_throwaway_ledger_when_it_ends(demo_folder, monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(cli, "_run_app", console_stand_in(seen))
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    result = run("demo")
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    assert {"web-cutover.sqlite", "web-cutover.samples.sqlite"} <= seen["files"]
    assert seen["db"].parent.parent == demo_folder and seen["run"] == "rehearsal-1" and seen["demo"] is not None
    assert not seen["db"].parent.exists() and list(demo_folder.iterdir()) == []
    assert result.output == ""
    start = seen["runbook"].window.start
    assert (start.second, start.microsecond) == (0, 0) and before <= start <= after
    assert seen["runbook"].sha256 == load_runbook(WEB_CUTOVER).sha256


def test_the_demo_keeps_its_ledger_when_asked_and_says_where(demo_folder, monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(cli, "_run_app", console_stand_in(seen))
    result = run("demo", "--keep")
    assert result.exit_code == 0, result.output
    assert result.output == f"The demo's ledger is kept in {seen['db']} (run rehearsal-1).\n"
    assert seen["db"].exists() and seen["db"].with_name("web-cutover.samples.sqlite").exists()
    kept = run("status", WEB_CUTOVER, "--db", seen["db"], "--run", "rehearsal-1", "--json")
    assert json.loads(kept.output)["progress"]["running"] == 1


def test_the_throwaway_ledger_goes_even_when_the_console_fails(demo_folder):
    with pytest.raises(RuntimeError), throwaway_ledger("billing", keep=False) as db:
        with Ledger.open(db, "billing", "ana") as ledger:
            ledger.append("note.added", "", {"text": "about to fail"})
        assert db.exists()
        raise RuntimeError("the console crashed")
    assert not db.exists() and list(demo_folder.iterdir()) == []
