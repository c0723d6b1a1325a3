"""Paths and helpers the test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(str(files("warroom.sample_runbooks")))
WEB_CUTOVER = SAMPLES / "web-cutover.yaml"

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)  # where a ManualClock starts: a deployment morning
DEPLOYMENT_ZONE = timezone(timedelta(hours=1))  # the web cutover's window is 08:00-18:00 at +01:00


def pure_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: this one plus extras."""
    env = dict(os.environ)
    env.update(extra)
    return env


async def until(pilot, condition: Callable[[], object], what: str = "the expected state", timeout: float = 5.0) -> None:
    """Let the app under Pilot work until `condition()` holds; fail the test if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out after {timeout}s waiting for {what}"
        await pilot.pause(0.02)


def main_screen(app):
    """The console's main screen, even while a dialog is open above it."""
    from warroom.tui.main_screen import MainScreen

    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


class ManualClock:
    """Wall-clock time that moves only when the test moves it (it may go backwards).

    Calling it gives milliseconds since the epoch, what `Ledger.open(clock=...)` takes; `now()`
    gives the same moment as an aware UTC datetime, what the probe trackers and scheduler take.
    With `step_ms`, every call first moves it on by that much, so each event gets its own time.
    """

    def __init__(self, start: datetime = T0, step_ms: int = 0, zone: tzinfo = DEPLOYMENT_ZONE):
        self.ms = round(start.timestamp() * 1000)
        self.step_ms = step_ms
        self.zone = zone

    def __call__(self) -> int:
        self.ms += self.step_ms
        return self.ms

    def now(self) -> datetime:
        """The moment, in the deployment's zone (an aware datetime: equal to the same moment in UTC)."""
        return datetime.fromtimestamp(self.ms / 1000, self.zone)

    def at(self, hhmm: str) -> datetime:
        """Set to that time of day, in the deployment's zone, on the day it shows now."""
        hour, minute = map(int, hhmm.split(":"))
        moment = self.now().replace(hour=hour, minute=minute, second=0, microsecond=0)
        self.ms = round(moment.timestamp() * 1000)
        return moment

    def advance(self, delta: timedelta) -> datetime:
        """Move on by `delta` (backwards if negative); the new moment."""
        self.ms += round(delta.total_seconds() * 1000)
        return self.now()
