"""The projection tables: kept up to date event by event, read back as a RunState, hashed, cleared.

Invariant: the projection equals the fold of every event in the `events` table. `apply` keeps it
only when the event sorts after all other events of its run, which local appends guarantee (their
clock is above every clock in the file). An import that brings older events must rebuild instead.
"""

from __future__ import annotations

import hashlib
import sqlite3
from types import MappingProxyType

from .events import CHECK_KINDS, NOTE_ADDED, STEP_KINDS, Event, canonical_json
from .state import CheckRow, NoteRow, RunState, StepRow, check_state, fold_check, fold_step, note_entry, note_row, step_state
from .schema import PROJECTION_TABLES

_STEP_COLUMNS = "status, started_hlc, finished_hlc, by, note, hlc, event_id"
_CHECK_COLUMNS = "ticked, by, hlc, event_id"
_NOTE_COLUMNS = "event_id, hlc, operator, subject, text"


def apply(conn: sqlite3.Connection, event: Event) -> None:
    """Fold one event onto the projection. Unknown kinds are in the log but change nothing."""
    if event.kind in STEP_KINDS:
        found = conn.execute(
            f"SELECT {_STEP_COLUMNS} FROM step_state WHERE run = ? AND step_id = ?", (event.run, event.subject)
        ).fetchone()
        row = fold_step(StepRow(*found) if found else None, event)
        conn.execute(
            f"INSERT INTO step_state (run, step_id, {_STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (run, step_id) DO UPDATE SET status = excluded.status, "
            "started_hlc = excluded.started_hlc, finished_hlc = excluded.finished_hlc, by = excluded.by, "
            "note = excluded.note, hlc = excluded.hlc, event_id = excluded.event_id",
            (event.run, event.subject, *row),
        )
    elif event.kind in CHECK_KINDS:
        row = fold_check(event)
        conn.execute(
            f"INSERT INTO check_state (run, item_id, {_CHECK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (run, item_id) DO UPDATE SET ticked = excluded.ticked, by = excluded.by, "
            "hlc = excluded.hlc, event_id = excluded.event_id",
            (event.run, event.subject, int(row.ticked), row.by, row.hlc, row.event_id),
        )
    elif event.kind == NOTE_ADDED:
        conn.execute(f"INSERT INTO notes (run, {_NOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                     (event.run, *note_row(event)))


def clear(conn: sqlite3.Connection) -> None:
    for table in PROJECTION_TABLES:  # fixed names from schema.py, never user input
        conn.execute(f"DELETE FROM {table}")


def read_state(conn: sqlite3.Connection, run: str, with_notes: bool = True) -> RunState:
    steps = {
        step_id: step_state(StepRow(*rest))
        for step_id, *rest in conn.execute(f"SELECT step_id, {_STEP_COLUMNS} FROM step_state WHERE run = ?", (run,))
    }
    checks = {
        item_id: check_state(CheckRow(*rest))
        for item_id, *rest in conn.execute(f"SELECT item_id, {_CHECK_COLUMNS} FROM check_state WHERE run = ?", (run,))
    }
    notes = tuple(
        note_entry(NoteRow(*row))
        for row in conn.execute(
            f"SELECT {_NOTE_COLUMNS} FROM notes WHERE run = ? ORDER BY hlc, operator, event_id", (run,)
        )
    ) if with_notes else ()
    return RunState(steps=MappingProxyType(steps), checks=MappingProxyType(checks), notes=notes)


def state_hash(conn: sqlite3.Connection) -> str:
    """sha256 over every projection row of every run in a fixed order: two replicas holding the
    same events get the same hash, whatever order the events arrived in."""
    digest = hashlib.sha256()
    queries = (
        f"SELECT run, step_id, {_STEP_COLUMNS} FROM step_state ORDER BY run, step_id",
        f"SELECT run, item_id, {_CHECK_COLUMNS} FROM check_state ORDER BY run, item_id",
        f"SELECT run, {_NOTE_COLUMNS} FROM notes ORDER BY run, hlc, operator, event_id",
    )
    for table, query in zip(PROJECTION_TABLES, queries):
        digest.update(f"[{table}]\n".encode())
        for row in conn.execute(query):
            digest.update(canonical_json(list(row)).encode("utf-8") + b"\n")
    return digest.hexdigest()
