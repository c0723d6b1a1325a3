"""Private files and unsafe paths, damaged ledgers and read-only (archived) ledgers, in the store.

The same through the command line is in test_cli_ledger_safety.py.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import stat
from pathlib import Path

import pytest

import warroom.store.opening as opening
from warroom.store import LedgerError, node_id
from warroom.store.identity import data_dir
from warroom.store.private import NotPrivateFile, read_private_file, write_private_file

ROOT = os.geteuid() == 0
NOBODY = 65534
only_root = pytest.mark.skipif(not ROOT, reason="only root can give a file to another user or make a device")


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def beside(path: Path) -> list[str]:
    """What is in the ledger's folder, by name."""
    return sorted(p.name for p in path.parent.iterdir())


class umask:
    """`with umask(0):` for code that creates files; the old umask comes back whatever happens."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __enter__(self) -> None:
        self.old = os.umask(self.value)

    def __exit__(self, *exc_info: object) -> None:
        os.umask(self.old)


def damage(path: Path, marker: bytes) -> None:
    """Write garbage over the cell pointers of the page holding `marker` (never page 1, the header):
    the file still opens, and only what is on that page is lost to reads."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    page = data.index(marker) // page_size
    assert page > 0
    start = page * page_size + 8  # past the leaf page's header: its cell pointer array
    data[start:start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_ledger(open_ledger, db_path) -> Path:
    """A closed ledger whose old rehearsal events sit on a page full of garbage; the live run's
    events (four notes) are intact and readable."""
    with open_ledger(run="rehearsal-1") as rehearsal:
        rehearsal._append_many([("note.added", "", {"text": f"rehearsal note {n} " + "x" * 200}) for n in range(60)])
    with open_ledger() as live:
        for n in range(4):
            live.append("note.added", "", {"text": f"live note {n}"})
    damage(db_path, b"rehearsal note 3 ")
    conn = sqlite3.connect(db_path)
    assert opening.integrity_problem(conn, db_path)  # quick_check fails (or raises "malformed")
    conn.close()
    return db_path


# --- private files ------------------------------------------------------------------------------

@pytest.mark.parametrize("mask", [0o000, 0o022, 0o277])
def test_the_data_folder_and_node_id_are_private_whatever_the_umask(isolated_env, mask):
    with umask(mask):
        node_id()
    assert data_dir() == isolated_env / "warroom"
    assert mode(data_dir()) == 0o700
    assert mode(isolated_env) == 0o700  # a parent we made is no wider
    assert mode(data_dir() / "node-id") == 0o600


def test_an_existing_data_folder_keeps_its_mode(isolated_env):
    data_dir().mkdir(parents=True)
    os.chmod(data_dir(), 0o750)
    node_id()
    assert mode(data_dir()) == 0o750
    assert mode(data_dir() / "node-id") == 0o600


def test_the_default_ledger_folder_is_private_under_umask_0(open_ledger, isolated_env):
    with umask(0):
        open_ledger(path=data_dir() / "billing.sqlite", node=None).append("note.added", "", {"text": "hi"})
    assert mode(data_dir()) == 0o700
    assert {name: mode(data_dir() / name) for name in os.listdir(data_dir())} == {
        name: 0o600 for name in ("node-id", "billing.sqlite", "billing.sqlite-wal", "billing.sqlite-shm")}


def test_a_private_file_replaces_a_symlink_instead_of_writing_through_it(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("someone else's file\n")
    key = tmp_path / "keys" / "signing.key"
    key.parent.mkdir()
    key.symlink_to(target)
    write_private_file(key, b"secret\n")
    assert target.read_text() == "someone else's file\n"
    assert not key.is_symlink() and key.read_bytes() == b"secret\n" and mode(key) == 0o600
    assert os.listdir(key.parent) == ["signing.key"]  # no temporary file left


def test_a_private_file_is_read_bounded_and_never_through_a_symlink(tmp_path):
    key = tmp_path / "signing.key"
    write_private_file(key, b"0123456789")
    assert read_private_file(key, 100) == b"0123456789"
    assert read_private_file(key, 4) == b"01234"  # limit + 1: the caller sees it is too long
    link = tmp_path / "link.key"
    link.symlink_to(key)
    with pytest.raises(OSError):
        read_private_file(link, 100)
    with pytest.raises(NotPrivateFile):
        read_private_file(tmp_path, 100)
    with pytest.raises(FileNotFoundError):
        read_private_file(tmp_path / "absent.key", 100)


# --- paths that are not a ledger of ours ---------------------------------------------------------

def test_a_symlink_is_refused_and_its_target_left_alone(open_ledger, tmp_path):
    real = tmp_path / "real.sqlite"
    with open_ledger(path=real) as ledger:
        ledger.append("step.done", "backup")
    link = tmp_path / "link.sqlite"
    link.symlink_to(real)
    before = digest(real), beside(real)
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=link)
    assert str(caught.value) == (f"{link} is a symbolic link, which warroom does not follow (it could be pointed "
                                 "elsewhere); pass --db with the real file.")
    assert (digest(real), beside(real)) == before


def test_a_dangling_symlink_is_refused_and_nothing_is_created(open_ledger, tmp_path):
    link = tmp_path / "link.sqlite"
    link.symlink_to(tmp_path / "would-be-created.sqlite")
    with pytest.raises(LedgerError, match="is a symbolic link"):
        open_ledger(path=link)
    assert beside(link) == ["link.sqlite"]


@only_root
def test_another_users_ledger_is_refused_untouched(open_ledger, db_path):
    open_ledger(path=db_path).close()
    os.chown(db_path, NOBODY, NOBODY)
    os.chmod(db_path, 0o644)
    before = digest(db_path), beside(db_path)
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=db_path)
    assert str(caught.value) == (f"{db_path} belongs to another user (uid {NOBODY}), so warroom will not use it; "
                                 "pass --db with a file of your own, or copy it and open the copy.")
    assert (digest(db_path), beside(db_path), mode(db_path)) == (*before, 0o644)


def make_special(kind: str, path: Path) -> None:
    if kind == "character device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.stat("/dev/null").st_rdev)
    elif kind == "named pipe":
        os.mkfifo(path, 0o666)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()  # the socket file stays
    else:
        path.mkdir(mode=0o777)
    os.chmod(path, 0o666 if kind != "folder" else 0o777)


@pytest.mark.parametrize("kind", [
    pytest.param("character device", marks=only_root), "named pipe", "socket", "folder"])
def test_anything_but_a_regular_file_is_refused_before_anything_changes(open_ledger, tmp_path, kind):
    special = tmp_path / "special"
    make_special(kind, special)
    before = beside(special), os.lstat(special)
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=special)
    assert str(caught.value).startswith(f"{special} is a {kind}, not a ledger file; pass --db with a file")
    after = os.lstat(special)
    assert beside(special) == before[0]  # no -journal or -wal beside it
    assert (after.st_mode, after.st_mtime_ns, after.st_ctime_ns) == (before[1].st_mode, before[1].st_mtime_ns,
                                                                      before[1].st_ctime_ns)  # no chmod


def test_a_symlink_where_the_wal_file_goes_is_refused(open_ledger, db_path, tmp_path):
    open_ledger().close()
    target = tmp_path / "victim"
    target.write_text("do not overwrite\n")
    Path(f"{db_path}-wal").symlink_to(target)
    with pytest.raises(LedgerError, match=r"ledger.sqlite-wal is a symbolic link, not a file SQLite can keep"):
        open_ledger()
    assert target.read_text() == "do not overwrite\n"


def test_a_symlink_swapped_in_after_the_check_is_refused(open_ledger, db_path, tmp_path, monkeypatch):
    open_ledger().close()
    target = tmp_path / "victim.sqlite"
    target.write_bytes(db_path.read_bytes())
    before = digest(target)
    checked = opening._refuse_unsafe

    def check_then_swap(path, info):
        checked(path, info)
        if info is not None and not stat.S_ISLNK(info.st_mode) and path == db_path and not db_path.is_symlink():
            db_path.unlink()
            db_path.symlink_to(target)  # between the check and the open

    monkeypatch.setattr(opening, "_refuse_unsafe", check_then_swap)
    with pytest.raises(LedgerError, match="is a symbolic link, which warroom does not follow"):
        open_ledger()
    assert digest(target) == before


def test_a_file_swapped_between_our_open_and_sqlites_is_refused(open_ledger, db_path, tmp_path, monkeypatch):
    open_ledger().close()
    other = tmp_path / "other.sqlite"
    other.write_bytes(db_path.read_bytes())
    decided = opening._read_only_reason

    def decide_then_swap(path, opened, *, asked):
        os.replace(other, db_path)  # after our O_NOFOLLOW open, before SQLite opens the name
        return decided(path, opened, asked=asked)

    monkeypatch.setattr(opening, "_read_only_reason", decide_then_swap)
    with pytest.raises(LedgerError) as caught:
        open_ledger()
    assert str(caught.value) == (f"{db_path} was replaced while warroom was opening it; make sure no one else can "
                                 f"write to {db_path.parent} and try again.")


# --- damaged ledgers ---------------------------------------------------------------------------

def test_a_damaged_ledger_is_read_but_never_written(open_ledger, damaged_ledger):
    before = digest(damaged_ledger)
    ledger = open_ledger()
    assert [e.body["text"] for e in ledger.events()] == [f"live note {n}" for n in range(4)]
    assert len(ledger.state().view("notes")) == 4
    with pytest.raises(LedgerError) as caught:
        ledger.append("note.added", "", {"text": "lost?"})
    message = str(caught.value)
    assert message.startswith(f"{damaged_ledger} is damaged (")
    assert message.endswith(f"); it was opened read-only: copy it aside and start a new ledger with --db, "
                            f"or recover with `sqlite3 {damaged_ledger} .recover`.")
    assert ledger.read_only_reason == message
    with pytest.raises(LedgerError, match="is damaged"):
        ledger.rebuild()
    ledger.close()
    assert digest(damaged_ledger) == before
    with sqlite3.connect(damaged_ledger) as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE run = 'live'").fetchone()[0] == 4
    conn.close()


def test_a_sound_ledger_reports_no_problem(open_ledger):
    ledger = open_ledger()
    ledger.append("note.added", "", {"text": "fine"})
    assert ledger.read_only_reason is None


# --- read-only (archived) ledgers --------------------------------------------------------------

@pytest.fixture
def archived(open_ledger, db_path) -> Path:
    with open_ledger() as ledger:
        ledger.append("step.done", "backup")
        ledger.append("note.added", "", {"text": "archived"})
    return db_path


def assert_read_only(ledger, path: Path, reason: str) -> None:
    assert ledger.read_only_reason == reason
    assert [e.kind for e in ledger.events()] == ["step.done", "note.added"]
    assert ledger.state().step("backup").status == "done"
    before = digest(path)
    with pytest.raises(LedgerError) as caught:
        ledger.append("note.added", "", {"text": "not recorded"})
    assert str(caught.value) == reason
    assert digest(path) == before


def test_a_0444_ledger_opens_read_only(open_ledger, archived):
    os.chmod(archived, 0o444)
    assert_read_only(open_ledger(), archived,
                     f"{archived} is read-only (mode 0444), so it was opened for reading only; "
                     "make it writable (chmod u+w) to record, or start a new ledger with --db.")
    assert mode(archived) == 0o444


def test_a_ledger_in_a_0555_folder_opens_read_only(open_ledger, archived):
    os.chmod(archived.parent, 0o555)
    try:
        assert_read_only(open_ledger(), archived,
                         f"{archived} is in a read-only folder ({archived.parent}), so it was opened for reading "
                         "only; make the folder writable to record, or start a new ledger with --db.")
    finally:
        os.chmod(archived.parent, 0o700)


def test_read_only_can_be_asked_for(open_ledger, archived):
    assert_read_only(open_ledger(read_only=True), archived,
                     f"{archived} was opened read-only; open it again without read-only to record.")


def test_read_only_never_creates_a_ledger(open_ledger, tmp_path):
    path = tmp_path / "absent" / "billing.sqlite"
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=path, read_only=True)
    assert str(caught.value) == f"{path} does not exist; check the path, or pass --db with an existing ledger."
    assert not path.parent.exists()


def test_a_read_only_ledger_that_needs_upgrading_is_refused_with_a_sentence(archived, open_ledger):
    with sqlite3.connect(archived) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'projection'")
    conn.close()
    os.chmod(archived, 0o444)
    with pytest.raises(LedgerError, match="must be brought up to date by this warroom before it can be read"):
        open_ledger()
