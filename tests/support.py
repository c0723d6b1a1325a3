"""Paths and helpers the test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import os
from importlib.resources import files
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(str(files("warroom.sample_runbooks")))
WEB_CUTOVER = SAMPLES / "web-cutover.yaml"


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
