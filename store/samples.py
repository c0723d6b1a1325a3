"""Probe samples: high-volume local measurements in a file of their own beside the ledger.

Only probe state *changes* become ledger events; every check lands here so the board can show
history and uptime, and old rows are pruned (24 h by default). They are this machine's
measurements: never events, never synced, and kept out of the ledger file so that the event log
stays small and holds nothing but what operators share.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_RETENTION_MS = 24 * 3600 * 1000
COLUMNS = "probe, at_ms, state, ok, response_time_ms, value, reason"


@dataclass(frozen=True)
class SampleRow:
    probe: str
    at: datetime
    state: str
    ok: bool
    response_time_ms: float | None
    value: str
    reason: str | None


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
            self.insert_columns(values, prune_before_ms=newest_ms - retention_ms)
        return len(values)

    def insert_columns(self, values: list[tuple], prune_before_ms: int | None = None) -> None:
        """Rows already in the table's column order (`COLUMNS`), in one transaction; a sample
        already stored (same probe and time) is kept once."""
        with self._lock, self._transaction() as conn:
            conn.executemany(f"INSERT OR IGNORE INTO probe_samples ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", values)
            if prune_before_ms is not None:
                conn.execute("DELETE FROM probe_samples WHERE at_ms < ?", (prune_before_ms,))

    def recent(self, probe: str, limit: int) -> list[SampleRow]:
        """A probe's latest samples, newest first."""
        with self._lock, self._transaction() as conn:
            rows = conn.execute(f"SELECT {COLUMNS} FROM probe_samples WHERE probe = ? ORDER BY at_ms DESC LIMIT ?",
                                (probe, limit)).fetchall()
        return [SampleRow(p, datetime.fromtimestamp(at / 1000, UTC), state, bool(ok), rt, value, reason)
                for p, at, state, ok, rt, value, reason in rows]

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
    conn.execute(
        "CREATE TABLE IF NOT EXISTS probe_samples (probe TEXT NOT NULL, at_ms INTEGER NOT NULL, "
        "state TEXT NOT NULL, ok INTEGER NOT NULL, response_time_ms REAL, value TEXT NOT NULL, reason TEXT, "
        "UNIQUE (probe, at_ms)) STRICT"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS probe_samples_by_age ON probe_samples (at_ms)")


def _values(row: SampleRow) -> tuple:
    return (row.probe, int(row.at.timestamp() * 1000), row.state, int(row.ok), row.response_time_ms, row.value,
            row.reason)
