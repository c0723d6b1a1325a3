"""Probe samples: high-volume local measurements in a file of their own beside the ledger.

Only probe state *changes* become ledger events; every check lands here so the board can show
history and uptime, and old rows are pruned (24 h by default). They are this machine's
measurements: never events, never synced, and kept out of the ledger file so that the event log
stays small and holds nothing but what operators share.

They are also how the consoles of one machine share one prober (see store/prober.py): the others
read what it wrote (`after`), and a console that starts or takes over picks up the uptime, the
sparkline and the streaks where they were (`latest`, `uptime_counts`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_RETENTION_MS = 24 * 3600 * 1000
# The columns of schema 1's table in the ledger, which the schema-2 migration copies over.
COLUMNS = "probe, at_ms, state, ok, response_time_ms, value, reason"
ALL_COLUMNS = f"{COLUMNS}, metric"


@dataclass(frozen=True)
class SampleRow:
    probe: str
    at: datetime
    state: str
    ok: bool
    response_time_ms: float | None
    value: str
    reason: str | None
    metric: float | None = None  # a host probe's reading (its sparkline); None for other kinds


def samples_path(ledger_path: Path) -> Path:
    """`billing.sqlite` -> `billing.samples.sqlite`, in the ledger's own (private) folder."""
    return ledger_path.with_name(f"{ledger_path.stem}.samples{ledger_path.suffix or '.sqlite'}")


class ProbeSamples:
    """The samples file, opened on first use: start-up and the command line never pay for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def record(self, rows: Iterable[SampleRow], retention_ms: int = DEFAULT_RETENTION_MS) -> int:
        """Store a batch in one transaction and drop what is older than the retention."""
        values = [_values(r) for r in rows]
        if values:
            newest_ms = max(at_ms for _, at_ms, *_ in values)
            self._insert(ALL_COLUMNS, values, prune_before_ms=newest_ms - retention_ms)
        return len(values)

    def insert_columns(self, values: list[tuple], prune_before_ms: int | None = None) -> None:
        """Rows in schema 1's column order (`COLUMNS`, no metric), in one transaction; a sample
        already stored (same probe and time) is kept once."""
        self._insert(COLUMNS, values, prune_before_ms)

    def _insert(self, columns: str, values: list[tuple], prune_before_ms: int | None) -> None:
        marks = ", ".join("?" for _ in columns.split(","))
        with self._lock, self._transaction() as conn:
            conn.executemany(f"INSERT OR IGNORE INTO probe_samples ({columns}) VALUES ({marks})", values)
            if prune_before_ms is not None:
                conn.execute("DELETE FROM probe_samples WHERE at_ms < ?", (prune_before_ms,))

    def recent(self, probe: str, limit: int) -> list[SampleRow]:
        """A probe's latest samples, newest first."""
        with self._lock, self._transaction() as conn:
            rows = conn.execute(f"SELECT {ALL_COLUMNS} FROM probe_samples WHERE probe = ? ORDER BY at_ms DESC LIMIT ?",
                                (probe, limit)).fetchall()
        return [_row(found) for found in rows]

    def latest(self, probes: Iterable[str], limit: int) -> tuple[dict[str, list[SampleRow]], int]:
        """Each probe's latest `limit` samples, oldest first, and the position to read on from
        with `after` (what is stored now, whoever stored it, is in the first answer)."""
        with self._lock, self._transaction() as conn:
            position = conn.execute("SELECT coalesce(max(rowid), 0) FROM probe_samples").fetchone()[0]
            found = {probe: conn.execute(f"SELECT {ALL_COLUMNS} FROM probe_samples WHERE probe = ? AND rowid <= ? "
                                         "ORDER BY at_ms DESC LIMIT ?", (probe, position, limit)).fetchall()
                     for probe in probes}
        return {probe: [_row(r) for r in reversed(rows)] for probe, rows in found.items()}, position

    def after(self, position: int, limit: int = 10_000) -> tuple[list[SampleRow], int]:
        """Samples stored after `position` (from `latest` or an earlier `after`), in the order
        they were stored, and the position to read on from. Rows only ever get higher rowids:
        pruning takes the oldest, never the newest."""
        with self._lock, self._transaction() as conn:
            rows = conn.execute(f"SELECT rowid, {ALL_COLUMNS} FROM probe_samples WHERE rowid > ? ORDER BY rowid "
                                "LIMIT ?", (position, limit)).fetchall()
        return [_row(found[1:]) for found in rows], (rows[-1][0] if rows else position)

    def uptime_counts(self, probes: Iterable[str], since: datetime, width_s: int,
                      upto: int) -> dict[str, list[tuple[float, int, int]]]:
        """For uptime: per probe, (bucket start in seconds, checks counted up, checks DOWN) in
        buckets of `width_s` seconds from `since`, oldest first, of the samples up to position
        `upto` (from `latest`). UNKNOWN checks (this machine offline) are left out, as the trackers
        leave them out."""
        wanted = set(probes)
        width_ms = int(width_s * 1000)
        with self._lock, self._transaction() as conn:
            rows = conn.execute(
                "SELECT probe, at_ms / ? * ?, sum(state != 'DOWN'), sum(state = 'DOWN') FROM probe_samples "
                "WHERE at_ms >= ? AND rowid <= ? AND state != 'UNKNOWN' GROUP BY probe, at_ms / ? ORDER BY probe, 2",
                (width_ms, width_ms, int(since.timestamp() * 1000), upto, width_ms)).fetchall()
        counts: dict[str, list[tuple[float, int, int]]] = {probe: [] for probe in wanted}
        for probe, start_ms, up, down in rows:
            if probe in wanted:
                counts[probe].append((start_ms / 1000, up, down))
        return counts

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _transaction(self):
        if self._conn is None:
            from .opening import open_samples_connection  # here: opening imports schema, which imports this

            self._conn = open_samples_connection(self.path)
            create(self._conn)
        return self._conn  # sqlite3's context manager: commit, or roll back on error


def create(conn: sqlite3.Connection) -> None:
    with conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS probe_samples (probe TEXT NOT NULL, at_ms INTEGER NOT NULL, "
            "state TEXT NOT NULL, ok INTEGER NOT NULL, response_time_ms REAL, value TEXT NOT NULL, reason TEXT, "
            "metric REAL, UNIQUE (probe, at_ms)) STRICT"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS probe_samples_by_age ON probe_samples (at_ms)")
        # A file made before host readings were kept (the sparkline of a host probe after a restart).
        if "metric" not in {column[1] for column in conn.execute("PRAGMA table_info(probe_samples)")}:
            conn.execute("ALTER TABLE probe_samples ADD COLUMN metric REAL")


def _values(row: SampleRow) -> tuple:
    return (row.probe, int(row.at.timestamp() * 1000), row.state, int(row.ok), row.response_time_ms, row.value,
            row.reason, row.metric)


def _row(found: tuple) -> SampleRow:
    probe, at_ms, state, ok, response_time_ms, value, reason, metric = found
    return SampleRow(probe, datetime.fromtimestamp(at_ms / 1000, UTC), state, bool(ok), response_time_ms, value,
                     reason, metric)
