"""Opening a ledger file safely: a private file, the right PRAGMAs, and clear refusals.

Everything here reads before it writes, so a file that is not ours (another deployment's
ledger, another program's database, not a database at all) is refused untouched.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from . import schema
from .errors import ForeignDatabaseError, LedgerError

BUSY_TIMEOUT_MS = 5000


def open_connection(path: Path, deployment: str) -> sqlite3.Connection:
    """A connection to the ledger of `deployment` at `path`, created if need be.

    Autocommit mode (isolation_level=None) because the Ledger issues its own BEGIN IMMEDIATE;
    check_same_thread=False because the Ledger guards the connection with a lock instead."""
    _create_private_file(path)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc
    try:
        _prepare(conn, path, deployment)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_private_file(path: Path) -> None:
    """Make the folder and an empty 0600 file ourselves, so SQLite never creates it world-readable."""
    if path.is_dir():
        raise LedgerError(f"{path} is a folder, not a ledger file; pass --db with a file path.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError) as exc:
        raise LedgerError(f"cannot create the folder {path.parent} because a file is in the way; "
                          "pass --db with another path.") from exc
    except OSError as exc:
        raise LedgerError(f"cannot create the folder {path.parent} ({exc.strerror}); "
                          "pass --db with a path you can write to.") from exc
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise LedgerError(f"cannot open {path} for writing ({exc.strerror}); "
                          "check its permissions or pass --db with a path you can write to.") from exc
    os.close(fd)


def _make_private(path: Path) -> None:
    """chmod 0600 the ledger and its WAL files, if they are ours (never someone else's)."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = file.stat()
            if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != 0o600:
                os.chmod(file, 0o600)
        except OSError:
            pass  # absent, or a mode we cannot fix: not a reason to refuse to record


def _prepare(conn: sqlite3.Connection, path: Path, deployment: str) -> None:
    """Check the file is ours (reading only), then set it up. Nothing recorded is changed."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _refuse_foreign(conn, path, deployment)
        _make_private(path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise LedgerError(f"{path} cannot use write-ahead logging (it stays in '{mode}' mode); "
                              "keep the ledger on a local disk or pass --db with another file.")
        conn.execute("PRAGMA synchronous = FULL")  # a commit survives power loss
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -32000")  # 32 MB: a long day of events stays in memory
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _refuse_foreign(conn, path, deployment)  # another process may have set it up first
            if version is not None and version < schema.SCHEMA_VERSION:
                schema.migrate(conn, path, version, open_samples_connection)
            schema.create(conn)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('deployment', ?)", (deployment,))
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(schema.SCHEMA_VERSION),))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        _make_private(path)  # the -wal and -shm files now exist
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc


def _refuse_foreign(conn: sqlite3.Connection, path: Path, deployment: str) -> int | None:
    """The file's schema version (None for a new, empty file), or a LedgerError if it is not ours."""
    tables = schema.table_names(conn)
    if "meta" not in tables:
        if tables:
            raise LedgerError(f"{path} is a SQLite database but not a warroom ledger; pass --db with another file.")
        return None  # empty: ours to set up
    owner = schema.get_meta(conn, "deployment")
    if owner is not None and owner != deployment:
        raise ForeignDatabaseError(f"{path} holds the ledger of '{owner}', not '{deployment}'; "
                                   "pass --db with another file.")
    version = schema.get_meta(conn, "schema") or "1"  # a header without one predates versions
    if not version.isdigit():
        raise LedgerError(f"{path} has a damaged ledger header (schema '{version}'); pass --db with another file.")
    if int(version) > schema.SCHEMA_VERSION:
        raise LedgerError(f"{path} was written by a newer warroom (ledger schema {version}); "
                          "upgrade warroom or pass --db with another file.")
    return int(version)


def open_samples_connection(path: Path) -> sqlite3.Connection:
    """The probe samples file beside a ledger: private like it, in WAL mode, with sqlite3's own
    transactions (`with conn:`), usable from the probe thread and the app's workers."""
    _create_private_file(path)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc
    _make_private(path)
    return conn


def explain(exc: sqlite3.Error, path: Path) -> LedgerError:
    """Turn SQLite's error into one sentence an operator can act on (the cause stays chained)."""
    text = str(exc).lower()
    if "not a database" in text:
        return LedgerError(f"{path} is not a SQLite database, so it cannot be a warroom ledger; "
                           "pass --db with another file.")
    if "locked" in text or "busy" in text:
        return LedgerError(f"{path} stayed locked by another process for {BUSY_TIMEOUT_MS // 1000} s; "
                           "try again (nothing was recorded).")
    if "full" in text:
        return LedgerError(f"the disk holding {path} is full; free some space and try again "
                           "(nothing was recorded).")
    if "readonly" in text or "read-only" in text or "unable to open" in text or "disk i/o" in text:
        return LedgerError(f"{path} cannot be written ({exc}); make the file and its folder writable, "
                           "or pass --db with another file.")
    if "malformed" in text or "corrupt" in text:
        return LedgerError(f"{path} is damaged ({exc}); keep a copy for inspection and pass --db with another file.")
    return LedgerError(f"the ledger {path} failed ({exc}); nothing was recorded by this action.")
