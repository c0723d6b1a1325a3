"""`warroom sync`, `warroom keys show` and `keys trust` on real ledgers and a real folder export:
two operators (each their own data folder, so their own device key) converge; bad exports are one
sentence and exit 2."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner
from support import WEB_CUTOVER

from warroom.tui.cli import main


def run(*args, data=None, monkeypatch=None):
    if data is not None:
        monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return CliRunner().invoke(main, [str(a) for a in args])


def key_of(tmp_path, monkeypatch, who):
    result = run("keys", "show", "--operator", who, data=tmp_path / f"data-{who}", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[0]
    assert line.startswith("key: ed25519:") and who in result.output
    return line.removeprefix("key: ")


def test_two_operators_sync_through_a_folder(tmp_path, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    ana_key, bob_key = key_of(tmp_path, monkeypatch, "ana"), key_of(tmp_path, monkeypatch, "bob")
    assert ana_key != bob_key and key_of(tmp_path, monkeypatch, "ana") == ana_key  # one key per device, kept
    for who, other, key in (("ana", "bob", bob_key), ("bob", "ana", ana_key)):
        trusted = run("keys", "trust", other, key, data=tmp_path / f"data-{who}", monkeypatch=monkeypatch)
        assert trusted.exit_code == 0 and "trusted: " + other in trusted.output
    ana = ("--db", tmp_path / "ana.sqlite", "--operator", "ana", "--export", share)
    bob = ("--db", tmp_path / "bob.sqlite", "--operator", "bob", "--export", share)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-ana"))
    assert run("step", WEB_CUTOVER, "war-room-open", "start", *ana[:4]).exit_code == 0
    result = run("sync", WEB_CUTOVER, *ana, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["exported"] == 2  # the runbook it used, then the step
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-bob"))
    assert run("note", WEB_CUTOVER, "bob on the jump host", *bob[:4]).exit_code == 0
    result = run("sync", WEB_CUTOVER, *bob)
    assert result.exit_code == 0, result.output
    assert "published 2 events, imported 2 events" in result.output
    status = json.loads(run("status", WEB_CUTOVER, *bob[:4], "--json").output)
    assert status["steps"][0]["status"] == "in_progress"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-ana"))
    assert run("sync", WEB_CUTOVER, *ana).exit_code == 0
    log = run("log", WEB_CUTOVER, *ana[:4]).output
    assert "bob on the jump host" in log


def test_an_untrusted_peer_is_quarantined_and_said_so(tmp_path, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-eve"))
    run("note", WEB_CUTOVER, "hello", "--db", tmp_path / "eve.sqlite", "--operator", "eve")
    run("sync", WEB_CUTOVER, "--db", tmp_path / "eve.sqlite", "--operator", "eve", "--export", share)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-ana"))
    result = run("sync", WEB_CUTOVER, "--db", tmp_path / "ana.sqlite", "--operator", "ana", "--export", share, "--json")
    doc = json.loads(result.output)
    assert result.exit_code == 0 and doc["quarantined"] == 2 and doc["imported"] == 0
    assert doc["problems"][0]["operator"] == "eve" and not doc["problems"][0]["alarm"]


def test_a_wrong_export_is_one_sentence_and_exit_2(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    db = ("--db", tmp_path / "ana.sqlite")
    for export, words in ((a_file, "is a file, not a folder"), (tmp_path / "absent", "is not there"),
                          (f"git:{tmp_path / 'nothing.git'}", "does not answer")):
        result = run("sync", WEB_CUTOVER, *db, "--export", export)
        assert result.exit_code == 2, result.output
        assert words in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    result = run("sync", WEB_CUTOVER, *db)
    assert result.exit_code == 2 and "no export is named" in result.output


def test_the_export_can_come_from_the_environment_or_the_config_file(tmp_path, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    db = ("--db", tmp_path / "ana.sqlite")
    monkeypatch.setenv("WARROOM_EXPORT", str(share))
    assert run("sync", WEB_CUTOVER, *db).exit_code == 0
    monkeypatch.delenv("WARROOM_EXPORT")
    config = tmp_path / "config"
    (config / "warroom").mkdir(parents=True)
    (config / "warroom" / "config.yaml").write_text(f"export: {tmp_path / 'absent'}\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    result = run("sync", WEB_CUTOVER, *db)
    assert result.exit_code == 2 and "absent" in result.output


def test_keys_trust_refuses_what_is_not_a_key(tmp_path):
    result = run("keys", "trust", "bob", "not-a-key")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_git_export_works_from_the_command_line(tmp_path, monkeypatch):
    bare = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    db = ("--db", tmp_path / "ana.sqlite", "--operator", "ana")
    run("note", WEB_CUTOVER, "over git", *db)
    result = run("sync", WEB_CUTOVER, *db, "--export", f"git:{bare}", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["exported"] == 2
    refs = subprocess.run(["git", "--git-dir", str(bare), "for-each-ref", "--format=%(refname)"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert len(refs) == 1 and refs[0].startswith("refs/warroom/web-cutover/ana.")


def test_operators_on_different_runbooks_are_told_after_a_sync(tmp_path, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    edited = tmp_path / "web-cutover.yaml"
    edited.write_text(WEB_CUTOVER.read_text().replace("duration: 15m", "duration: 20m", 1))
    keys = {who: key_of(tmp_path, monkeypatch, who) for who in ("ana", "bob")}
    for who, other in (("ana", "bob"), ("bob", "ana")):
        run("keys", "trust", other, keys[other], data=tmp_path / f"data-{who}", monkeypatch=monkeypatch)
    for who, runbook in (("ana", WEB_CUTOVER), ("bob", edited)):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / f"data-{who}"))
        db = ("--db", tmp_path / f"{who}.sqlite", "--operator", who)
        assert run("note", runbook, f"{who} here", *db).exit_code == 0
        assert run("sync", runbook, *db, "--export", share).exit_code == 0
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-ana"))
    run("sync", WEB_CUTOVER, "--db", tmp_path / "ana.sqlite", "--operator", "ana", "--export", share)
    status = run("status", WEB_CUTOVER, "--db", tmp_path / "ana.sqlite", "--operator", "ana").output
    assert "operators use different runbooks" in status and "ana" in status and "bob" in status
