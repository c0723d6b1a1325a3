"""Opening a ledger file safely: a private file, the right PRAGMAs, and clear refusals.

Everything here reads before it writes, so a file that is not ours (another deployment's
ledger, another program's database, not a database at all, a device, a symlink, another user's
file) is refused untouched. A ledger that cannot be written (archived: its file or folder is
read-only) is opened for reading only; one that fails SQLite's integrity check is never written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import quote

from . import schema
from .errors import ForeignDatabaseError, LedgerError
from .private import PRIVATE_FILE_MODE, NotPrivateFile, make_private_folder, open_private_file

BUSY_TIMEOUT_MS = 5000
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside a database
_NOT_A_FILE = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))


class Opened(NamedTuple):
    conn: sqlite3.Connection
    read_only_reason: str | None  # why it was opened read-only; None when it can be written
    needs_check: bool  # writable, and not integrity-checked here (it was neither new nor migrated)


def open_connection(path: Path, deployment: str, *, read_only: bool = False) -> Opened:
    """The ledger of `deployment` at `path`, opened (`Opened`): its connection, why it is read-only
    (None when it can be written), and whether the background integrity check is still owed. A
    missing file is created 0600, except with `read_only`, which creates no ledger: it is refused.

    Autocommit mode (isolation_level=None) because the Ledger issues its own BEGIN IMMEDIATE;
    check_same_thread=False because the Ledger guards the connection with a lock instead."""
    with _checked_file(path, create=not read_only) as opened:
        reason = _read_only_reason(path, opened, asked=read_only)
        conn = _connect_checked(path, opened, _uri(path, "mode=ro") if reason else str(path), uri=bool(reason))
    try:  # only now, our own descriptor closed: see _checked_file
        if reason:
            conn = _readable(conn, path, opened)
            _prepare_read_only(conn, path, deployment)
            checked = False
        else:
            checked = _prepare(conn, path, deployment)
    except BaseException:
        conn.close()
        raise
    return Opened(conn, reason, needs_check=not reason and not checked)


@contextmanager
def _checked_file(path: Path, *, create: bool) -> Iterator[os.stat_result]:
    """The file at `path`, made 0600 if it is new, held open (never through a symlink) while the
    caller connects: it must be a regular file of ours, and SQLite's files beside it regular files.

    The caller connects inside and runs no statement until it is out: closing a descriptor drops
    every POSIX lock this process holds on the file, SQLite's too. A connection in WAL mode holds a
    shared lock on the database for as long as it is open; without it, the next process to close
    its own connection finds no one else there, checkpoints and deletes the WAL from under this one,
    whose later commits then no other process sees."""
    _refuse_unsafe(path, _lstat(path))  # before anything is created or changed
    for suffix in COMPANION_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        info = _lstat(companion)
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise LedgerError(f"{companion} is {_kind(info)}, not a file SQLite can keep beside the ledger; "
                              "remove it or pass --db with another file.")
    fd = _create_private_file(path) if create else None
    if fd is None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise _open_error(exc, path) from exc
    try:
        opened = os.fstat(fd)
        _refuse_unsafe(path, opened)  # it may have been swapped since the check above
        yield opened
    finally:
        os.close(fd)


def _create_private_file(path: Path) -> int | None:
    """A new empty 0600 file at `path`, made by us so SQLite never creates it world-readable, and
    its folder 0700 if we make that too; None if something is there already."""
    try:
        make_private_folder(path.parent)
    except (FileExistsError, NotADirectoryError) as exc:
        raise LedgerError(f"cannot create the folder {path.parent} because a file is in the way; "
                          "pass --db with another path.") from exc
    except OSError as exc:
        raise LedgerError(f"cannot create the folder {path.parent} ({exc.strerror}); "
                          "pass --db with a path you can write to.") from exc
    try:
        return open_private_file(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
    except (FileExistsError, NotPrivateFile):
        # there already (or just made by another process), or made another user's (a squashed
        # root on NFS): checked like any existing file, which says what is wrong with it
        return None
    except OSError as exc:
        raise LedgerError(f"cannot open {path} for writing ({exc.strerror}); "
                          "check its permissions or pass --db with a path you can write to.") from exc


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _open_error(exc, path) from exc


def _kind(info: os.stat_result) -> str:
    return next((name for is_kind, name in _NOT_A_FILE if is_kind(info.st_mode)), "not a regular file")


def _refuse_unsafe(path: Path, info: os.stat_result | None) -> None:
    """Only a regular file of ours is opened: a symlink or another user's file could be swapped
    for something else by someone else, and a device or pipe is not a database at all."""
    if info is None:
        return  # a new path: ours to create
    if stat.S_ISLNK(info.st_mode):
        raise _symlink_refused(path)
    if stat.S_ISDIR(info.st_mode):
        raise LedgerError(f"{path} is a folder, not a ledger file; pass --db with a file path.")
    if not stat.S_ISREG(info.st_mode):
        raise LedgerError(f"{path} is {_kind(info)}, not a ledger file; pass --db with a file path.")
    if info.st_uid != os.geteuid():
        raise LedgerError(f"{path} belongs to another user (uid {info.st_uid}), so warroom will not use it; "
                          "pass --db with a file of your own, or copy it and open the copy.")


def _symlink_refused(path: Path) -> LedgerError:
    return LedgerError(f"{path} is a symbolic link, which warroom does not follow (it could be pointed "
                       "elsewhere); pass --db with the real file.")


def _refuse_if_replaced(path: Path, opened: os.stat_result) -> None:
    """SQLite opens by name after our check: the name must still lead to the file we checked."""
    now = _lstat(path)
    if now is None or stat.S_ISLNK(now.st_mode) or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
        raise LedgerError(f"{path} was replaced while warroom was opening it; make sure no one else can write "
                          f"to {path.parent} and try again.")


def _open_error(exc: OSError, path: Path) -> LedgerError:
    if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink swapped in after the check
        return _symlink_refused(path)
    if isinstance(exc, FileNotFoundError):
        return LedgerError(f"{path} does not exist; check the path, or pass --db with an existing ledger.")
    return LedgerError(f"cannot open {path} ({exc.strerror}); check its permissions or pass --db with another file.")


def _read_only_reason(path: Path, opened: os.stat_result, *, asked: bool) -> str | None:
    """Why the ledger cannot be written, as the sentence a refused write shows; None if it can.
    By the mode bits, not access(): root may write anywhere, yet an archived 0444 ledger stays shut."""
    if asked:
        return f"{path} was opened read-only; open it again without read-only to record."
    if not opened.st_mode & stat.S_IWUSR:
        return (f"{path} is read-only (mode {stat.S_IMODE(opened.st_mode):04o}), so it was opened for reading only; "
                f"make it writable (chmod u+w) to record, or start a new ledger with --db.")
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return (f"{path} is on a read-only file system, so it was opened for reading only; "
                    "copy it to a writable disk to record, or start a new ledger with --db.")
        info = os.stat(folder)
        writable = bool(info.st_mode & stat.S_IWUSR) if info.st_uid == os.geteuid() else os.access(folder, os.W_OK)
    except OSError:
        return None  # cannot tell: writing will say what is wrong, if anything
    if not writable:
        return (f"{path} is in a read-only folder ({folder}), so it was opened for reading only; "
                "make the folder writable to record, or start a new ledger with --db.")
    return None


def _connect(target: str, *, uri: bool = False,
             isolation_level: Literal["DEFERRED"] | None = None) -> sqlite3.Connection:
    return sqlite3.connect(target, uri=uri, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                           isolation_level=isolation_level)


def _uri(path: Path, options: str) -> str:
    return f"file:{quote(str(path))}?{options}"


def _connect_checked(path: Path, opened: os.stat_result, target: str, *, uri: bool = False,
                     isolation_level: Literal["DEFERRED"] | None = None) -> sqlite3.Connection:
    """SQLite's connection to the file `_checked_file` checked: SQLite opens the file here (and
    takes no lock before the first statement), so the name must still lead to that file."""
    try:
        conn = _connect(target, uri=uri, isolation_level=isolation_level)
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc
    try:
        _refuse_if_replaced(path, opened)
    except BaseException:
        conn.close()
        raise
    return conn


def _readable(conn: sqlite3.Connection, path: Path, opened: os.stat_result) -> sqlite3.Connection:
    """mode=ro reads a WAL ledger when its -shm exists or can be made beside it. In a read-only
    folder it cannot be, and immutable=1 reads the file alone: right only when no -wal holds events."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # SQLite reads lazily: fail here
        return conn
    except sqlite3.Error as exc:
        conn.close()
        if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
            raise explain(exc, path) from exc
    wal = path.with_name(path.name + "-wal")
    info = _lstat(wal)  # a regular file, if there: _checked_file saw to that
    if info is not None and info.st_size > 0:
        raise LedgerError(f"{path} has events in {wal.name} that cannot be read while its folder is read-only; "
                          "copy both files to a writable folder and open the copy with --db.")
    return _connect_checked(path, opened, _uri(path, "mode=ro&immutable=1"), uri=True)


def _prepare_read_only(conn: sqlite3.Connection, path: Path, deployment: str) -> None:
    """Check the file is ours and current: a read-only ledger cannot be set up or upgraded."""
    try:
        conn.execute("PRAGMA query_only = ON")  # a write by mistake fails too
        if _refuse_foreign(conn, path, deployment) != schema.SCHEMA_VERSION:
            raise cannot_bring_up_to_date(path)
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc


def cannot_bring_up_to_date(path: Path) -> LedgerError:
    """For a read-only ledger that needs setting up, upgrading or refolding before it can be read."""
    return LedgerError(f"{path} must be brought up to date by this warroom before it can be read, and it cannot "
                       "be written; copy it to a writable folder and open the copy with --db.")


def damaged(path: Path, detail: str, *, read_only: bool = True) -> str:
    """The sentence for a ledger that fails SQLite's integrity check, saying how to get out of it."""
    opened = "it was opened read-only: " if read_only else ""
    return (f"{path} is damaged ({detail}); {opened}copy it aside and start a new ledger with --db, "
            f"or recover with `sqlite3 {path} .recover`.")


def _says_damaged(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "corrupt" in text


def integrity_problem(conn: sqlite3.Connection, path: Path, *, read_only: bool = True) -> str | None:
    """`PRAGMA quick_check`'s verdict: None if the file is sound, else the `damaged` sentence
    (`read_only`: the ledger stays open for reading). Only damage counts: an error that says
    nothing about the file (interrupted, busy) is no verdict."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(10)")]
    except sqlite3.DatabaseError as exc:
        if _says_damaged(exc) or "not a database" in str(exc).lower():
            return damaged(path, str(exc), read_only=read_only)
        return None
    if rows == ["ok"]:
        return None
    # a row may hold several problems, one a line, under a "*** in database main ***" heading
    problems = [line for row in rows for line in str(row).splitlines() if line.strip() and not line.startswith("***")]
    more = len(problems) - 1
    return damaged(path, f"SQLite's integrity check found: {problems[0] if problems else rows[0]}"
                         + (f", and {more} more problem{'s' if more > 1 else ''}" if more else ""), read_only=read_only)


class IntegrityCheck:
    """`integrity_problem` on a read-only connection of its own, in a thread started at open: it
    takes about 0.1 s on a ledger of 100,000 events, so the open does not wait for it; the first
    write does (`result`), and nothing is written to a damaged ledger."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._problem: str | None = None
        self._conn: sqlite3.Connection | None = None
        self._cancelled = False
        self._lock = threading.Lock()  # guards _conn and _cancelled between the thread and cancel()
        self._thread = threading.Thread(target=self._run, name=f"warroom integrity check of {path.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with contextlib.suppress(AttributeError, OSError):  # Linux: per-thread; elsewhere the check runs as is
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # the screen and the command come first
        try:
            conn = _connect(_uri(self._path, "mode=ro"), uri=True)
        except sqlite3.Error:
            return  # could not look (the file went away, say): no verdict, as in integrity_problem
        try:
            with self._lock:
                if self._cancelled:
                    return
                self._conn = conn
            self._problem = integrity_problem(conn, self._path)
        finally:
            with self._lock:
                self._conn = None
            conn.close()

    def result(self) -> str | None:
        """The `damaged` sentence, or None for a sound file (waits for the check to end)."""
        self._thread.join()
        return self._problem

    def cancel(self) -> None:
        """Stop early (the ledger is closing) and wait for the thread to let go of the file."""
        while self._thread.is_alive():
            with self._lock:
                self._cancelled = True
                if self._conn is not None:
                    self._conn.interrupt()  # lost if the check has not quite started: hence the loop
            self._thread.join(0.002)


def _make_private(path: Path) -> None:
    """chmod 0600 the ledger and the files SQLite keeps beside it, if they are ours (never someone else's)."""
    for file in (path, *(path.with_name(path.name + suffix) for suffix in COMPANION_SUFFIXES)):
        try:
            info = file.stat()
            if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != PRIVATE_FILE_MODE:
                os.chmod(file, PRIVATE_FILE_MODE)
        except OSError:
            pass  # absent, or a mode we cannot fix: not a reason to refuse to record


def _prepare(conn: sqlite3.Connection, path: Path, deployment: str) -> bool:
    """Check the file is ours (reading only), then set it up, migrating an older schema: the events
    are kept as they are; the rest is derived from them (the projection) or moved (the samples).
    True when nothing is left for the integrity check: the file was new, or checked to migrate it."""
    try:  # the busy timeout is sqlite3.connect's `timeout`
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
                damage = integrity_problem(conn, path, read_only=False)  # rare: checked now, not in the background
                if damage:
                    raise LedgerError(damage)
                schema.migrate(conn, path, version)
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
    return version is None or version < schema.SCHEMA_VERSION


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
    with _checked_file(path, create=True) as opened:
        conn = _connect_checked(path, opened, str(path), isolation_level="DEFERRED")  # sqlite3 begins and commits
    try:  # only now, our own descriptor closed: see _checked_file
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # measurements: speed over the last second
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise explain(exc, path) from exc
        raise
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
    if _says_damaged(exc):
        return LedgerError(damaged(path, str(exc), read_only=False))
    return LedgerError(f"the ledger {path} failed ({exc}); nothing was recorded by this action.")
