"""The rollback branch outside the console's flows (issue 10, item 3): `warroom rollback` (the plan,
one action, bad input), the "rollback" part of `warroom status --json`, the header's rollback time
fitted to the width, and the Gantt strip's point of no return."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER, ManualClock

from warroom.ops.actions import record_step
from warroom.ops.decisions import record_decision
from warroom.ops.rollback import record_rollback
from warroom.ops.status import rollback_document, status_document
from warroom.runbook.forecast import forecast
from warroom.tui import rows
from warroom.tui.cli import main
from warroom.vocabulary import Decision
from warroom.widgets.header import DeploymentHeader
from warroom.widgets.timeline import GANTT, NO_RETURN_GLYPH, GanttBar, gantt_text, gantt_title

DONE_IN_ORDER = ("deploy-green", "db-migrate", "update-config", "verify-green")  # verify-green: nothing to undo


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def day(open_ledger, web_cutover, clock):
    """Bob's ledger on the file the command line reads (run 'live'), the four steps done from 09:00."""
    ledger = open_ledger("bob", deployment=web_cutover.id, run="live")
    clock.at("09:00")
    for step_id in DONE_IN_ORDER:
        for action in ("start", "done"):
            clock.advance(timedelta(minutes=5))
            record_step(ledger, web_cutover, ledger.state(), step_id, action)
    return ledger


def decide_rollback(ledger, runbook, clock: ManualClock) -> None:
    clock.at("13:10")
    record_decision(ledger, runbook, ledger.state(), Decision.ROLLBACK, "error rate 4%")


def rollback_events(ledger) -> list[str]:
    return [e.kind for e in ledger.events() if e.kind.startswith("rollback.")]


# --- warroom rollback ---------------------------------------------------------------------------


def test_the_plan_lists_each_rollback_newest_first_with_its_command_and_the_time(day, db_path):
    result = run("rollback", WEB_CUTOVER, "--db", db_path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Rollback plan (not decided")
    numbered = [line.split()[1] for line in lines if line.strip()[:2] in ("1.", "2.", "3.", "4.")]
    assert numbered == ["update-config", "db-migrate", "deploy-green"]
    assert "       $ helm uninstall billing-green --namespace billing" in lines
    assert any("db-migrate" in line and "↶ 20m" in line and "○ pending" in line for line in lines)
    assert lines[-1].startswith("Time needed now: 55m · ")  # 15m + 20m + 20m


def test_one_action_at_a_time_to_the_end_of_the_branch(day, db_path, web_cutover, clock):
    decide_rollback(day, web_cutover, clock)
    assert run("rollback", WEB_CUTOVER, "update-config", "start", "--db", db_path, "--operator", "cam").exit_code == 0
    result = run("rollback", WEB_CUTOVER, "update-config", "done", "--db", db_path, "--operator", "cam")
    assert result.exit_code == 0, result.output
    assert "rollback done" in result.output
    again = run("rollback", WEB_CUTOVER, "update-config", "done", "--db", db_path)
    assert again.exit_code == 0 and "already done; nothing recorded" in again.output
    plan = run("rollback", WEB_CUTOVER, "--db", db_path).output
    assert plan.splitlines()[0].startswith("ROLLBACK started 13:10 by bob")
    assert "✔ done by cam" in plan
    for step_id in ("db-migrate", "deploy-green"):
        assert run("rollback", WEB_CUTOVER, step_id, "done", "--db", db_path).exit_code == 0
    assert "rolled back at" in run("rollback", WEB_CUTOVER, "--db", db_path).output.splitlines()[0]
    assert rollback_events(day) == ["rollback.started", "rollback.done", "rollback.done", "rollback.done"]


@pytest.mark.parametrize(("args", "says"), [
    (("verify-green", "start"), "is not on the rollback branch"),
    (("go-live-announcement", "start"), "is not on the rollback branch"),
    (("db-migrate", "fail"), "the note is empty; say what failed in the rollback"),
    (("db-migrate", "fail", "--note", "  "), "the note is empty"),
    (("db-migrat", "start"), "did you mean 'db-migrate'"),
    (("db-migrate",), "say what to record"),
])
def test_bad_input_is_one_sentence_exit_2_and_nothing_recorded(day, db_path, web_cutover, clock, args, says):
    decide_rollback(day, web_cutover, clock)
    result = run("rollback", WEB_CUTOVER, *args, "--db", db_path)
    assert result.exit_code == 2
    assert says in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert rollback_events(day) == []


def test_no_action_before_the_go_live_decision_is_rollback(day, db_path):
    result = run("rollback", WEB_CUTOVER, "db-migrate", "start", "--db", db_path)
    assert result.exit_code == 2
    assert "decide first: warroom decide" in result.output and " rollback." in result.output
    assert rollback_events(day) == []


# --- status --json --------------------------------------------------------------------------------


def test_status_json_reports_the_rollback(day, db_path, web_cutover, clock):
    doc = json.loads(run("status", WEB_CUTOVER, "--db", db_path, "--json").output)["rollback"]
    assert doc["decided"] is False and doc["started_at"] is None and doc["ended_at"] is None
    assert doc["time_needed_seconds"] == 55 * 60
    assert [s["id"] for s in doc["steps"]] == ["update-config", "db-migrate", "deploy-green"]
    decide_rollback(day, web_cutover, clock)
    clock.at("13:20")
    record_rollback(day, web_cutover, day.state(), "update-config", "start")
    clock.at("13:30")
    record_rollback(day, web_cutover, day.state(), "update-config", "done")
    doc = status_document(web_cutover, day, clock.now())["rollback"]
    assert (doc["decided"], doc["started_at"], doc["ended_at"]) == (True, "2026-11-28T13:10:00+01:00", None)
    assert doc["time_needed_seconds"] == 40 * 60 and doc["fits"] is True
    first = doc["steps"][0]
    assert first == {"id": "update-config", "status": "done", "by": "bob", "started_at": "2026-11-28T13:20:00+01:00",
                     "finished_at": "2026-11-28T13:30:00+01:00"}
    assert doc["steps"][1]["status"] == "pending" and doc["steps"][1]["started_at"] is None
    for step_id in ("db-migrate", "deploy-green"):
        clock.advance(timedelta(minutes=20))
        record_rollback(day, web_cutover, day.state(), step_id, "done")
    assert rollback_document(web_cutover, day.state(), clock.now())["ended_at"] == "2026-11-28T14:10:00+01:00"


def test_the_rollback_fits_until_it_would_end_after_the_window(day, web_cutover, clock):
    state = day.state()
    assert rollback_document(web_cutover, state, clock.at("17:05"))["fits"] is True  # 55m: ends 18:00
    assert rollback_document(web_cutover, state, clock.at("17:06"))["fits"] is False


# --- the header and the Gantt strip ----------------------------------------------------------------


async def test_the_header_part_gives_way_at_narrow_widths(hosted, day, web_cutover, clock):
    clock.at("10:00")
    state = day.state()
    info = rows.header_info(web_cutover, state, forecast(web_cutover, {}, clock.now()), "live", "bob",
                            now=clock.now())
    async with hosted(DeploymentHeader(clock.now), size=(160, 4)) as (header, pilot):
        header.info = info
        await pilot.pause()
        assert "↶ 55m fits" in header.lines[1]
        await pilot.resize_terminal(60, 4)
        await pilot.pause()
        assert "↶" not in header.lines[1]
        assert "end " in header.lines[1]  # the forecast end stays


def test_the_gantt_marks_the_point_of_no_return_in_every_row_and_its_title(web_cutover):
    column = rows.no_return_column(web_cutover)
    assert column == GANTT * 6 // 10  # 14:00 in 08:00-18:00
    empty = gantt_text(GanttBar((0, 2), None, -1, column), "", "")
    assert empty.plain[column] == NO_RETURN_GLYPH and empty.plain.count(NO_RETURN_GLYPH) == 1
    covered = gantt_text(GanttBar((column - 1, column + 2), None, -1, column), "", "")
    assert NO_RETURN_GLYPH not in covered.plain  # a step's span is drawn over it
    title = gantt_title(column).plain
    assert title.startswith("Window") and title[column] == NO_RETURN_GLYPH and "no return" in title
    late = gantt_title(GANTT - 2).plain  # no room after it: the word goes before
    assert late[GANTT - 2] == NO_RETURN_GLYPH and late.index("no return") < GANTT - 2
    assert NO_RETURN_GLYPH not in gantt_title(None).plain
