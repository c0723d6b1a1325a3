"""What can go wrong in sync, each with the sentence an operator reads."""

from __future__ import annotations


class SyncError(Exception):
    """Base: the message is one sentence saying what is wrong and what to do."""


class ExportUnavailable(SyncError):
    """The export cannot be read or written now (absent, read-only, full, a git remote that does
    not answer). Local work goes on; the next round tries again."""


class SegmentRejected(SyncError):
    """A segment file failed verification; `reason` says why. It is never partly imported."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyProblem(SyncError):
    """A public key that cannot be read, or this device's key that cannot be made or loaded."""
