"""The command line: exit codes, JSON shapes, did-you-mean, and nothing lost on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from support import SAMPLES, WEB_CUTOVER, pure_env

from warroom.tui.cli import main


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def status_json(db) -> dict:
    result = run("status", WEB_CUTOVER, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_validate_all_samples_ok():
    result = run("validate", *sorted(SAMPLES.glob("*.yaml")))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if ": ok" in line]
    assert len(lines) == 3
    assert "warning" not in result.output


def test_validate_bad_file_exits_2_with_location(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(WEB_CUTOVER.read_text().replace("duration:", "duraton:", 1))
    result = run("validate", WEB_CUTOVER, bad)
    assert result.exit_code == 2
    assert "web-cutover.yaml: ok" in result.output
    assert f"{bad}:" in result.output and "did you mean 'duration'" in result.output


def test_status_json_shape_on_a_new_ledger(db_path):
    doc = status_json(db_path)
    for key in ("deployment", "runbook_sha256", "state_hash", "progress", "steps", "checklists"):
        assert key in doc
    assert doc["deployment"] == "web-cutover"
    assert doc["progress"]["done"] == 0 and doc["progress"]["total"] == len(doc["steps"]) > 0
    first = doc["steps"][0]
    assert set(first) >= {"id", "title", "owner", "status", "started_at", "finished_at", "by"}
    assert {s["status"] for s in doc["steps"]} == {"pending"}
    assert set(doc["checklists"]) == {"pre_deployment", "go_no_go", "post_deployment", "smoke_tests"}
    assert len(doc["checklists"]["smoke_tests"]) == 10
    item = doc["checklists"]["pre_deployment"][0]
    assert set(item) >= {"id", "text", "ticked", "by", "at"} and item["ticked"] is False


def test_step_lifecycle_and_check_are_recorded(db_path):
    doc = status_json(db_path)
    first, second = doc["steps"][0]["id"], doc["steps"][1]["id"]
    assert run("step", WEB_CUTOVER, first, "start", "--db", db_path).exit_code == 0
    assert run("step", WEB_CUTOVER, first, "done", "--db", db_path, "--note", "clean").exit_code == 0
    assert run("step", WEB_CUTOVER, second, "fail", "--db", db_path, "--note", "timeout").exit_code == 0
    item = doc["checklists"]["go_no_go"][0]["id"]
    assert run("check", WEB_CUTOVER, item, "--db", db_path).exit_code == 0

    after = status_json(db_path)
    steps = {s["id"]: s for s in after["steps"]}
    assert steps[first]["status"] == "done" and steps[first]["by"] == "tester"
    assert steps[first]["started_at"] and steps[first]["finished_at"]
    assert steps[second]["status"] == "failed"
    assert after["progress"]["done"] == 1
    assert after["headline"] == "BLOCKED"
    ticked = [i for i in after["checklists"]["go_no_go"] if i["ticked"]]
    assert [i["id"] for i in ticked] == [item] and ticked[0]["by"] == "tester"
    assert after["state_hash"] != doc["state_hash"]

    assert run("check", WEB_CUTOVER, item, "--untick", "--db", db_path).exit_code == 0
    assert not any(i["ticked"] for i in status_json(db_path)["checklists"]["go_no_go"])


def test_repeating_an_action_records_nothing(db_path):
    step = status_json(db_path)["steps"][0]["id"]
    run("step", WEB_CUTOVER, step, "done", "--db", db_path)
    again = run("step", WEB_CUTOVER, step, "done", "--db", db_path)
    assert again.exit_code == 0 and "nothing recorded" in again.output
    kinds = [e["kind"] for e in json.loads(run("log", WEB_CUTOVER, "--db", db_path, "--json").output)]
    assert kinds.count("step.done") == 1


def test_check_accepts_short_item_id(db_path):
    item = status_json(db_path)["checklists"]["smoke_tests"][0]["id"]
    result = run("check", WEB_CUTOVER, item.split("/", 1)[1], "--db", db_path)
    assert result.exit_code == 0, result.output
    assert status_json(db_path)["checklists"]["smoke_tests"][0]["ticked"]


def test_unknown_step_suggests_and_records_nothing(db_path):
    step = status_json(db_path)["steps"][0]["id"]
    before = status_json(db_path)["state_hash"]
    result = run("step", WEB_CUTOVER, step[:-1] + "X", "done", "--db", db_path)
    assert result.exit_code == 2
    assert f"did you mean '{step}'" in result.output
    assert status_json(db_path)["state_hash"] == before


def test_unknown_item_exits_2(db_path):
    result = run("check", WEB_CUTOVER, "pre_deployment/no-such-thing", "--db", db_path)
    assert result.exit_code == 2 and "has no checklist item" in result.output


def test_log_is_oldest_first_with_json_fields(db_path):
    steps = [s["id"] for s in status_json(db_path)["steps"][:3]]
    for step in steps:
        run("step", WEB_CUTOVER, step, "done", "--db", db_path)
    events = json.loads(run("log", WEB_CUTOVER, "--db", db_path, "--json").output)
    done = [e for e in events if e["kind"] == "step.done"]
    assert [e["subject"] for e in done] == steps
    assert [e["hlc"] for e in events] == sorted(e["hlc"] for e in events)
    assert {"id", "operator", "seq", "prev", "hlc", "kind", "subject", "body"} <= set(events[0])
    text = run("log", WEB_CUTOVER, "--db", db_path)
    assert text.exit_code == 0 and text.output.index(steps[0]) < text.output.index(steps[2])


def test_note_is_logged(db_path):
    step = status_json(db_path)["steps"][0]["id"]
    assert run("note", WEB_CUTOVER, "DNS TTL lowered to 60s", "--step", step, "--db", db_path).exit_code == 0
    events = json.loads(run("log", WEB_CUTOVER, "--db", db_path, "--json").output)
    assert events[-1]["kind"] == "note.added" and events[-1]["body"]["text"] == "DNS TTL lowered to 60s"


def test_operator_flag_and_env(db_path, monkeypatch):
    step = status_json(db_path)["steps"][0]["id"]
    run("step", WEB_CUTOVER, step, "start", "--db", db_path, "--operator", "ana")
    assert status_json(db_path)["steps"][0]["by"] == "ana"
    monkeypatch.setenv("WARROOM_OPERATOR", "lee")
    run("step", WEB_CUTOVER, step, "done", "--db", db_path)
    assert status_json(db_path)["steps"][0]["by"] == "lee"


def test_db_from_env_and_default_location(db_path, monkeypatch, isolated_env):
    monkeypatch.setenv("WARROOM_DB", str(db_path))
    step = status_json(db_path)["steps"][0]["id"]
    run("step", WEB_CUTOVER, step, "done")
    assert status_json(db_path)["progress"]["done"] == 1
    monkeypatch.delenv("WARROOM_DB")
    run("step", WEB_CUTOVER, step, "start")
    assert (isolated_env / "warroom" / "web-cutover.sqlite").exists()


def test_foreign_database_is_refused_and_kept(db_path, tmp_path):
    step = status_json(db_path)["steps"][0]["id"]
    run("step", WEB_CUTOVER, step, "done", "--db", db_path)
    other = tmp_path / "other.yaml"
    other.write_text(WEB_CUTOVER.read_text().replace("id: web-cutover", "id: other-cutover", 1))
    result = run("status", other, "--db", db_path)
    assert result.exit_code == 2
    assert "web-cutover" in result.output and "--db" in result.output
    assert status_json(db_path)["progress"]["done"] == 1


def test_unwritable_database_location_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run("status", WEB_CUTOVER, "--db", blocker / "sub" / "x.sqlite")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.startswith("warroom: ") and result.output.count("\n") == 1


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["validate", "missing.yaml"], "missing.yaml:1:1"),
        (["status", "missing.yaml"], "missing.yaml:1:1"),
        (["step", str(WEB_CUTOVER), "nope", "done"], "has no step 'nope'"),
    ],
)
def test_real_process_exit_2_without_traceback(args, phrase, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "warroom", *args, "--db", str(tmp_path / "x.sqlite")] if args[0] != "validate" else [sys.executable, "-m", "warroom", *args],
        capture_output=True,
        text=True,
        env=pure_env(),
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert phrase in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_debug_shows_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "warroom", "step", str(WEB_CUTOVER), "nope", "done", "--db", str(tmp_path / "x.sqlite"), "--debug"],
        capture_output=True,
        text=True,
        env=pure_env(),
    )
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_step_refuses_what_the_console_would_ask_about_unless_forced_with_a_note(tmp_path):
    """verify-green depends on two pending steps: refused (exit 2, naming them); --force needs
    --note; forced with a note, the event records what was overridden; fail and skip need a note."""
    db = ["--db", str(tmp_path / "l.sqlite")]
    refused = run("step", str(WEB_CUTOVER), "verify-green", "start", *db)
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "(db-migrate), still pending" in refused.output and "--force" in refused.output
    assert run("step", str(WEB_CUTOVER), "verify-green", "start", "--force", *db).exit_code == 2
    forced = run("step", str(WEB_CUTOVER), "verify-green", "start", "--force", "--note", "CAB said go", *db)
    assert forced.exit_code == 0, forced.output
    events = json.loads(run("log", str(WEB_CUTOVER), "--json", *db).output)
    started = [e for e in events if e["kind"] == "step.started"]
    assert started[0]["body"]["note"] == "CAB said go" and "(db-migrate), still pending" in started[0]["body"]["override"]
    for action in ("fail", "skip"):
        unexplained = run("step", str(WEB_CUTOVER), "war-room-open", action, *db)
        assert unexplained.exit_code == 2 and "--note" in unexplained.output
    assert run("step", str(WEB_CUTOVER), "war-room-open", "skip", "--note", "bridge was open", *db).exit_code == 0
