"""The Ledger: one deployment's append-only event log in a local SQLite file, plus its projection.

Every write is one `BEGIN IMMEDIATE` transaction on our own connection (sqlite-utils' plain BEGIN
can hit SQLITE_BUSY when two processes write), so an event and its effect on the projection are
committed together or not at all. One lock serialises the connection between the app's threads.

Events are written by an operator (a person, a script) or, for what a machine observes itself (a
probe changing state), by that machine: `probe@<node>`. Each writer - one operator on one node -
has a seq/prev chain of its own. Other writers' events arrive by sync (`import_events`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from warroom.vocabulary import SEEING_KINDS, EventKind

from . import aggregate, projection, schema
from . import hlc as hlc_clock
from .aggregates.probes import PROBES, ProbeObservation
from .errors import LedgerError, StateChanged
from .events import Event, normalise_body
from .identity import node_id as default_node_id
from .kinds import validate
from .opening import IntegrityCheck, cannot_bring_up_to_date, explain, open_connection
from .projection import UNSEEN, Unseen, events_from_rows
from .samples import DEFAULT_RETENTION_MS, ProbeSamples, SampleRow, samples_path
from .state import RunState

_EVENT_COLUMNS = ", ".join(schema.EVENT_COLUMNS)
_EVENT_PLACEHOLDERS = ", ".join("?" for _ in schema.EVENT_COLUMNS)
# Every operator who wrote to a deployment, by skipping from one to the next along the
# (deployment, operator, node, seq) index: a few seeks, where SELECT DISTINCT would read every event.
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
# A peer's clock this far ahead of ours is not followed, and its events are flagged (10 minutes).
MAX_DRIFT_MS = 10 * 60 * 1000
_ID_CHUNK = 500  # ids per `IN (...)` lookup, well below SQLite's limit on parameters


class Imported(NamedTuple):
    new: int  # events not held before
    clock_ahead: int  # of them, how many carry a clock more than MAX_DRIFT_MS ahead of ours


# What became of a segment met in the export: imported, quarantined (its bytes kept until its key is
# trusted), rejected (the reason says why), or exported (this device's own).
IMPORTED, QUARANTINED, REJECTED, EXPORTED = "imported", "quarantined", "rejected", "exported"


class SegmentRecord(NamedTuple):
    """A segment file met in the export, and what became of it (one of the outcomes above)."""

    writer: str
    name: str
    outcome: str
    reason: str
    operator: str
    node: str
    key: str
    first: int
    last: int
    events: int
    size: int
    data: bytes | None = None


class WriterRange(NamedTuple):
    """What this ledger holds of one writer's chain."""

    operator: str
    node: str
    first: int
    last: int
    held: int
    newest_hlc: int

    @property
    def missing(self) -> int:
        """Events of the chain up to `last` not held here: a gap a later sync should fill."""
        return self.last - self.held


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
            seq, prev = self._last_of_writer(conn, operator)
            now_ms = self._clock()
            last_hlc = self._clock_before(conn, now_ms)
            newest = conn.execute("SELECT max(hlc) FROM events").fetchone()[0] or 0
            if as_operator and not self._runbook_checked and self._last_runbook_sha256(conn) != self.runbook_sha256:
                wanted.insert(0, (EventKind.RUNBOOK_LOADED.value, "", {"sha256": self.runbook_sha256}))
            appended: list[Event] = []
            last = len(wanted) - 1
            for i, (kind, subject, body) in enumerate(wanted):
                last_hlc = hlc_clock.tick(last_hlc, now_ms)
                if kind in SEEING_KINDS:
                    head = projection.last_change(conn, self._draft(kind, subject, body, operator))
                    head_id = None if head is None else head[0]
                    if i == last and not isinstance(seen, Unseen) and head_id != seen:
                        # changed since the caller looked: the transaction rolls back, nothing is written
                        raise StateChanged(_event_by_id(conn, head_id))
                    body = {**body, "seen": head_id or ""}
                    if head is not None:  # after what it saw, even when that came from a clock ahead of ours
                        last_hlc = max(last_hlc, head[1] + 1)
                seq += 1
                event = Event.create(deployment=self.deployment, run=self.run, operator=operator,
                                     node=self.node, seq=seq, prev=prev, hlc=last_hlc, kind=kind,
                                     subject=subject, body=body)
                conn.execute(f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({_EVENT_PLACEHOLDERS})",
                             _event_row(event))
                if event.hlc > newest:
                    projection.apply(conn, event)
                else:  # sorts before an event from a clock far ahead: fold its subject afresh
                    projection.refold_subjects(conn, [(event.run, event.subject)])
                newest = max(newest, event.hlc)
                prev = event.id
                appended.append(event)
        if as_operator:
            self._runbook_checked = True  # only once the transaction that checked it has committed
        return appended[-asked:]  # without the runbook.loaded event that may lead them

    def _draft(self, kind: str, subject: str, body: Mapping[str, Any], operator: str) -> Event:
        """An event not yet made, enough to find the row it will change."""
        return Event("", self.deployment, self.run, operator, self.node, 0, "", 0, kind, subject, dict(body))

    def _clock_before(self, conn: sqlite3.Connection, now_ms: int) -> int:
        """The newest clock in the file, leaving out clocks more than MAX_DRIFT_MS ahead of ours:
        a peer whose clock runs far ahead must not drag every later event into the future."""
        ceiling = hlc_clock.pack(now_ms + MAX_DRIFT_MS + 1)
        return conn.execute("SELECT max(hlc) FROM events WHERE hlc < ?", (ceiling,)).fetchone()[0] or 0

    def import_events(self, events: Sequence[Event], segment: SegmentRecord | None = None) -> Imported:
        """Add other writers' events (already verified by the caller) and the record of the segment
        they came in, in one transaction: every event or none. Events held already are skipped by
        id. New events that sort among those already folded refold what they touch."""
        for event in events:
            if event.deployment != self.deployment:
                raise LedgerError(f"an event of deployment '{event.deployment}' cannot be imported into "
                                  f"'{self.deployment}'; check the export")
        with self._lock, self._transaction(write=True) as conn:
            new = self._unknown(conn, events)
            ahead = self._insert_and_fold(conn, new) if new else 0
            if segment is not None:
                _record_segment(conn, segment, self._clock())
        return Imported(len(new), ahead)

    def _unknown(self, conn: sqlite3.Connection, events: Sequence[Event]) -> list[Event]:
        """The events whose ids this file does not hold, each once, in fold order."""
        unique = {event.id: event for event in events}
        ids = list(unique)
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start:start + _ID_CHUNK]
            for (known,) in conn.execute(f"SELECT id FROM events WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
                del unique[known]
        return sorted(unique.values(), key=lambda event: event.order_key)

    def _insert_and_fold(self, conn: sqlite3.Connection, new: list[Event]) -> int:
        """Insert `new` (unknown, in fold order), flag the clocks far ahead, and fold them in:
        onto the rows as they are where the new events come after all held of their subject,
        else by refolding that subject. Returns how many clocks were far ahead."""
        late = projection.late_subjects(conn, new)  # before the insert: compared with what was held
        conn.executemany(f"INSERT OR IGNORE INTO events ({_EVENT_COLUMNS}) VALUES ({_EVENT_PLACEHOLDERS})",
                         [_event_row(event) for event in new])
        now_ms = self._clock()
        ahead = [(event.id, hlc_clock.wall_ms(event.hlc) - now_ms) for event in new
                 if hlc_clock.wall_ms(event.hlc) > now_ms + MAX_DRIFT_MS]
        conn.executemany("INSERT OR IGNORE INTO clock_flags (event_id, ahead_ms) VALUES (?, ?)", ahead)
        projection.fold_onto(conn, [event for event in new if (event.run, event.subject) not in late])
        projection.refold_subjects(conn, late)
        return len(ahead)

    def rebuild(self) -> None:
        """Drop the projection of every run and fold it again from the events, in one transaction."""
        with self._lock, self._transaction(write=True) as conn:
            projection.refold_all(conn)

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
                    projection.refold_all(conn)
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
            return list(events_from_rows(conn.execute(sql, params)))

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

    # ---- sync: writers, segments, flags ----------------------------------------------------------

    def own_heads(self) -> dict[str, int]:
        """Operator -> the last seq of its chain written on this node (the writers this device signs for)."""
        with self._lock, self._transaction() as conn:
            heads = {}
            for (operator,) in conn.execute(_OPERATORS, {"deployment": self.deployment}).fetchall():
                last = conn.execute("SELECT max(seq) FROM events WHERE deployment = ? AND operator = ? AND node = ?",
                                    (self.deployment, operator, self.node)).fetchone()[0]
                if last is not None:
                    heads[operator] = last
            return heads

    def writer_events(self, operator: str, node: str, after_seq: int, limit: int) -> list[Event]:
        """A writer's events after `after_seq`, in chain order, at most `limit` of them."""
        with self._lock, self._transaction() as conn:
            rows = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE deployment = ? AND operator = ? "
                                "AND node = ? AND seq > ? ORDER BY seq LIMIT ?",
                                (self.deployment, operator, node, after_seq, limit))
            return list(events_from_rows(rows))

    def chain_link(self, operator: str, node: str, seq: int) -> str | None:
        """The id of a writer's event `seq` when held here (what its next event's prev must be)."""
        with self._lock, self._transaction() as conn:
            row = conn.execute("SELECT id FROM events WHERE deployment = ? AND operator = ? AND node = ? AND seq = ?",
                               (self.deployment, operator, node, seq)).fetchone()
            return None if row is None else row[0]

    def writer_ranges(self) -> list[WriterRange]:
        """Every writer's chain as held here: what it reaches, and how much of it is missing."""
        with self._lock, self._transaction() as conn:
            rows = conn.execute("SELECT operator, node, min(seq), max(seq), count(*), max(hlc) FROM events "
                                "WHERE deployment = ? GROUP BY operator, node", (self.deployment,))
            return [WriterRange(*row) for row in rows]

    def record_segment(self, segment: SegmentRecord) -> None:
        """Remember a segment met in the export and what became of it (replacing what was known)."""
        with self._lock, self._transaction(write=True) as conn:
            _record_segment(conn, segment, self._clock())

    def segment_outcomes(self) -> dict[tuple[str, str], tuple[str, int]]:
        """(writer, name) -> (outcome, size) of every segment recorded: what a round need not read again."""
        with self._lock, self._transaction() as conn:
            return {(writer, name): (outcome, size) for writer, name, outcome, size
                    in conn.execute("SELECT writer, name, outcome, size FROM sync_segments")}

    def segments(self, outcome: str) -> list[SegmentRecord]:
        """The segments with this outcome, oldest first, without their bytes (`segment_data`)."""
        with self._lock, self._transaction() as conn:
            rows = conn.execute(f"SELECT {', '.join(_SEGMENT_COLUMNS[:-1])} FROM sync_segments WHERE outcome = ? "
                                "ORDER BY at, writer, first", (outcome,))
            return [SegmentRecord(*row) for row in rows]

    def segment_data(self, writer: str, name: str) -> bytes | None:
        """The bytes kept of a segment (a quarantined one's), None when none are."""
        with self._lock, self._transaction() as conn:
            row = conn.execute("SELECT data FROM sync_segments WHERE writer = ? AND name = ?",
                               (writer, name)).fetchone()
            return None if row is None else row[0]

    def segment_counts(self) -> dict[str, tuple[int, int]]:
        """outcome -> (segments, events): the header's quarantined and rejected counts, without bytes."""
        with self._lock, self._transaction() as conn:
            return {outcome: (count, events) for outcome, count, events
                    in conn.execute("SELECT outcome, count(*), sum(events) FROM sync_segments GROUP BY outcome")}

    def exported_upto(self) -> dict[str, int]:
        """Writer folder -> the last seq this node has published there."""
        with self._lock, self._transaction() as conn:
            return dict(conn.execute("SELECT writer, max(last) FROM sync_segments WHERE outcome = ? GROUP BY writer",
                                     (EXPORTED,)).fetchall())

    def clock_flags(self) -> dict[str, int]:
        """Event id -> how many milliseconds ahead of ours its clock was when it arrived."""
        with self._lock, self._transaction() as conn:
            return dict(conn.execute("SELECT event_id, ahead_ms FROM clock_flags").fetchall())

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

    def _last_of_writer(self, conn: sqlite3.Connection, operator: str) -> tuple[int, str]:
        """The seq and id that end this node's chain of `operator`."""
        row = conn.execute(
            "SELECT seq, id FROM events WHERE deployment = ? AND operator = ? AND node = ? ORDER BY seq DESC LIMIT 1",
            (self.deployment, operator, self.node),
        ).fetchone()
        return (0, "") if row is None else (row[0], row[1])

    def _last_runbook_sha256(self, conn: sqlite3.Connection) -> str | None:
        load = self._last_runbook_load(conn, self.operator)
        return None if load is None else load.body.get("sha256")

    def _last_runbook_load(self, conn: sqlite3.Connection, operator: str) -> Event | None:
        """`operator`'s latest runbook.loaded in this run: which runbook they last wrote with."""
        row = conn.execute(
            # the kind spelt out, not bound: only then can SQLite use the partial index of runbook loads
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE deployment = ? AND operator = ? AND run = ? "
            f"AND kind = '{EventKind.RUNBOOK_LOADED.value}' ORDER BY hlc DESC LIMIT 1",
            (self.deployment, operator, self.run),
        ).fetchone()
        return None if row is None else next(events_from_rows([row]))


def _event_row(event: Event) -> tuple:
    return (event.id, event.deployment, event.run, event.operator, event.node, event.seq, event.prev,
            event.hlc, event.kind, event.subject, event.body_json())


def _event_by_id(conn: sqlite3.Connection, event_id: str | None) -> Event | None:
    row = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
    return None if row is None else next(events_from_rows([row]))


def _record_segment(conn: sqlite3.Connection, segment: SegmentRecord, at_ms: int) -> None:
    conn.execute(f"INSERT OR REPLACE INTO sync_segments ({', '.join(_SEGMENT_COLUMNS)}, at) "
                 f"VALUES ({', '.join('?' for _ in _SEGMENT_COLUMNS)}, ?)", (*segment, at_ms))


_SEGMENT_COLUMNS = SegmentRecord._fields
