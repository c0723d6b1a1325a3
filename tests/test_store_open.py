"""Opening a ledger file: permissions, PRAGMAs, and clear refusals."""

import hashlib
import os
import sqlite3
import stat

import pytest

from warroom.store import ForeignDatabaseError, LedgerError


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_creates_parent_folders_and_a_0600_file(open_ledger, tmp_path):
    path = tmp_path / "a" / "b" / "billing.sqlite"
    old_umask = os.umask(0o022)
    try:
        with open_ledger(path=path) as ledger:
            ledger.append("step.started", "backup")
            assert mode(path) == 0o600
            assert mode(f"{path}-wal") == 0o600
            assert mode(f"{path}-shm") == 0o600
            assert ledger.path == path
    finally:
        os.umask(old_umask)


def test_an_existing_file_of_ours_is_made_0600(open_ledger, tmp_path):
    path = tmp_path / "billing.sqlite"
    open_ledger(path=path).close()
    os.chmod(path, 0o644)
    open_ledger(path=path).close()
    assert mode(path) == 0o600


def test_wal_full_sync_foreign_keys_and_busy_timeout_are_set(open_ledger, tmp_path):
    with open_ledger(path=tmp_path / "billing.sqlite") as ledger:
        conn = ledger._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.isolation_level is None


def test_the_file_remembers_its_deployment(open_ledger, tmp_path):
    path = tmp_path / "billing.sqlite"
    with open_ledger(path=path) as ledger:
        assert (ledger.deployment, ledger.operator, ledger.run, ledger.node) == ("billing", "ana", "live", "n1")
    with sqlite3.connect(path) as conn:
        assert dict(conn.execute("SELECT key, value FROM meta"))["deployment"] == "billing"


def test_a_database_of_another_deployment_is_refused(open_ledger, tmp_path):
    path = tmp_path / "billing.sqlite"
    with open_ledger(path=path) as ledger:
        ledger.append("step.done", "backup")
    before = digest(path)
    with pytest.raises(ForeignDatabaseError) as caught:
        open_ledger(path=path, deployment="payroll")
    assert str(caught.value) == f"{path} holds the ledger of 'billing', not 'payroll'; pass --db with another file."
    assert isinstance(caught.value, LedgerError)
    assert digest(path) == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(open_ledger, tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 50)
    os.chmod(path, 0o644)
    before = digest(path)
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=path)
    assert str(caught.value) == (f"{path} is not a SQLite database, so it cannot be a warroom ledger; "
                                 "pass --db with another file.")
    assert caught.value.__cause__ is not None  # the sqlite3 error is kept for --debug
    assert digest(path) == before and mode(path) == 0o644


def test_another_applications_sqlite_file_is_refused_and_left_alone(open_ledger, tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    conn.close()
    before = digest(path)
    with pytest.raises(LedgerError, match="is a SQLite database but not a warroom ledger; pass --db"):
        open_ledger(path=path)
    assert digest(path) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_ledger_from_a_newer_warroom_is_refused(open_ledger, tmp_path):
    path = tmp_path / "billing.sqlite"
    open_ledger(path=path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    conn.close()
    with pytest.raises(LedgerError, match="newer warroom .* upgrade warroom or pass --db"):
        open_ledger(path=path)


def test_a_folder_is_refused(open_ledger, tmp_path):
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=tmp_path)
    assert str(caught.value) == f"{tmp_path} is a folder, not a ledger file; pass --db with a file path."


def test_a_location_under_a_file_is_refused(open_ledger, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(LedgerError) as caught:
        open_ledger(path=blocker / "sub" / "billing.sqlite")
    assert "cannot create the folder" in str(caught.value)
    assert str(caught.value).endswith("pass --db with another path.")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_refused(open_ledger, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        with pytest.raises(LedgerError) as caught:
            open_ledger(path=locked / "billing.sqlite")
        assert "Permission denied" in str(caught.value)
        assert "pass --db with a path you can write to" in str(caught.value)
    finally:
        os.chmod(locked, 0o700)


def test_an_unwritable_location_is_refused(open_ledger, tmp_path):
    # /proc refuses new files even to root, which the permission test above cannot cover
    with pytest.raises(LedgerError, match="pass --db with a path you can write to"):
        open_ledger(path="/proc/warroom-test/billing.sqlite")


@pytest.mark.parametrize("deployment, operator, run, words", [
    ("", "ana", "live", "deployment id is empty"),
    ("billing", "  ", "live", "the operator name is empty; pass --operator NAME"),
    ("billing", "ana", "", "run name is empty"),
])
def test_empty_names_are_refused(open_ledger, deployment, operator, run, words):
    with pytest.raises(LedgerError, match=words):
        open_ledger(operator, deployment=deployment, run=run)


def test_node_defaults_to_this_machines_node_id(open_ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with open_ledger(node=None) as ledger:
        node = ledger.node
        assert ledger.append("step.started", "backup").node == node
    assert (tmp_path / "data" / "warroom" / "node-id").read_text().strip() == node
