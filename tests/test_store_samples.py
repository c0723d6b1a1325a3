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


def test_a_host_reading_is_kept_with_its_sample(ledger):
    row = SampleRow("cpu", T0, "DEGRADED", True, 200.0, "cpu 75.0%", "cpu 75.0% > 70", metric=75.0)
    ledger.record_samples([row])
    assert ledger.recent_samples("cpu") == [row]


def test_a_samples_file_made_before_host_readings_were_kept_gets_the_column(tmp_path):
    path = tmp_path / "billing.samples.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE probe_samples (probe TEXT NOT NULL, at_ms INTEGER NOT NULL, state TEXT NOT NULL, "
                     "ok INTEGER NOT NULL, response_time_ms REAL, value TEXT NOT NULL, reason TEXT, "
                     "UNIQUE (probe, at_ms)) STRICT")
        conn.execute("INSERT INTO probe_samples VALUES ('web', ?, 'UP', 1, 12.5, '200', NULL)",
                     (int(T0.timestamp() * 1000),))
    conn.close()
    with Ledger.open(tmp_path / "billing.sqlite", "demo", "ana") as ledger:
        assert ledger.recent_samples("web") == [sample("web", 0)]  # kept, with no reading
        ledger.record_samples([SampleRow("cpu", T0, "UP", True, None, "cpu 5.0%", None, metric=5.0)])
        assert ledger.recent_samples("cpu")[0].metric == 5.0


def test_latest_then_after_read_each_sample_once_in_the_order_stored(ledger):
    ledger.record_samples([sample("web", m) for m in range(5)] + [sample("db", 1)])
    latest, position = ledger.samples.latest(["web", "db", "api"], limit=3)
    assert [r.at for r in latest["web"]] == [T0 + timedelta(minutes=m) for m in (2, 3, 4)]  # oldest first
    assert latest["db"] == [sample("db", 1)] and latest["api"] == []
    assert ledger.samples.after(position) == ([], position)
    ledger.record_samples([sample("web", 5), sample("db", 5)])
    newer, position = ledger.samples.after(position)
    assert newer == [sample("web", 5), sample("db", 5)]
    assert ledger.samples.after(position) == ([], position)


def test_uptime_counts_per_bucket_leave_out_unknown_and_later_samples(ledger):
    ledger.record_samples([sample("web", 0), sample("web", 0.5, "DOWN", ok=False), sample("web", 1),
                           sample("web", 1.5, "UNKNOWN", ok=False), sample("web", 30, "PENDING", ok=False)])
    _, position = ledger.samples.latest(["web"], limit=1)
    ledger.record_samples([sample("web", 31)])  # after the position: not counted
    start = T0.timestamp()
    counts = ledger.samples.uptime_counts(["web"], T0, 60, position)
    assert counts == {"web": [(start, 1, 1), (start + 60, 1, 0), (start + 30 * 60, 1, 0)]}
