"""The tables of a ledger file, its schema version, and the path from every older version.

A ledger written by any release opens in every later one: `migrate` brings it forward one version
at a time, inside the opening transaction, and keeps every event. The projection tables are
derived, so a migration may drop them; `Ledger.open` refolds whenever PROJECTION_VERSION moved.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import samples
from .aggregate import REGISTRY

if TYPE_CHECKING:
    from sqlite_utils import Database

# Bump SCHEMA_VERSION when the tables change, with a migration below; bump PROJECTION_VERSION when
# the fold rules change, and open() rebuilds the projection from the events.
SCHEMA_VERSION = 4
PROJECTION_VERSION = 4

EVENT_COLUMNS = ("id", "deployment", "run", "operator", "node", "seq", "prev", "hlc", "kind", "subject", "body")


def table_names(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [name for (name,) in rows]


def database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over our connection, for DDL only: transactions stay ours (no PRAGMAs, no
    plugins). Imported on first use: opening an existing ledger never needs it."""
    from sqlite_utils import Database

    return Database(conn, recursive_triggers=False, execute_plugins=False)


def create(conn: sqlite3.Connection) -> None:
    """Create whatever is missing; call inside the caller's write transaction."""
    if {"meta", "events", *SYNC_TABLES, *(r.table for r in REGISTRY)} <= set(table_names(conn)):
        return  # the common case: an existing ledger
    db = database(conn)
    # db.table(name), not db[name]: every name here is a table (db[name] may also give a view).
    db.table("meta").create({"key": str, "value": str}, pk="key", not_null={"key", "value"},
                            if_not_exists=True, strict=True)
    # The log. `seq` is gap-free per writer (operator and node), but deliberately not UNIQUE: an
    # INSERT OR IGNORE import must not silently drop an event over a duplicated seq.
    db.table("events").create(
        {"id": str, "deployment": str, "run": str, "operator": str, "node": str, "seq": int,
         "prev": str, "hlc": int, "kind": str, "subject": str, "body": str},
        pk="id", not_null=set(EVENT_COLUMNS), column_order=list(EVENT_COLUMNS),
        if_not_exists=True, strict=True,
    )
    _create_event_indexes(conn)
    _create_sync_tables(conn)
    # The projection: derived from the events, so it may be dropped and refilled at any time.
    for r in REGISTRY:
        db.table(r.table).create(r.column_types(), pk=("run", *r.key_columns), not_null=r.not_null(),
                                 column_order=list(r.columns), if_not_exists=True, strict=True)
        if r.hash_order:  # read back and hashed in this order
            db.table(r.table).create_index(["run", *r.hash_order.replace(" ", "").split(",")],
                                           index_name=f"{r.table}_in_order", if_not_exists=True)


EVENT_INDEXES = (
    "events_in_fold_order ON events (run, hlc, operator, id)",
    "events_by_subject ON events (run, subject, hlc, operator, id)",
    # each writer's chain: its last seq, what it has not exported yet, the gaps in a peer's
    "events_by_writer ON events (deployment, operator, node, seq)",
    "events_by_hlc ON events (hlc)",
    # which runbook each operator last loaded, without a scan; partial, so that the other events
    # (nearly all) cost nothing to insert here
    "events_runbook_loads ON events (deployment, operator, run, hlc) WHERE kind = 'runbook.loaded'",
)
SYNC_TABLES = ("sync_segments", "clock_flags")


def _create_event_indexes(conn: sqlite3.Connection) -> None:
    for index in EVENT_INDEXES:
        conn.execute(f"CREATE INDEX IF NOT EXISTS {index}")


def _create_sync_tables(conn: sqlite3.Connection) -> None:
    """What sync keeps besides the events: every segment file met in the export and what became of
    it (a quarantined one keeps its bytes, to be trusted later without the export), and the
    imported events whose clock ran far ahead of ours."""
    conn.execute("""CREATE TABLE IF NOT EXISTS sync_segments (
        writer TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL,
        operator TEXT NOT NULL, node TEXT NOT NULL, key TEXT NOT NULL, first INTEGER NOT NULL,
        last INTEGER NOT NULL, events INTEGER NOT NULL, size INTEGER NOT NULL, data BLOB,
        at INTEGER NOT NULL, PRIMARY KEY (writer, name)) STRICT""")
    conn.execute("CREATE INDEX IF NOT EXISTS sync_segments_by_outcome ON sync_segments (outcome, writer)")
    conn.execute("""CREATE TABLE IF NOT EXISTS clock_flags (
        event_id TEXT NOT NULL PRIMARY KEY, ahead_ms INTEGER NOT NULL) STRICT""")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# --- migrations ---------------------------------------------------------------------------------

def _to_2(conn: sqlite3.Connection, path: Path) -> None:
    """Schema 2: probe samples move to a file of their own; the projection tables become the
    registered reducers' (dropped here, created and refolded on open)."""
    tables = table_names(conn)
    if "probe_samples" in tables:
        rows = conn.execute(f"SELECT {samples.COLUMNS} FROM probe_samples").fetchall()
        if rows:
            # Committed to the samples file before the table is dropped here: a crash in between
            # leaves both copies, and the next open copies again without doubling.
            target = samples.ProbeSamples(samples.samples_path(path))
            try:
                target.insert_columns(rows)
            finally:
                target.close()
        conn.execute("DROP TABLE probe_samples")
    for table in ("step_state", "check_state", "notes"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    set_meta(conn, "projection", "0")


def _to_3(conn: sqlite3.Connection, path: Path) -> None:
    """Schema 3: the chain is per writer (an operator on one device), not per operator name, so one
    person on a laptop and on a jump host no longer fork it; the step and check rows learn their
    conflicts; sync keeps its segments and clock flags. Every event stays as it was."""
    conn.execute("DROP INDEX IF EXISTS events_by_operator_seq")
    conn.execute("DROP INDEX IF EXISTS events_by_operator_kind")
    _create_event_indexes(conn)
    _create_sync_tables(conn)
    for table in ("step_state", "check_state"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    set_meta(conn, "projection", "0")


def _to_4(conn: sqlite3.Connection, path: Path) -> None:
    """Schema 4: checklist items learn outcomes (failed, blocked, waived) and their note; the
    tables of sign-offs, decisions, incidents, status updates, the rollback and roles are new
    (create() adds them). Every event stays as it was."""
    conn.execute("DROP TABLE IF EXISTS check_state")
    set_meta(conn, "projection", "0")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection, Path], None]] = {2: _to_2, 3: _to_3, 4: _to_4}
assert sorted(MIGRATIONS) == list(range(2, SCHEMA_VERSION + 1)), "one migration per schema version"


def migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """From `version` to SCHEMA_VERSION, inside the caller's write transaction."""
    for target in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[target](conn, path)
        set_meta(conn, "schema", str(target))

