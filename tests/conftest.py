"""Shared fixtures: every test gets its own data directory and operator, never the user's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_runbooks"
WEB_CUTOVER = SAMPLES / "web-cutover.yaml"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Keep the user's data dir, operator and database settings out of every test."""
    data_home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("WARROOM_OPERATOR", "tester")
    for name in ("WARROOM_DB", "WARROOM_RUN", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return data_home


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "ledger.sqlite"


def pure_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: this one plus extras."""
    env = dict(os.environ)
    env.update(extra)
    return env
