"""The real `warroom` command on unsafe paths, damaged ledgers and archived (read-only) ledgers.

Each runs .venv/bin/warroom in a process of its own with HOME and XDG_DATA_HOME in the test's
folder. Root may write in a 0555 folder, so as root the archive is also tried on a read-only
mount (made in a mount namespace of the command's own: nothing outside it sees the mount).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import WEB_CUTOVER, pure_env
from test_store_private import NOBODY, ROOT, damage, make_special, mode, only_root

from warroom.store import Ledger

WARROOM = Path(sys.executable).with_name("warroom")
# mount FOLDER read-only in a mount namespace of its own, then run the command there
READ_ONLY_MOUNT = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"', "sh"]
CAN_MOUNT = ROOT and shutil.which("unshare") is not None and subprocess.run(
    ["unshare", "--mount", "true"], capture_output=True).returncode == 0
can_mount = pytest.mark.skipif(not CAN_MOUNT, reason="needs root and mount namespaces (unshare)")


def warroom(*args, home: Path, umask: int = -1, read_only: Path | None = None) -> subprocess.CompletedProcess:
    """Run the command; with `read_only`, that folder is a read-only mount for it."""
    env = pure_env(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), WARROOM_OPERATOR="tester")
    command = [str(WARROOM), *(str(a) for a in args)]
    if read_only is not None:
        command = [*READ_ONLY_MOUNT, str(read_only), *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=home, umask=umask)


def refused(proc: subprocess.CompletedProcess, words: str) -> None:
    """Exit 2 and one sentence on stderr, no traceback."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("warroom: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert words in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_ledger(path: Path, texts=("first note", "second note")) -> None:
    with Ledger.open(path, "web-cutover", "ana") as ledger:
        for text in texts:
            ledger.append("note.added", "", {"text": text})


def logged(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    return [e["body"]["text"] for e in json.loads(proc.stdout) if e["kind"] == "note.added"]


# --- private files and unsafe paths -------------------------------------------------------------

def test_under_umask_0_the_data_folder_node_id_and_ledger_are_private(tmp_path):
    proc = warroom("note", WEB_CUTOVER, "DNS lowered", home=tmp_path, umask=0)
    assert proc.returncode == 0, proc.stderr
    data = tmp_path / ".local" / "share" / "warroom"
    assert mode(data) == 0o700
    assert mode(data / "node-id") == 0o600
    assert mode(data / "web-cutover.sqlite") == 0o600


def test_db_naming_a_symlink_is_refused(tmp_path):
    real = tmp_path / "real.sqlite"
    write_ledger(real)
    link = tmp_path / "link.sqlite"
    link.symlink_to(real)
    before = digest(real)
    refused(warroom("note", WEB_CUTOVER, "via the link", "--db", link, home=tmp_path), "is a symbolic link")
    assert digest(real) == before


@pytest.mark.parametrize("kind", [pytest.param("character device", marks=only_root), "named pipe", "socket"])
def test_db_naming_a_device_pipe_or_socket_is_refused_before_anything_changes(tmp_path, kind):
    special = tmp_path / "special"
    make_special(kind, special)
    refused(warroom("status", WEB_CUTOVER, "--db", special, home=tmp_path), f"is a {kind}, not a ledger file")
    assert mode(special) == 0o666
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("special")) == ["special"]


@only_root
def test_db_naming_another_users_file_is_refused(tmp_path):
    path = tmp_path / "theirs.sqlite"
    write_ledger(path)
    os.chown(path, NOBODY, NOBODY)
    before = digest(path)
    refused(warroom("note", WEB_CUTOVER, "not mine", "--db", path, home=tmp_path), "belongs to another user")
    assert digest(path) == before


# --- a damaged ledger ---------------------------------------------------------------------------

def test_a_damaged_ledger_is_read_but_never_written(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path, "web-cutover", "ana", run="rehearsal-1") as rehearsal:
        rehearsal._append_many([("note.added", "", {"text": f"rehearsal note {n} " + "x" * 200}) for n in range(60)])
    write_ledger(path)
    damage(path, b"rehearsal note 3 ")
    before = digest(path)
    proc = warroom("note", WEB_CUTOVER, "lost?", "--db", path, home=tmp_path)
    refused(proc, f"warroom: {path} is damaged (")
    assert proc.stderr.rstrip().endswith("it was opened read-only: copy it aside and start a new ledger with --db, "
                                         f"or recover with `sqlite3 {path} .recover`.")
    assert logged(warroom("log", WEB_CUTOVER, "--db", path, "--json", home=tmp_path)) == ["first note", "second note"]
    assert warroom("status", WEB_CUTOVER, "--db", path, home=tmp_path).returncode == 0
    assert digest(path) == before


# --- archived (read-only) ledgers ---------------------------------------------------------------

def assert_readable_but_not_writable(path: Path, home: Path, reason: str, read_only: Path | None = None) -> None:
    before = digest(path)
    assert logged(warroom("log", WEB_CUTOVER, "--db", path, "--json", home=home, read_only=read_only)) == [
        "first note", "second note"]
    status = warroom("status", WEB_CUTOVER, "--db", path, "--json", home=home, read_only=read_only)
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    step, item = doc["steps"][0]["id"], doc["checklists"]["go_no_go"][0]["id"]
    for args in (("note", WEB_CUTOVER, "not recorded"), ("step", WEB_CUTOVER, step, "start"),
                 ("check", WEB_CUTOVER, item)):
        refused(warroom(*args, "--db", path, home=home, read_only=read_only), reason)
    assert digest(path) == before


def test_a_0444_ledger_can_be_inspected_but_not_written(tmp_path):
    path = tmp_path / "archive.sqlite"
    write_ledger(path)
    os.chmod(path, 0o444)
    assert_readable_but_not_writable(path, tmp_path, "is read-only (mode 0444), so it was opened for reading only")


def test_a_ledger_in_a_0555_folder_can_be_inspected_but_not_written(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    path = archive / "ledger.sqlite"
    write_ledger(path)
    os.chmod(archive, 0o555)
    try:
        assert_readable_but_not_writable(path, tmp_path, "is in a read-only folder")
    finally:
        os.chmod(archive, 0o700)


@can_mount
def test_a_ledger_on_a_read_only_mount_can_be_inspected_but_not_written(tmp_path):
    """SQLite cannot make the -shm file a WAL ledger needs there (not even for root)."""
    archive = tmp_path / "archive"
    archive.mkdir()
    path = archive / "ledger.sqlite"
    write_ledger(path)
    assert_readable_but_not_writable(path, tmp_path, "is on a read-only file system", read_only=archive)
    assert sorted(p.name for p in archive.iterdir()) == ["ledger.sqlite"]


@can_mount
def test_events_still_in_the_wal_on_a_read_only_mount_are_never_silently_skipped(tmp_path):
    """A copy taken while a writer had it open: the second note is only in the -wal file, which
    SQLite cannot read without making a -shm beside it. Showing the first note alone would hide
    what was recorded, so the command says so instead."""
    archive = tmp_path / "archive"
    archive.mkdir()
    live = tmp_path / "live.sqlite"
    with Ledger.open(live, "web-cutover", "ana") as ledger:
        ledger.append("note.added", "", {"text": "first note"})
        with sqlite3.connect(live) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        ledger.append("note.added", "", {"text": "second note"})
        shutil.copyfile(live, archive / "ledger.sqlite")
        shutil.copyfile(f"{live}-wal", archive / "ledger.sqlite-wal")
    path = archive / "ledger.sqlite"
    assert os.path.getsize(f"{path}-wal") > 0
    refused(warroom("log", WEB_CUTOVER, "--db", path, "--json", home=tmp_path, read_only=archive),
            "has events in ledger.sqlite-wal that cannot be read while its folder is read-only; "
            "copy both files to a writable folder and open the copy with --db.")
    assert logged(warroom("log", WEB_CUTOVER, "--db", path, "--json", home=tmp_path)) == ["first note", "second note"]
