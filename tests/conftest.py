"""Shared fixtures: every test gets its own data directory and operator, never the user's; a
manual clock; and real ledgers on a SQLite file in the test's tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import ManualClock
from warroom.probes.conditions import parse_condition
from warroom.store import Ledger


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Keep the user's data dir, operator and database settings out of every test."""
    data_home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("WARROOM_OPERATOR", "tester")
    for name in ("WARROOM_DB", "WARROOM_RUN", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return data_home


@pytest.fixture(autouse=True)
def fresh_condition_cache():
    """parse_condition keeps a cache for the whole process: clear it, so that each test parses its
    own probe conditions and none depends on what an earlier test parsed (and so that mutation
    testing, whose workers fork from a process that has run the tests, sees every parse)."""
    parse_condition.cache_clear()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def clock() -> ManualClock:
    """Starts at support.T0 and stands still until the test moves it."""
    return ManualClock()


@pytest.fixture
def open_ledger(db_path, clock):
    """Opens real ledgers: `open_ledger("lee", run="rehearsal-1")`. Defaults: operator 'ana' of
    deployment 'billing' on node 'n1', the file db_path, the `clock` fixture. Any other file via
    `path=`. Every ledger it opened is closed after the test."""
    opened: list[Ledger] = []

    def open_(operator: str = "ana", *, path: Path | None = None, deployment: str = "billing", **options) -> Ledger:
        options.setdefault("node", "n1")
        options.setdefault("clock", clock)
        ledger = Ledger.open(db_path if path is None else path, deployment, operator, **options)
        opened.append(ledger)
        return ledger

    yield open_
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(open_ledger) -> Ledger:
    """Ana's ledger on db_path (see open_ledger)."""
    return open_ledger()
