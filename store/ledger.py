"""The Ledger: one deployment's append-only event log in a local SQLite file, plus its projection.

Every write is one `BEGIN IMMEDIATE` transaction on our own connection (sqlite-utils' plain BEGIN
can hit SQLITE_BUSY when two processes write), so an event and its effect on the projection are
committed together or not at all. One lock serialises the connection between the app's threads.

Events are written by an operator (a person, a script) or, for what a machine observes itself (a
probe changing state), by that machine: `probe@<node>`, with a seq/prev chain of its own.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from warroom.vocabulary import EventKind

from . import aggregate, projection, schema
from . import hlc as hlc_clock
from .aggregates.probes import PROBES, ProbeObservation
from .errors import LedgerError, StateChanged
from .events import Event, canonical_json, normalise_body
from .identity import node_id as default_node_id
from .kinds import validate
from .opening import IntegrityCheck, cannot_bring_up_to_date, explain, open_connection
from .projection import UNSEEN, Unseen
from .samples import DEFAULT_RETENTION_MS, ProbeSamples, SampleRow, samples_path
from .state import RunState

_EVENT_COLUMNS = ", ".join(schema.EVENT_COLUMNS)
_EVENT_PLACEHOLDERS = ", ".join("?" for _ in schema.EVENT_COLUMNS)
# Every operator who wrote to a deployment, by skipping from one to the next along the
# (deployment, operator, seq) index: a few seeks, where SELECT DISTINCT would read every event.
_OPERATORS = """
WITH RECURSIVE operators(name) AS (
    SELECT (SELECT min(operator) FROM events WHERE deployment = :deployment)
    UNION ALL
    SELECT (SELECT min(operator) FROM events WHERE deployment = :deployment AND operator > name)
    FROM operators WHERE name IS NOT NULL
)
SELECT name FROM operators WHERE name IS NOT NULL
"""
MACHINE_PREFIX = "probe@"
# What `Ledger.state(skip=...)` leaves out for a reader that shows no notes: they grow all day.
WITHOUT_NOTES = ("notes",)


def machine_operator(node: str) -> str:
    """Who records what this machine observes: `probe@<node>`, the same for every console on it."""
    return f"{MACHINE_PREFIX}{node}"


class Ledger:
    def __init__(self, conn: sqlite3.Connection, *, path: Path, deployment: str, operator: str, run: str,
                 node: str, runbook_sha256: str, clock: Callable[[], int], read_only_reason: str | None = None,
                 integrity: IntegrityCheck | None = None) -> None:
        # use Ledger.open(); this only wires up an already checked connection
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.Lock()
        self._clock = clock
        self._runbook_checked = not runbook_sha256
        self.path = path
        self.deployment = deployment
        self.operator = operator
        self.run = run
        self.node = node
        self.runbook_sha256 = runbook_sha256
        # Why nothing can be recorded here (an archived file, a read-only folder), as the sentence a
        # refused write shows; None while writes are allowed. The integrity check may still set it.
        self.read_only_reason = read_only_reason
        self._integrity = integrity
        self.samples = ProbeSamples(samples_path(path))

    # ---- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, deployment: str, operator: str, *, run: str = "live",
             runbook_sha256: str = "", node: str | None = None,
             clock: Callable[[], int] = hlc_clock.wall_clock_ms, read_only: bool = False) -> Ledger:
        """Open (or create) the ledger file of `deployment`. `clock` returns wall milliseconds;
        tests pass their own to move time, including backwards.

        A ledger that cannot be written (its file or folder is read-only) opens for reading, as
        it does with `read_only=True`; writes then raise a LedgerError saying why (`read_only_reason`).
        A writable one is integrity-checked in the background, and the first write waits for that."""
        for value, problem in ((deployment, "the deployment id is empty; check the runbook's id"),
                               (operator, "the operator name is empty; pass --operator NAME"),
                               (run, "the run name is empty; pass --run NAME")):
            if not isinstance(value, str) or not value.strip():
                raise LedgerError(problem)
        path = Path(path).expanduser()
        node = node or default_node_id()
        conn, read_only_reason, needs_check = open_connection(path, deployment, read_only=read_only)
        ledger = cls(conn, path=path, deployment=deployment, operator=operator, run=run, node=node,
                     runbook_sha256=runbook_sha256, clock=clock, read_only_reason=read_only_reason,
                     integrity=IntegrityCheck(path) if needs_check else None)
        try:
            ledger._refold_if_stale()
        except BaseException:
            ledger.close()
            raise
        return ledger

    def close(self) -> None:
        if self._integrity is not None:
            self._integrity.cancel()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        self.samples.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Ledger({str(self.path)!r}, deployment={self.deployment!r}, operator={self.operator!r}, "
                f"run={self.run!r})")

    # ---- writing -------------------------------------------------------------------------------

    def append(self, kind: str, subject: str = "", body: Mapping[str, Any] | None = None, *,
               seen: str | None | Unseen = UNSEEN) -> Event:
        """Record one event and fold it into the projection, durably (fsync) before returning.

        `seen`: the id of the last event the operator saw change this subject (None: none had),
        for an action prepared on what was on screen. If the subject has changed since, nothing
        is written and StateChanged says who changed it; checked in the write transaction, so no
        other process can slip in between."""
        return self._append_many([(kind, subject, body)], seen=seen)[0]

    @property
    def machine(self) -> str:
        return machine_operator(self.node)

    def append_observed(self, items: Iterable[tuple[str, str, Mapping[str, Any] | None]]) -> list[Event]:
        """Record what this machine observed (probe changes), in one transaction, as the machine
        (`probe@<node>`) rather than as the operator who happens to have the console open: whichever
        console probes, the changes form one chain. No runbook.loaded goes before them: that says
        which runbook an operator worked from."""
        return self._append_many(items, operator=self.machine)

    def _append_many(self, items: Iterable[tuple[str, str, Mapping[str, Any] | None]],
                     operator: str | None = None, *, seen: str | None | Unseen = UNSEEN) -> list[Event]:
        """Append several events in one transaction (one fsync); append() is the one-item case."""
        operator = operator or self.operator
        as_operator = operator == self.operator
        wanted = []
        for kind, subject, body in items:
            body = normalise_body(body)
            wanted.append((validate(kind, subject, body).value, subject, body))
        asked = len(wanted)
        if not asked:
            return []
        with self._lock, self._transaction(write=True) as conn:
            # read under the write lock, so that every process writing this file stays in one order
            seq, prev = self._last_of_operator(conn, operator)
            last_hlc = conn.execute("SELECT max(hlc) FROM events").fetchone()[0] or 0
            now_ms = self._clock()
            if as_operator and not self._runbook_checked and self._last_runbook_sha256(conn) != self.runbook_sha256:
                wanted.insert(0, (EventKind.RUNBOOK_LOADED.value, "", {"sha256": self.runbook_sha256}))
            appended: list[Event] = []
            last = len(wanted) - 1
            for i, (kind, subject, body) in enumerate(wanted):
                last_hlc = hlc_clock.tick(last_hlc, now_ms)
                seq += 1
                event = Event.create(deployment=self.deployment, run=self.run, operator=operator,
                                     node=self.node, seq=seq, prev=prev, hlc=last_hlc, kind=kind,
                                     subject=subject, body=body)
                conn.execute(f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({_EVENT_PLACEHOLDERS})",
                             _event_row(event))
                try:
                    self._apply(conn, event, seen=seen if i == last else UNSEEN)  # seen: of the asked event
                except projection.ChangedSince as changed:  # the transaction rolls back: nothing is written
                    raise StateChanged(_event_by_id(conn, changed.event_id)) from None
                prev = event.id
                appended.append(event)
        if as_operator:
            self._runbook_checked = True  # only once the transaction that checked it has committed
        return appended[-asked:]  # without the runbook.loaded event that may lead them

    @staticmethod
    def _apply(conn: sqlite3.Connection, event: Event, *, seen: str | None | Unseen = UNSEEN) -> None:
        """The one place an event reaches the projection: append and rebuild come here.
        `seen`: see append (projection.ChangedSince if a row it changes was changed since).

        Precondition: `event` sorts after every other event of its run already applied. Appends
        meet it by construction. A future import must INSERT OR IGNORE the peers' events by id
        and then, if any new event sorts below the run's newest applied one, rebuild instead."""
        projection.apply(conn, event, seen=seen)

    def rebuild(self) -> None:
        """Drop the projection of every run and fold it again from the events, in one transaction."""
        with self._lock, self._transaction(write=True) as conn:
            self._refold(conn)

    @classmethod
    def _refold(cls, conn: sqlite3.Connection) -> None:
        projection.clear(conn)
        for row in conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY run, hlc, operator, id"):
            cls._apply(conn, _event_from_row(row))

    def _refold_if_stale(self) -> None:
        """A new file, or one whose projection was made by other fold rules, is folded afresh.
        Looked at in a read transaction first: the common open then does not wait for the
        integrity check, which every write transaction does."""
        with self._lock:
            with self._transaction() as conn:
                if self._projection_is_current(conn):
                    return
            if self.read_only_reason:
                raise cannot_bring_up_to_date(self.path)
            with self._transaction(write=True) as conn:
                if not self._projection_is_current(conn):  # another process may have refolded it meanwhile
                    self._refold(conn)
                    schema.set_meta(conn, "projection", str(schema.PROJECTION_VERSION))

    @staticmethod
    def _projection_is_current(conn: sqlite3.Connection) -> bool:
        return schema.get_meta(conn, "projection") == str(schema.PROJECTION_VERSION)

    # ---- reading -------------------------------------------------------------------------------

    def state(self, *, skip: Iterable[str] = ()) -> RunState:
        """The projection for this run, without the aggregates named in `skip` (the screen skips
        the notes, which grow all day: it shows them from the event log instead)."""
        with self._lock, self._transaction() as conn:
            return projection.read_state(conn, self.run, skip)

    def events(self, *, limit: int | None = None, newest_first: bool = False, subject: str | None = None,
               kinds: Iterable[str] | None = None, ids: Iterable[str] | None = None,
               other_than: Iterable[str] = (), since_hlc: int = 0) -> list[Event]:
        """This run's events in fold order (hlc, operator, id), or the reverse; `limit` keeps the
        first `limit` of that order; `ids`, only the events with those ids; `kinds` only those
        kinds, `other_than` none of those; `since_hlc`, none older than that clock."""
        sql = f"SELECT {_EVENT_COLUMNS} FROM events WHERE run = ? AND hlc >= ?"
        params: list[Any] = [self.run, since_hlc]
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
            sql += f" AND id IN ({', '.join('?' for _ in ids)})"
            params.extend(ids)
        if subject is not None:
            sql += " AND subject = ?"
            params.append(subject)
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            if not kinds:
                return []
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        other_than = list(other_than)
        if other_than:
            sql += f" AND kind NOT IN ({', '.join('?' for _ in other_than)})"
            params.extend(other_than)
        direction = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY hlc {direction}, operator {direction}, id {direction}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(int(limit), 0))
        with self._lock, self._transaction() as conn:
            return [_event_from_row(row) for row in conn.execute(sql, params)]

    def runbook_loads(self) -> list[Event]:
        """Each operator's latest `runbook.loaded` event in this run (which runbook they last wrote
        with), oldest first. Operators are walked one index seek at a time, so a run of a million
        events answers as fast as an empty one."""
        with self._lock, self._transaction() as conn:
            found = []
            for (operator,) in conn.execute(_OPERATORS, {"deployment": self.deployment}):
                load = self._last_runbook_load(conn, operator)
                if load is not None:
                    found.append(load)
        return sorted(found, key=lambda event: event.order_key)

    def probe_observations(self) -> Mapping[tuple[str, str], ProbeObservation]:
        """(probe, vantage) -> the state last recorded for it in this run: the probes aggregate alone."""
        others = [r.name for r in aggregate.REGISTRY if r.name != PROBES.name]
        return self.state(skip=others).probes

    def event_count(self) -> int:
        with self._lock, self._transaction() as conn:
            return conn.execute("SELECT count(*) FROM events WHERE run = ?", (self.run,)).fetchone()[0]

    def state_hash(self) -> str:
        with self._lock, self._transaction() as conn:
            return projection.state_hash(conn)

    def data_version(self) -> int:
        """Changes whenever another connection (another process) commits to this file."""
        with self._lock:
            try:
                return self._connection().execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:
                raise explain(exc, self.path) from exc

    # ---- probe samples (local only, not events: a file of their own) ------------------------------

    def record_samples(self, rows: Iterable[SampleRow], *, retention_ms: int = DEFAULT_RETENTION_MS) -> int:
        return self.samples.record(rows, retention_ms)

    def recent_samples(self, probe: str, limit: int = 200) -> list[SampleRow]:
        return self.samples.recent(probe, limit)

    # ---- internals -----------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LedgerError(f"the ledger {self.path} is closed; open it again")
        return self._conn

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction, or a read one so that several SELECTs see one snapshot.
        Any failure rolls back everything and surfaces as a LedgerError."""
        conn = self._connection()
        if write:
            self._refuse_if_read_only(conn)
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the original error is the one worth reporting
            if isinstance(exc, sqlite3.Error):
                raise explain(exc, self.path) from exc
            raise

    def _refuse_if_read_only(self, conn: sqlite3.Connection) -> None:
        """A LedgerError saying why, if nothing may be written here: the file is read-only, or the
        integrity check started at open (waited for here, the first time) found it damaged."""
        if self._integrity is not None:
            self.read_only_reason = self._integrity.result()
            self._integrity = None
            if self.read_only_reason:
                conn.execute("PRAGMA query_only = ON")  # from now on a write by mistake fails in SQLite too
        if self.read_only_reason:
            raise LedgerError(self.read_only_reason)

    def _last_of_operator(self, conn: sqlite3.Connection, operator: str) -> tuple[int, str]:
        row = conn.execute(
            "SELECT seq, id FROM events WHERE deployment = ? AND operator = ? ORDER BY seq DESC LIMIT 1",
            (self.deployment, operator),
        ).fetchone()
        return (0, "") if row is None else (row[0], row[1])

    def _last_runbook_sha256(self, conn: sqlite3.Connection) -> str | None:
        load = self._last_runbook_load(conn, self.operator)
        return None if load is None else load.body.get("sha256")

    def _last_runbook_load(self, conn: sqlite3.Connection, operator: str) -> Event | None:
        """`operator`'s latest runbook.loaded in this run: which runbook they last wrote with."""
        row = conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE deployment = ? AND operator = ? AND run = ? AND kind = ? "
            "ORDER BY seq DESC LIMIT 1",
            (self.deployment, operator, self.run, EventKind.RUNBOOK_LOADED.value),
        ).fetchone()
        return None if row is None else _event_from_row(row)


def _event_row(event: Event) -> tuple:
    return (event.id, event.deployment, event.run, event.operator, event.node, event.seq, event.prev,
            event.hlc, event.kind, event.subject, canonical_json(event.body))


def _event_by_id(conn: sqlite3.Connection, event_id: str | None) -> Event | None:
    row = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
    return None if row is None else _event_from_row(row)


def _event_from_row(row: tuple) -> Event:
    """A row selected as schema.EVENT_COLUMNS: the event's fields in order, the body as JSON text."""
    event_id, deployment, run, operator, node, seq, prev, hlc, kind, subject, body = row
    return Event(event_id, deployment, run, operator, node, seq, prev, hlc, kind, subject, json.loads(body))
