"""The tables of a ledger file: the event log, the projection and a little metadata."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

# Bump SCHEMA_VERSION when the tables change (and add a migration); bump PROJECTION_VERSION when
# the fold rules change, and open() rebuilds the projection from the events.
SCHEMA_VERSION = 1
PROJECTION_VERSION = 1

EVENT_COLUMNS = ("id", "deployment", "run", "operator", "node", "seq", "prev", "hlc", "kind", "subject", "body")
PROJECTION_TABLES = ("step_state", "check_state", "notes")


def _database(conn: sqlite3.Connection) -> Database:
    # sqlite-utils only issues DDL here; transactions stay ours (no PRAGMAs, no plugins).
    # Imported on first use: opening an existing ledger never needs it, and start-up is measured.
    from sqlite_utils import Database

    return Database(conn, recursive_triggers=False, execute_plugins=False)


def table_names(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [name for (name,) in rows]


def create(conn: sqlite3.Connection) -> None:
    """Create whatever is missing; call inside the caller's write transaction."""
    from . import samples

    if {"meta", "events", "probe_samples", *PROJECTION_TABLES} <= set(table_names(conn)):
        _create_late_indexes(conn)
        return  # the common case: an existing ledger
    samples.create(conn)
    db = _database(conn)
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"key", "value"},
                      if_not_exists=True, strict=True)
    # The log. `seq` is gap-free per operator locally, but deliberately not UNIQUE: a future
    # INSERT OR IGNORE import must not silently drop an event over a duplicated seq.
    db["events"].create(
        {"id": str, "deployment": str, "run": str, "operator": str, "node": str, "seq": int,
         "prev": str, "hlc": int, "kind": str, "subject": str, "body": str},
        pk="id", not_null=set(EVENT_COLUMNS), column_order=list(EVENT_COLUMNS),
        if_not_exists=True, strict=True,
    )
    events = db["events"]
    events.create_index(["run", "hlc", "operator", "id"], index_name="events_in_fold_order", if_not_exists=True)
    events.create_index(["run", "subject", "hlc", "operator", "id"], index_name="events_by_subject", if_not_exists=True)
    events.create_index(["deployment", "operator", "seq"], index_name="events_by_operator_seq", if_not_exists=True)
    events.create_index(["hlc"], index_name="events_by_hlc", if_not_exists=True)

    # The projection: derived from the events, so it may be dropped and refilled at any time.
    db["step_state"].create(
        {"run": str, "step_id": str, "status": str, "started_hlc": int, "finished_hlc": int,
         "by": str, "note": str, "hlc": int, "event_id": str},
        pk=("run", "step_id"), not_null={"run", "step_id", "status", "by", "hlc", "event_id"},
        if_not_exists=True, strict=True,
    )
    db["check_state"].create(
        {"run": str, "item_id": str, "ticked": int, "by": str, "hlc": int, "event_id": str},
        pk=("run", "item_id"), not_null={"run", "item_id", "ticked", "by", "hlc", "event_id"},
        if_not_exists=True, strict=True,
    )
    db["notes"].create(
        {"event_id": str, "run": str, "hlc": int, "operator": str, "subject": str, "text": str},
        pk="event_id", not_null={"event_id", "run", "hlc", "operator", "subject", "text"},
        if_not_exists=True, strict=True,
    )
    db["notes"].create_index(["run", "hlc", "operator", "event_id"], index_name="notes_in_fold_order",
                             if_not_exists=True)
    _create_late_indexes(conn)


def _create_late_indexes(conn: sqlite3.Connection) -> None:
    """Indexes added after ledgers already existed; IF NOT EXISTS makes this cheap to repeat."""
    # The last event of one kind by one operator (e.g. which runbook it last loaded), without
    # scanning the operator's whole history.
    conn.execute("CREATE INDEX IF NOT EXISTS events_by_operator_kind ON events (deployment, operator, run, kind, seq)")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
