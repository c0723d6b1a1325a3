"""Paths and helpers the test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(str(files("warroom.sample_runbooks")))
WEB_CUTOVER = SAMPLES / "web-cutover.yaml"

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)  # where a ManualClock starts: a deployment morning


def pure_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: this one plus extras."""
    env = dict(os.environ)
    env.update(extra)
    return env


class ManualClock:
    """Wall-clock time that moves only when the test moves it (it may go backwards).

    Calling it gives milliseconds since the epoch, what `Ledger.open(clock=...)` takes; `now()`
    gives the same moment as an aware UTC datetime, what the probe trackers and scheduler take.
    With `step_ms`, every call first moves it on by that much, so each event gets its own time.
    """

    def __init__(self, start: datetime = T0, step_ms: int = 0):
        self.ms = round(start.timestamp() * 1000)
        self.step_ms = step_ms

    def __call__(self) -> int:
        self.ms += self.step_ms
        return self.ms

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.ms / 1000, timezone.utc)

    def advance(self, delta: timedelta) -> datetime:
        """Move on by `delta` (backwards if negative); the new moment."""
        self.ms += round(delta.total_seconds() * 1000)
        return self.now()
