"""The projection tables: kept up to date event by event, read back as a RunState, hashed, refolded.

Invariant: the projection equals the fold of every event in the `events` table. `apply` keeps it
when the event sorts after all other events of its run, which local appends guarantee (their clock
is above every clock in the file). An import that brings events sorting among those already folded
refolds what they touch (`refold_subjects`), or everything (`refold_all`) when it brings many.
Table and column names come from the registered reducers, never from input.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator

from .aggregate import REGISTRY, Key, Reducer, reducers_for
from .events import Event, canonical_json
from .schema import EVENT_COLUMNS
from .state import RunState

_SELECT_EVENTS = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events"
# A stored body is canonical JSON, with no whitespace around it for json.loads to skip: raw_decode
# leaves that out, which a refold of 100,000 events notices.
_read_json = json.JSONDecoder().raw_decode
# Folded rows of several runs: reducer name -> (run, *key) -> row.
Folded = dict[str, dict[tuple[str, ...], tuple]]


class Unseen:
    """The default of `seen`: the caller expects nothing (None would mean 'no event yet')."""


UNSEEN = Unseen()


def apply(conn: sqlite3.Connection, event: Event) -> None:
    """Fold one event onto the projection. Kinds no reducer owns are in the log but change nothing."""
    fold_onto(conn, [event])


def fold_onto(conn: sqlite3.Connection, events: Iterable[Event]) -> None:
    """Fold events, in fold order, onto the rows they change, in memory, then write those rows.
    Each event must sort after every event already folded into its rows (see `late_subjects`)."""
    def held(r: Reducer, key: tuple[str, ...]) -> tuple | None:
        return None if r.per_event else _read_row(conn, r, key[0], key[1:])

    _write(conn, fold_rows(events, held))


def late_subjects(conn: sqlite3.Connection, events: Iterable[Event]) -> set[tuple[str, str]]:
    """The (run, subject) pairs of `events` (not yet inserted) that some event already held sorts
    after: folding them onto the rows as they are would be wrong, so those subjects are refolded.
    Events only per-event reducers fold are never late."""
    newest: dict[tuple[str, str], tuple | None] = {}
    late = set()
    for event in events:
        if all(r.per_event for r in reducers_for(event.kind)):
            continue
        pair = (event.run, event.subject)
        if pair not in newest:
            newest[pair] = conn.execute(
                "SELECT hlc, operator, id FROM events WHERE run = ? AND subject = ? "
                "ORDER BY hlc DESC, operator DESC, id DESC LIMIT 1", pair).fetchone()
        held = newest[pair]
        if held is not None and event.order_key < tuple(held):
            late.add(pair)
    return late


def last_change(conn: sqlite3.Connection, event: Event) -> tuple[str, int] | None:
    """(id, hlc) of the last event that changed the row `event` would change, for the first of
    its reducers that keeps one; None when the row has no event yet."""
    for r in reducers_for(event.kind):
        if "event_id" in r.value_columns:
            row = _read_row(conn, r, event.run, r.key(event))
            return None if row is None else (getattr(row, "event_id"), getattr(row, "hlc"))  # noqa: B009
    return None


def _read_row(conn: sqlite3.Connection, r: Reducer, run: str, key: Key) -> tuple | None:
    where = " AND ".join(f"{column} = ?" for column in r.key_columns)
    found = conn.execute(f"SELECT {', '.join(r.value_columns)} FROM {r.table} WHERE run = ? AND {where}",
                         (run, *key)).fetchone()
    return None if found is None else r.row_type(*found)


def _upsert(r: Reducer) -> str:
    return f"INSERT OR REPLACE INTO {r.table} ({', '.join(r.columns)}) VALUES ({', '.join('?' for _ in r.columns)})"


def clear(conn: sqlite3.Connection) -> None:
    for r in REGISTRY:
        conn.execute(f"DELETE FROM {r.table}")


def refold_all(conn: sqlite3.Connection) -> None:
    """The whole projection folded afresh from every event: in memory, then written in one go."""
    clear(conn)
    _write(conn, fold_rows(events_from_rows(conn.execute(f"{_SELECT_EVENTS} ORDER BY run, hlc, operator, id"))))


def refold_subjects(conn: sqlite3.Connection, subjects: Iterable[tuple[str, str]]) -> None:
    """Fold afresh every row the events of these (run, subject) pairs touch. A row's key is made
    from its events' subject (and their body), so all events of a subject rebuild all its rows."""
    for run, subject in sorted(set(subjects)):
        rows = conn.execute(f"{_SELECT_EVENTS} WHERE run = ? AND subject = ? ORDER BY hlc, operator, id",
                            (run, subject))
        _write(conn, fold_rows(events_from_rows(rows)))


def fold_rows(events: Iterable[Event],
              held: Callable[[Reducer, tuple[str, ...]], tuple | None] | None = None) -> Folded:
    """Events already in fold order, folded in memory into rows of every reducer. `held(r, key)`
    gives a row's state before the first of them (none: folded from nothing)."""
    folded: Folded = {r.name: {} for r in REGISTRY}
    for event in events:
        for r in reducers_for(event.kind):
            key = (event.run, *r.key(event))
            table = folded[r.name]
            before = table[key] if key in table else held(r, key) if held else None
            table[key] = r.fold(before, event)
    return folded


def _write(conn: sqlite3.Connection, folded: Folded) -> None:
    for r in REGISTRY:
        rows = folded.get(r.name)
        if rows:
            conn.executemany(_upsert(r), ((*key, *row) for key, row in rows.items()))


def events_from_rows(rows: Iterable[tuple]) -> Iterator[Event]:
    """Rows selected as EVENT_COLUMNS as events (the body is JSON text)."""
    for event_id, deployment, run, operator, node, seq, prev, hlc, kind, subject, body in rows:
        yield Event.from_fields({"id": event_id, "deployment": deployment, "run": run, "operator": operator,
                                 "node": node, "seq": seq, "prev": prev, "hlc": hlc, "kind": kind,
                                 "subject": subject, "body": _read_json(body)[0], "_body_json": body})


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
    section only when it has rows, and a column added later only when set, so a ledger keeps its
    hash when a release learns a new kind of state that the ledger does not hold."""
    digest = hashlib.sha256()
    for r in REGISTRY:
        if not r.hashed:
            continue
        rows = conn.execute(f"SELECT {', '.join(r.columns)} FROM {r.table} ORDER BY {r.order()}").fetchall()
        if not rows and not r.hash_if_empty:
            continue
        optional = {r.columns.index(name) for name in r.hashed_when_set}
        digest.update(f"[{r.table}]\n".encode())
        for row in rows:
            hashed = [value for i, value in enumerate(row) if value is not None or i not in optional]
            digest.update(canonical_json(hashed).encode("utf-8") + b"\n")
    return digest.hexdigest()


