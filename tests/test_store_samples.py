"""Probe samples: stored in batches, read newest first, pruned by age, never events."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import timedelta

from support import T0

from warroom.store import Ledger, SampleRow


def sample(probe: str, minutes: float, state: str = "UP", ok: bool = True) -> SampleRow:
    return SampleRow(probe, T0 + timedelta(minutes=minutes), state, ok, 12.5, "200", None if ok else "[STATUS] (500) == 200")


def test_samples_round_trip_newest_first(ledger):
    assert ledger.record_samples([sample("web", m) for m in range(5)] + [sample("db", 1)]) == 6
    rows = ledger.recent_samples("web", limit=3)
    assert [r.at for r in rows] == [T0 + timedelta(minutes=m) for m in (4, 3, 2)]
    assert rows[0] == sample("web", 4)
    assert ledger.event_count() == 0  # samples are not ledger events


def test_samples_older_than_retention_are_pruned(ledger):
    ledger.record_samples([sample("web", 0), sample("web", 10)])
    ledger.record_samples([sample("web", 60 * 24 + 5, "DOWN", ok=False)])
    rows = ledger.recent_samples("web")
    assert [r.at for r in rows] == [T0 + timedelta(minutes=60 * 24 + 5), T0 + timedelta(minutes=10)]
    assert rows[0].reason == "[STATUS] (500) == 200" and rows[0].ok is False


def test_samples_live_in_a_file_of_their_own_beside_the_ledger(tmp_path):
    path = tmp_path / "billing.sqlite"
    with Ledger.open(path, "demo", "ana") as ledger:
        ledger.append("step.done", "backup")
        ledger.record_samples([sample("web", 0)])
    with sqlite3.connect(path) as conn:
        assert "probe_samples" not in {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    with sqlite3.connect(tmp_path / "billing.samples.sqlite") as conn:
        assert conn.execute("SELECT probe FROM probe_samples").fetchall() == [("web",)]
    assert stat.S_IMODE(os.stat(tmp_path / "billing.samples.sqlite").st_mode) == 0o600


def test_a_ledger_without_samples_never_creates_the_samples_file(tmp_path):
    with Ledger.open(tmp_path / "billing.sqlite", "demo", "ana") as ledger:
        ledger.append("step.done", "backup")
        ledger.state()
    assert not (tmp_path / "billing.samples.sqlite").exists()
