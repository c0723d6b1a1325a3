"""Shared fixtures: every test gets its own data directory and operator, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


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
