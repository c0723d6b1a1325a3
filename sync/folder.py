"""The folder export: a network share, a USB stick or a synced folder, written with plain files.

Each segment is written to a unique `.tmp` name, fsynced, renamed into place and its folder
fsynced, so a reader elsewhere sees the whole file or nothing. The export's root must already
exist: a USB stick that is not mounted must not be silently recreated on the local disk.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Sequence
from pathlib import Path

from warroom.store.private import durable_temp_file, fsync_folder

from .errors import ExportUnavailable
from .export import SegmentRef, check_deployment, check_segment
from .segment import parse_segment_name, parse_writer_dir

# Segments are public, signed data: people on a shared jump host read each other's.
SEGMENT_FILE_MODE = 0o644
# A folder changed this recently may change again within the same mtime tick: its listing is not
# cached (the way git treats a "racily clean" index entry).
_RACY_NS = 2_000_000_000


class FolderExport:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = str(root)
        # (deployment, writer) -> (the folder's mtime_ns, its segments)
        self._listed: dict[tuple[str, str], tuple[int, list[SegmentRef]]] = {}

    def check(self) -> None:
        if self.root.is_file():
            raise ExportUnavailable(f"the export {self.root} is a file, not a folder; give a folder or a git URL")
        if not self.root.is_dir():
            raise ExportUnavailable(f"the export folder {self.root} is not there (is the drive mounted?); "
                                    "local work goes on and the next sync tries again")

    def publish(self, writer: str, name: str, data: bytes) -> None:
        deployment = check_segment(writer, name, data)
        self.check()
        folder = self._writers(deployment) / writer
        try:
            self._make_folders(folder)
            final = folder / name
            if _same_content(final, data):
                return  # published before: segments never change
            _write_atomically(final, data)
        except OSError as exc:
            raise ExportUnavailable(f"the export folder {self.root} cannot be written ({exc.strerror}: "
                                    f"{exc.filename or folder}); local work goes on and the next sync "
                                    "tries again") from exc

    def publish_many(self, writer: str, segments: Sequence[tuple[str, bytes]]) -> None:
        for name, data in segments:
            self.publish(writer, name, data)

    def list_segments(self, deployment: str) -> list[SegmentRef]:
        check_deployment(deployment)
        self.check()
        writers = self._writers(deployment)
        found: list[SegmentRef] = []
        try:
            entries = list(os.scandir(writers))
        except FileNotFoundError:
            return []  # nobody has published to this deployment yet
        except OSError as exc:
            raise self._unreadable(exc) from exc
        for entry in entries:
            if parse_writer_dir(entry.name) is None or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                found.extend(self._segments_of(deployment, entry))
            except FileNotFoundError:
                continue  # removed while we looked
            except OSError as exc:
                raise self._unreadable(exc) from exc
        return found

    def read(self, ref: SegmentRef, limit: int) -> bytes:
        try:
            fd = os.open(ref.locator, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    raise ExportUnavailable(f"the segment {ref.locator} is not a regular file; remove it")
                return file.read(limit + 1)
        except OSError as exc:
            raise self._unreadable(exc) from exc

    def watch_path(self) -> Path | None:
        return self.root

    def _writers(self, deployment: str) -> Path:
        return self.root / "warroom" / deployment / "writers"

    def _make_folders(self, target: Path) -> None:
        """The folders below the root, made as needed (never the root itself), each made one
        fsynced into its parent. The shared ones (all but `target`, the writer's own) take the
        root's mode when others may write in the root (a jump host's 1777 or setgid 2775 folder),
        so that operators with their own accounts can each add their writer's folder."""
        missing: list[Path] = []
        below = target
        while not below.is_dir() and below != self.root:
            missing.append(below)
            below = below.parent
        root_mode = stat.S_IMODE(os.stat(self.root).st_mode) if missing else 0
        shared_root = root_mode & (stat.S_IWGRP | stat.S_IWOTH)
        for made in reversed(missing):
            try:
                os.mkdir(made)
            except FileExistsError:  # another writer made it meanwhile: theirs to have set up
                continue
            if shared_root and made != target:
                os.chmod(made, root_mode)  # the umask may have taken the bits others need
            fsync_folder(made.parent)
        # Not through a symlink someone else put in a shared folder: our file would land elsewhere.
        for part in (target, *target.parents):
            if part == self.root:
                break
            if part.is_symlink():
                raise ExportUnavailable(f"the export folder {self.root} holds a symlink at {part}; "
                                        "remove it and the next sync writes there")

    def _segments_of(self, deployment: str, entry: os.DirEntry[str]) -> list[SegmentRef]:
        """One writer's segments, listed again only when its folder changed."""
        mtime_ns = entry.stat(follow_symlinks=False).st_mtime_ns
        key = (deployment, entry.name)
        cached = self._listed.get(key)
        if cached is not None and cached[0] == mtime_ns:
            return cached[1]
        listed_at = time.time_ns()
        refs = []
        with os.scandir(entry.path) as files:
            for file in files:
                if parse_segment_name(file.name) is None or not file.is_file(follow_symlinks=False):
                    continue
                refs.append(SegmentRef(writer=entry.name, name=file.name,
                                       size=file.stat(follow_symlinks=False).st_size, locator=file.path))
        refs.sort(key=lambda ref: parse_segment_name(ref.name) or (0, 0, ""))
        if listed_at - mtime_ns > _RACY_NS:
            self._listed[key] = (mtime_ns, refs)
        else:
            self._listed.pop(key, None)
        return refs

    def _unreadable(self, exc: OSError) -> ExportUnavailable:
        return ExportUnavailable(f"the export folder {self.root} cannot be read ({exc.strerror}: "
                                 f"{exc.filename or self.root}); the next sync tries again")


def _same_content(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return False  # a symlink or worse in our own folder: the rename below replaces it
    with os.fdopen(fd, "rb") as file:
        return file.read(len(data) + 1) == data


def _write_atomically(final: Path, data: bytes) -> None:
    temp = durable_temp_file(final, data, SEGMENT_FILE_MODE)
    try:
        os.rename(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_folder(final.parent)
