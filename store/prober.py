"""Which console probes for this machine and this ledger: the one holding a lock on a private file
beside the ledger (`billing.sqlite` -> `billing.sqlite.prober.lock`).

Every other console on the same file shows that one's results (from the samples file) instead of
checking the same targets again and recording each change a second time. The lock is an exclusive
`flock`, taken without waiting: the kernel frees it when its holder's file is closed, so a console
that quits or dies hands the probes on, and the next one to ask takes them over. The file itself is
never removed (a process that opened it before the removal would lock a file nobody else sees).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import LedgerError
from .private import NotPrivateFile, open_private_file


def prober_lock_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(f"{ledger_path.name}.prober.lock")


class ProberLock:
    """`try_acquire()` until it says True; then this process probes until `release()` (or its end)."""

    def __init__(self, ledger_path: Path) -> None:
        self.path = prober_lock_path(Path(ledger_path))
        self._fd: int | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """True when this process holds the lock (now or already); never waits. Raises LedgerError
        when the lock file cannot be opened or is not a private file of ours."""
        if self.held:
            return True
        if self._fd is None:
            self._fd = _open_private(self.path)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.held = True
        return True

    def release(self) -> None:
        """Let another console take over (closing the file frees the lock)."""
        self.held = False
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def side_lock(ledger_path: Path, purpose: str) -> Iterator[None]:
    """Hold an exclusive lock beside the ledger (`billing.sqlite.sync.lock`) for the block, waiting
    for it: two processes on one ledger take turns at `purpose` (a sync round) rather than both
    doing it at once."""
    path = Path(ledger_path)
    fd = _open_private(path.with_name(f"{path.name}.{purpose}.lock"))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # frees the lock


def _open_private(path: Path) -> int:
    """The lock file, made 0600 if new; an existing one must be a regular file of ours. Opened
    close-on-exec: a command a probe runs must never inherit it (a daemon it leaves behind would
    hold the lock after this console is gone)."""
    try:
        return open_private_file(path, os.O_RDWR | os.O_CREAT)
    except NotPrivateFile:
        raise LedgerError(f"{path} is not a file of yours, so consoles on this ledger cannot take turns "
                          "through it; remove it") from None
    except OSError as exc:
        raise LedgerError(f"cannot open {path} to take turns with other consoles on this ledger "
                          f"({exc.strerror})") from exc
