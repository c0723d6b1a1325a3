"""Probe samples: stored in batches, read newest first, pruned by age, never events."""

from __future__ import annotations

from datetime import timedelta

from support import T0
from warroom.store import SampleRow


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


def test_samples_table_added_to_an_existing_ledger(open_ledger):
    with open_ledger() as ledger:
        ledger.append("step.done", "backup")
        ledger._connection().execute("DROP TABLE probe_samples")  # a ledger from before samples existed
    with open_ledger() as ledger:
        ledger.record_samples([sample("web", 0)])
        assert len(ledger.recent_samples("web")) == 1 and ledger.state().step("backup").status == "done"
