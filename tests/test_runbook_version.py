"""The runbook's version is watched: a runbook edited between runs, or two operators on different
versions of it, is told by `status`, `validate --db` and the console, with what the ledger recorded
that the runbook in hand no longer has; nothing recorded is dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER, main_screen, until

from warroom.ops.loading import load_runbook
from warroom.ops.version import short
from warroom.store import Ledger
from warroom.tui.app import WarroomApp
from warroom.tui.cli import main
from warroom.tui.main_screen import VERSION_NOTICE_SECONDS
from warroom.widgets.header import DeploymentHeader

RENAMED_STEP = ("war-room-open", "open-war-room")
REWORDED_ITEM = ("pre_deployment/war-room-prepared", "pre_deployment/war-room-ready")


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def versions(tmp_path) -> tuple[Path, Path]:
    """Two versions of the web cutover: the old as bundled, the new with a checklist item reworded
    and a step renamed (and the step after it pointed at the new id)."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    text = WEB_CUTOVER.read_text()
    old.write_text(text)
    assert text.count("War room prepared") == 1 and text.count(RENAMED_STEP[0]) >= 2
    new.write_text(text.replace("War room prepared", "War room ready").replace(*RENAMED_STEP))
    return old, new


def record_with(runbook: Path, db: Path, operator: str = "ana") -> None:
    """Ana records the renamed step done, its neighbour skipped, and ticks the reworded item."""
    for args in (("step", runbook, RENAMED_STEP[0], "done"), ("step", runbook, "checklist-review", "skip", "--note", "done on paper"),
                 ("check", runbook, REWORDED_ITEM[0])):
        result = run(*args, "--db", db, "--operator", operator)
        assert result.exit_code == 0, result.output


def status(runbook: Path, db: Path) -> tuple[list[str], dict]:
    text = run("status", runbook, "--db", db)
    as_json = run("status", runbook, "--db", db, "--json")
    assert text.exit_code == 0 and as_json.exit_code == 0, text.output + as_json.output
    return text.output.splitlines(), json.loads(as_json.output)


def sha(path: Path) -> str:
    return load_runbook(path).sha256


def warnings(lines: list[str]) -> list[str]:
    return [line.removeprefix("warning: ") for line in lines if line.startswith("warning: ")]


def test_the_same_runbook_warns_of_nothing(versions, db_path):
    old, _ = versions
    record_with(old, db_path)
    lines, doc = status(old, db_path)
    assert warnings(lines) == []
    version = doc["runbook_version"]
    assert version["sha256"] == version["recorded_sha256"] == sha(old)
    assert (version["changed"], version["mixed"], version["summary"], version["warnings"]) == (False, False, "", [])
    assert version["not_in_runbook"] == {"steps": [], "ticks": []}
    assert [u["operator"] for u in version["operators"]] == ["ana"]


def test_status_with_an_edited_runbook_says_so_and_lists_what_no_longer_maps(versions, db_path):
    old, new = versions
    record_with(old, db_path)
    lines, doc = status(new, db_path)

    said = warnings(lines)
    assert said[0] == (f"this runbook ({short(sha(new))}) is not the one the run last recorded "
                       f"({short(sha(old))}, by ana)")
    assert f"step '{RENAMED_STEP[0]}' is recorded done, by ana, and this runbook has no such step" in said
    assert f"item '{REWORDED_ITEM[0]}' is ticked by ana, and this runbook has no such item" in said
    assert len(short(sha(new))) == 12 and short(sha(new)) in lines[2]
    assert lines.index(f"warning: {said[0]}") == 2  # right under the progress line

    version = doc["runbook_version"]
    assert (version["changed"], version["mixed"]) == (True, False)
    assert version["recorded_sha256"] == sha(old) and version["sha256"] == doc["runbook_sha256"] == sha(new)
    assert [(s["id"], s["status"], s["by"]) for s in version["not_in_runbook"]["steps"]] == [
        (RENAMED_STEP[0], "done", "ana")]
    assert [(t["id"], t["by"]) for t in version["not_in_runbook"]["ticks"]] == [(REWORDED_ITEM[0], "ana")]
    assert version["summary"] == (f"runbook changed: the run recorded {short(sha(old))}, this file is "
                                  f"{short(sha(new))}; 1 step and 1 tick recorded not in this runbook")
    # The step still in the runbook keeps its status; the renamed one starts afresh under its new id.
    steps = {s["id"]: s["status"] for s in doc["steps"]}
    assert steps["checklist-review"] == "skipped" and steps[RENAMED_STEP[1]] == "pending"
    assert not any(i["ticked"] for i in doc["checklists"]["pre_deployment"])


def test_nothing_recorded_is_dropped(versions, db_path):
    old, new = versions
    record_with(old, db_path)
    events_before = json.loads(run("log", old, "--db", db_path, "--json").output)
    status(new, db_path)
    # A write with the new runbook records which runbook it used, and changes nothing else.
    assert run("note", new, "moved to the new runbook", "--db", db_path, "--operator", "ana").exit_code == 0

    events = json.loads(run("log", new, "--db", db_path, "--json").output)
    assert events[: len(events_before)] == events_before
    assert [(e["kind"], e["body"].get("sha256")) for e in events[len(events_before):]] == [
        ("runbook.loaded", sha(new)), ("note.added", None)]
    _, with_old = status(old, db_path)  # the old file still sees its step done and its item ticked
    assert {s["id"]: s["status"] for s in with_old["steps"]}[RENAMED_STEP[0]] == "done"
    assert {i["id"]: i["ticked"] for i in with_old["checklists"]["pre_deployment"]}[REWORDED_ITEM[0]]
    # Everyone now on the new file: no change to report, but what it lacks is still listed.
    _, with_new = status(new, db_path)
    assert not with_new["runbook_version"]["changed"]
    assert [s["id"] for s in with_new["runbook_version"]["not_in_runbook"]["steps"]] == [RENAMED_STEP[0]]


def test_two_operators_on_different_versions_are_both_warned(versions, db_path):
    old, new = versions
    record_with(old, db_path, operator="ana")
    assert run("check", new, REWORDED_ITEM[1], "--db", db_path, "--operator", "lee").exit_code == 0
    old_sha, new_sha = short(sha(old)), short(sha(new))

    for mine in (old, new):
        lines, doc = status(mine, db_path)
        mine_is_old = mine == old
        listed = (f"{old_sha} (ana{'; this file' if mine_is_old else ''}) · "
                  f"{new_sha} (lee{'' if mine_is_old else '; this file'})")
        assert f"operators use different runbooks: {listed}" in warnings(lines)
        version = doc["runbook_version"]
        assert version["mixed"] is True
        assert [(u["operator"], u["sha256"]) for u in version["operators"]] == [("ana", sha(old)), ("lee", sha(new))]
        assert version["summary"].startswith(f"2 runbook versions in this run: {listed}")
        # Lee wrote last: only the old file differs from what the run last recorded.
        assert version["changed"] is mine_is_old
        # Each sees the tick the other made on an item it does not have.
        lost = REWORDED_ITEM[1] if mine_is_old else REWORDED_ITEM[0]
        assert lost in [t["id"] for t in version["not_in_runbook"]["ticks"]]


def test_validate_compares_with_the_ledger_and_writes_nothing(versions, db_path, tmp_path):
    old, new = versions
    record_with(old, db_path)
    count = len(json.loads(run("log", old, "--db", db_path, "--json").output))

    edited = run("validate", new, "--db", db_path)
    assert edited.exit_code == 0, edited.output
    lines = edited.output.splitlines()
    assert lines[0].startswith(f"{new}: ok · web-cutover")
    assert f"{new}: warning: this runbook ({short(sha(new))}) is not the one the run last recorded" in edited.output
    assert f"{new}: warning: step '{RENAMED_STEP[0]}' is recorded done" in edited.output
    assert f"{new}: warning: item '{REWORDED_ITEM[0]}' is ticked by ana" in edited.output

    same = run("validate", old, "--db", db_path)
    assert same.output.splitlines()[1:] == [f"{old}: run 'live' in {db_path} last recorded this runbook "
                                            f"({short(sha(old))})"]
    other_run = run("validate", new, "--db", db_path, "--run", "rehearsal-1")
    assert other_run.output.splitlines()[1:] == [f"{new}: run 'rehearsal-1' in {db_path} has recorded no runbook yet"]
    without_db = run("validate", new)
    assert "warning" not in without_db.output and len(without_db.output.splitlines()) == 1

    assert len(json.loads(run("log", old, "--db", db_path, "--json").output)) == count

    missing = tmp_path / "missing.sqlite"
    result = run("validate", new, "--db", missing)
    assert result.exit_code == 2 and "does not exist" in result.output and "Traceback" not in result.output
    assert not missing.exists()


def test_runbook_loads_are_each_operators_latest_in_this_run(open_ledger):
    ana = open_ledger("ana", runbook_sha256="a" * 64)
    ana.append("note.added", "", {"text": "first"})
    lee = open_ledger("lee", runbook_sha256="b" * 64)
    lee.append("note.added", "", {"text": "lee"})
    elsewhere = open_ledger("kim", run="rehearsal-1", runbook_sha256="c" * 64)
    elsewhere.append("note.added", "", {"text": "another run"})
    ana_again = open_ledger("ana", runbook_sha256="d" * 64)
    ana_again.append("note.added", "", {"text": "with an edited file"})

    loads = ana.runbook_loads()
    assert [(e.operator, e.body["sha256"][0]) for e in loads] == [("lee", "b"), ("ana", "d")]
    assert [e.operator for e in elsewhere.runbook_loads()] == ["kim"]


# --- the console ----------------------------------------------------------------------------------


async def test_the_console_warns_when_it_opens_on_another_version(versions, db_path):
    old, new = versions
    runbook, recorded = load_runbook(new), load_runbook(old)
    with Ledger.open(db_path, recorded.id, "ana", run="live", runbook_sha256=recorded.sha256) as ana:
        ana.append("step.done", RENAMED_STEP[0])
        ana.append("check.ticked", REWORDED_ITEM[0])
    ledger = Ledger.open(db_path, runbook.id, "tester", run="live", runbook_sha256=runbook.sha256)
    app = WarroomApp(runbook, ledger, probes=False, follow_ledger=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(pilot, lambda: app.screen.query("Toast"), "the notice on screen")
        notice = next(n for n in app._notifications if n.severity == "warning")
        assert notice.title == "⚠ Runbook version" and notice.timeout == VERSION_NOTICE_SECONDS
        first, listed = notice.message.splitlines()[:2]
        assert first == (f"this runbook ({short(runbook.sha256)}) is not the one the run last recorded "
                         f"({short(recorded.sha256)}, by ana)")
        assert listed == f"recorded, not in this runbook: step {RENAMED_STEP[0]} (done, ana) · item {REWORDED_ITEM[0]} (ticked, ana)"
        header = main_screen(app).query_one(DeploymentHeader)
        assert "⚠ runbook" in header.lines[1]  # and the header keeps saying it
    ledger.close()


async def test_the_console_says_nothing_on_the_runbook_the_run_recorded(console, web_cutover):
    with Ledger.open(console.db_path, web_cutover.id, "ana", run="rehearsal-1",
                     runbook_sha256=web_cutover.sha256) as ana:
        ana.append("step.done", "war-room-open")
    async with console.run() as ui:
        assert not ui.screen.snapshot.version.warns and ui.screen.snapshot.version.summary() == ""
        assert "⚠" not in "".join(ui.screen.query_one(DeploymentHeader).lines)
        assert not [n for n in ui.app._notifications if n.severity == "warning"]
