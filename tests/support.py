"""Paths and helpers the test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(str(files("warroom.sample_runbooks")))
WEB_CUTOVER = SAMPLES / "web-cutover.yaml"


def pure_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: this one plus extras."""
    env = dict(os.environ)
    env.update(extra)
    return env
