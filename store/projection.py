"""The projection tables: kept up to date event by event, read back as a RunState, hashed, cleared.

Invariant: the projection equals the fold of every event in the `events` table. `apply` keeps it
only when the event sorts after all other events of its run, which local appends guarantee (their
clock is above every clock in the file). An import that brings older events must rebuild instead.
Table and column names come from the registered reducers, never from input.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

from .aggregate import REGISTRY, Key, Reducer, reducers_for
from .events import Event, canonical_json
from .state import RunState


class Unseen:
    """The default of `seen`: the caller expects nothing (None would mean 'no event yet')."""


UNSEEN = Unseen()


class ChangedSince(Exception):
    """A row `apply` was to change was last changed by another event than the one seen: `event_id`
    is that event's id (None: the row has none). The ledger turns it into StateChanged."""

    def __init__(self, event_id: str | None) -> None:
        super().__init__(event_id)
        self.event_id = event_id


def apply(conn: sqlite3.Connection, event: Event, *, seen: str | None | Unseen = UNSEEN) -> None:
    """Fold one event onto the projection. Kinds no reducer owns are in the log but change nothing.

    `seen`: the id of the event expected to have changed each row last (None: none has); any
    other raises ChangedSince, checked on the row read for the fold. Aggregates whose rows keep
    no `event_id` take no part."""
    for r in reducers_for(event.kind):
        key = r.key(event)
        before = _read_row(conn, r, event.run, key)
        if not isinstance(seen, Unseen) and "event_id" in r.value_columns:
            last = getattr(before, "event_id", None)
            if last != seen:
                raise ChangedSince(last)
        row = r.fold(before, event)
        placeholders = ", ".join("?" for _ in r.columns)
        conn.execute(f"INSERT OR REPLACE INTO {r.table} ({', '.join(r.columns)}) VALUES ({placeholders})",
                     (event.run, *key, *row))


def _read_row(conn: sqlite3.Connection, r: Reducer, run: str, key: Key) -> tuple | None:
    where = " AND ".join(f"{column} = ?" for column in r.key_columns)
    found = conn.execute(f"SELECT {', '.join(r.value_columns)} FROM {r.table} WHERE run = ? AND {where}",
                         (run, *key)).fetchone()
    return None if found is None else r.row_type(*found)


def clear(conn: sqlite3.Connection) -> None:
    for r in REGISTRY:
        conn.execute(f"DELETE FROM {r.table}")


def read_state(conn: sqlite3.Connection, run: str, skip: Iterable[str] = ()) -> RunState:
    """The run's rows of every aggregate but those in `skip`."""
    skipped = set(skip)
    rows = {}
    for r in REGISTRY:
        if r.name in skipped:
            continue
        width = len(r.key_columns)
        query = f"SELECT {', '.join(r.columns[1:])} FROM {r.table} WHERE run = ?"
        rows[r.name] = {tuple(found[:width]): r.row_type(*found[width:]) for found in conn.execute(query, (run,))}
    return RunState(rows)


def state_hash(conn: sqlite3.Connection) -> str:
    """sha256 over every hashed projection row of every run in a fixed order: two replicas holding
    the same events get the same hash, whatever order the events arrived in.

    Each reducer is one section, in registration order. A reducer added after schema 1 adds its
    section only when it has rows, so a ledger keeps its hash when a release learns a new kind of
    state that the ledger does not hold."""
    digest = hashlib.sha256()
    for r in REGISTRY:
        if not r.hashed:
            continue
        rows = conn.execute(f"SELECT {', '.join(r.columns)} FROM {r.table} ORDER BY {r.order()}").fetchall()
        if not rows and not r.hash_if_empty:
            continue
        digest.update(f"[{r.table}]\n".encode())
        for row in rows:
            digest.update(canonical_json(list(row)).encode("utf-8") + b"\n")
    return digest.hexdigest()
