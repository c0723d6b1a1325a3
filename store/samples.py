"""Probe samples: high-volume, local-only measurements kept for a while, never synced.

Only probe state *changes* become ledger events; every check lands here so the board can show
history and uptime, and old rows are pruned (24 h by default).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

DEFAULT_RETENTION_MS = 24 * 3600 * 1000
_COLUMNS = "probe, at_ms, state, ok, response_time_ms, value, reason"


@dataclass(frozen=True)
class SampleRow:
    probe: str
    at: datetime
    state: str
    ok: bool
    response_time_ms: float | None
    value: str
    reason: str | None


def create(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS probe_samples (probe TEXT NOT NULL, at_ms INTEGER NOT NULL, "
        "state TEXT NOT NULL, ok INTEGER NOT NULL, response_time_ms REAL, value TEXT NOT NULL, reason TEXT) STRICT"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS probe_samples_by_time ON probe_samples (probe, at_ms)")
    conn.execute("CREATE INDEX IF NOT EXISTS probe_samples_by_age ON probe_samples (at_ms)")


def insert(conn: sqlite3.Connection, rows: Iterable[SampleRow]) -> int:
    values = [
        (r.probe, int(r.at.timestamp() * 1000), r.state, int(r.ok), r.response_time_ms, r.value, r.reason)
        for r in rows
    ]
    conn.executemany(f"INSERT INTO probe_samples ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", values)
    return len(values)


def prune(conn: sqlite3.Connection, before_ms: int) -> int:
    return conn.execute("DELETE FROM probe_samples WHERE at_ms < ?", (before_ms,)).rowcount


def recent(conn: sqlite3.Connection, probe: str, limit: int) -> list[SampleRow]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM probe_samples WHERE probe = ? ORDER BY at_ms DESC LIMIT ?", (probe, limit)
    )
    return [
        SampleRow(p, datetime.fromtimestamp(at / 1000, timezone.utc), state, bool(ok), rt, value, reason)
        for p, at, state, ok, rt, value, reason in rows
    ]
