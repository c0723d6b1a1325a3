"""Where segments live: a folder (network share, USB stick, synced folder) or a git remote.

Both backends file a segment under `warroom/<deployment>/writers/<writer-dir>/<name>` (git: the ref
`refs/warroom/<deployment>/<writer-dir>`, whose tree is that writer's segment files). The
deployment a segment belongs to is the one its own header names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import ExportUnavailable
from .segment import header_deployment, parse_segment_name, parse_writer_dir

# A runbook id: safe as a folder name and as a git ref component.
_DEPLOYMENT = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


@dataclass(frozen=True)
class SegmentRef:
    writer: str  # the writer dir name
    name: str  # the segment file name
    size: int | None  # bytes when known cheaply, else None
    locator: str  # backend-specific: the full path, or the git blob id


class Export(Protocol):
    description: str  # for messages: the folder path or the git URL

    def check(self) -> None:
        """ExportUnavailable (one sentence) when the export cannot be used now."""

    def publish(self, writer: str, name: str, data: bytes) -> None:
        """File one segment; ExportUnavailable on failure (read-only, full, not answering)."""

    def publish_many(self, writer: str, segments: Sequence[tuple[str, bytes]]) -> None:
        """File several segments of one writer at once (git: one push)."""

    def list_segments(self, deployment: str) -> list[SegmentRef]:
        """Every writer's segments of `deployment`; ignored and foreign names left out."""

    def read(self, ref: SegmentRef, limit: int) -> bytes:
        """At most limit + 1 bytes of the segment (the caller rejects what is longer than limit)."""

    def watch_path(self) -> Path | None:
        """A folder to watch for new segments, or None when there is none to watch."""


def open_export(spec: str, cache_dir: Path, *, git_timeout: float = 20.0) -> Export:
    """"git:URL", or a path to a bare git repository -> the git backend; any other path -> a folder.
    A path that is a file -> ExportUnavailable."""
    from .folder import FolderExport
    from .git import GitExport

    if spec.startswith("git:"):
        return GitExport(spec[len("git:"):], cache_dir, timeout=git_timeout)
    path = Path(spec).expanduser()
    if _is_bare_repository(path):
        return GitExport(str(path), cache_dir, timeout=git_timeout)
    if path.is_file():
        raise ExportUnavailable(f"the export {path} is a file, not a folder; give a folder or a git URL")
    return FolderExport(path)


def _is_bare_repository(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def check_deployment(deployment: str) -> None:
    if not _DEPLOYMENT.match(deployment):
        raise ValueError(f"{deployment!r} is not a deployment id")


def check_segment(writer: str, name: str, data: bytes) -> str:
    """The deployment `data` belongs to; ValueError when writer, name or data are not a segment's
    (the caller passed what encode() did not make)."""
    if parse_writer_dir(writer) is None:
        raise ValueError(f"{writer!r} is not a writer folder name")
    if parse_segment_name(name) is None:
        raise ValueError(f"{name!r} is not a segment file name")
    deployment = header_deployment(data)
    check_deployment(deployment)
    return deployment
