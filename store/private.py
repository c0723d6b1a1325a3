"""Folders and files only this user can read: the data folder, `node-id`, and any key file to come.

Modes are set explicitly rather than left to the umask: under umask 000 a plain mkdir gives 0777,
and another local user could then swap the files inside for their own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parent 0700, whatever the umask. A folder that already
    exists keeps its mode: it may be shared on purpose, and it is not ours to change."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for created in reversed(missing):
        try:
            os.mkdir(created, PRIVATE_FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile: then it is theirs to have set up
        os.chmod(created, PRIVATE_FOLDER_MODE)  # the umask may have taken the owner's bits too


class NotPrivateFile(Exception):
    """What `open_private_file` found is not a regular file of this user's."""


def open_private_file(path: Path, flags: int) -> int:
    """A descriptor on `path` opened with `flags`, never through a symlink, closed on exec; made
    0600 if `flags` create it. It must be a regular file of ours (else NotPrivateFile) and ends
    exactly 0600, whatever the umask did. OSError when it cannot be opened."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise NotPrivateFile(path)
        if stat.S_IMODE(info.st_mode) != PRIVATE_FILE_MODE:
            os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask may have taken the owner's bits
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` atomically with `data`, mode 0600, in a private folder (made if missing):
    a reader sees the old content or the new, and never a moment when others could read it."""
    make_private_folder(path.parent)
    temp = durable_temp_file(path, data, PRIVATE_FILE_MODE)
    try:
        os.replace(temp, path)  # renames over a symlink at `path`, never through it
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def durable_temp_file(beside: Path, data: bytes, mode: int) -> Path:
    """A new file in `beside`'s folder holding `data`, written to disk (fsynced), with exactly
    `mode` whatever the umask: the caller renames or links it into place (and removes it if that
    fails). Its name ends in .tmp, which sync and its readers ignore."""
    fd, temp = tempfile.mkstemp(dir=beside.parent, prefix=f".{beside.name}.", suffix=".tmp")  # O_EXCL
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return Path(temp)


def fsync_folder(folder: Path) -> None:
    """Make a rename or link in `folder` durable. Some network and FUSE file systems cannot fsync a
    folder: there the rename is all there is."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.ENOSYS):
            raise
    finally:
        os.close(fd)


def read_private_file(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `path` (a caller seeing more than `limit` knows it is too long),
    never through a symlink; it must be a regular file of ours (else NotPrivateFile). OSError when it
    cannot be opened or read (FileNotFoundError when it is not there)."""
    fd = open_private_file(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as file:
        return file.read(limit + 1)
