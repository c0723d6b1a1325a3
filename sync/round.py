"""One sync round: publish this device's new events as sealed segments, then read every other
writer's new segments, verify each whole, and import the trusted ones (quarantine the rest).

The ledger remembers every segment met and what became of it, so a round reads only what is new.
Two processes on one ledger take turns (a lock beside the ledger file), so they never publish
the same events twice. The export failing (absent, read-only, full, not answering) ends the round
with the reason; local work never waits on it, and the next round tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from warroom.store import Ledger
from warroom.store.ledger import EXPORTED, IMPORTED, QUARANTINED, REJECTED, SegmentRecord, WriterRange
from warroom.store.prober import side_lock

from .errors import ExportUnavailable, SegmentRejected
from .export import Export, SegmentRef
from .keys import DeviceKey, key_id
from .segment import MAX_SEGMENT_BYTES, Segment, decode, encode, parse_segment_name, parse_writer_dir, writer_dir
from .trust import Trust

# Events per published segment: well inside the segment limits, and small enough to import at once.
EVENTS_PER_SEGMENT = 5000


@dataclass(frozen=True)
class Problem:
    """A segment that was not applied: rejected (broken, tampered, foreign) or quarantined (a key
    not trusted here); `alarm` when it claims to be someone it is not."""

    path: str
    reason: str
    alarm: bool = False
    operator: str = ""
    key: str = ""


@dataclass(frozen=True)
class RoundReport:
    exported: int = 0  # events published
    imported: int = 0  # events new to this ledger
    segments_read: int = 0
    quarantined: int = 0  # events held back this round, their key not trusted
    clock_ahead: int = 0  # imported events whose clock ran far ahead of ours
    problems: tuple[Problem, ...] = ()
    error: str | None = None  # why the export could not be used this round

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class SyncStatus:
    export: str
    last_ok: float | None  # epoch seconds of the last round that reached the export
    unreachable_since: float | None  # set while rounds fail
    error: str | None
    waiting: int  # this device's events not published yet
    peers: tuple[WriterRange, ...] = ()  # the other writers, as this ledger holds their events
    quarantined: int = 0  # events held back, their key not trusted
    rejected: int = 0  # segment files refused
    clock_ahead: int = 0
    alarms: tuple[Problem, ...] = field(default=())


class Syncer:
    """Sync rounds for one ledger through one export, signed with this device's key."""

    def __init__(self, ledger: Ledger, export: Export, key: DeviceKey, trust: Trust, *,
                 wall: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self.export = export
        self.key = key
        self.trust = trust
        self._wall = wall
        self._known: dict[tuple[str, str], tuple[str, int]] | None = None
        self._known_version: int | None = None
        self.last_ok: float | None = None
        self.unreachable_since: float | None = None
        self.error: str | None = None
        self._alarms: dict[str, Problem] = {}

    def on(self, ledger: Ledger) -> Syncer:
        """This syncer (export, key, trust) on another connection to the same ledger file: the
        console's background rounds use their own, so an import never holds the screen's."""
        return Syncer(ledger, self.export, self.key, self.trust, wall=self._wall)

    # ---- a round -------------------------------------------------------------------------------

    def round(self) -> RoundReport:
        """Publish, then import. Never raises for the export's sake: its failure is the report's
        `error` (and this syncer's status) until a round succeeds again."""
        with side_lock(self.ledger.path, "sync"):
            try:
                self.export.check()
                refs = self.export.list_segments(self.ledger.deployment)
                released = self._release_trusted()
                exported = self._publish(refs)
                report = self._import(refs)
            except ExportUnavailable as exc:
                self.error = str(exc)
                if self.unreachable_since is None:
                    self.unreachable_since = self._wall()
                return RoundReport(error=self.error)
        self.error = None
        self.unreachable_since = None
        self.last_ok = self._wall()
        return RoundReport(exported=exported, imported=report.imported + released, segments_read=report.segments_read,
                           quarantined=report.quarantined, clock_ahead=report.clock_ahead, problems=report.problems)

    def _publish(self, refs: list[SegmentRef]) -> int:
        """Publish every event of this device's writers after what the export already holds of them."""
        published = 0
        done = self.ledger.exported_upto()
        in_export = _last_published(refs)
        for operator, last in self.ledger.own_heads().items():
            writer = writer_dir(operator, self.key.key_id)
            after = max(done.get(writer, 0), in_export.get(writer, 0))
            while after < last:
                events = self.ledger.writer_events(operator, self.ledger.node, after, EVENTS_PER_SEGMENT)
                if not events:
                    break
                name, data = encode(events, self.key)
                self.export.publish_many(writer, [(name, data)])
                self.ledger.record_segment(SegmentRecord(
                    writer, name, EXPORTED, "", operator, self.ledger.node, self.key.public,
                    events[0].seq, events[-1].seq, len(events), len(data)))
                published += len(events)
                after = events[-1].seq
        return published

    def _import(self, refs: list[SegmentRef]) -> RoundReport:
        known = self._known_segments()
        imported = read = quarantined = ahead = 0
        problems: list[Problem] = []
        for ref in sorted(refs, key=_chain_order):
            if _is_own(ref, self.key) or _dealt_with(known.get((ref.writer, ref.name)), ref):
                continue
            read += 1
            outcome = self._take(ref)
            known[(ref.writer, ref.name)] = (outcome.kind, outcome.size)
            imported += outcome.imported
            ahead += outcome.clock_ahead
            if outcome.kind == QUARANTINED:
                quarantined += outcome.events
            if outcome.problem is not None:
                problems.append(outcome.problem)
        return RoundReport(imported=imported, segments_read=read, quarantined=quarantined, clock_ahead=ahead,
                           problems=tuple(problems))

    def _take(self, ref: SegmentRef) -> _Outcome:
        """Read one segment and import, quarantine or reject it, recording which."""
        path = f"{ref.writer}/{ref.name}"
        writer = parse_writer_dir(ref.writer)
        data = self.export.read(ref, MAX_SEGMENT_BYTES)
        try:
            if writer is None:
                raise SegmentRejected("the folder is not named like a writer's (operator.key-id)")
            operator, writer_key_id = writer
            segment = decode(ref.name, data, deployment=self.ledger.deployment, operator=operator,
                             key_id=writer_key_id)
            self._check_chain(segment)
        except SegmentRejected as exc:
            operator = writer[0] if writer else ""
            parsed = parse_segment_name(ref.name) or (0, 0, "")
            self.ledger.record_segment(SegmentRecord(ref.writer, ref.name, REJECTED, exc.reason, operator, "", "",
                                                     parsed[0], parsed[1], 0, len(data)))
            return _Outcome(REJECTED, size=len(data), problem=Problem(path, exc.reason, operator=operator))
        verdict = self.trust.decide(segment.operator, segment.key)
        if not verdict.trusted:
            problem = Problem(path, verdict.reason, verdict.alarm, segment.operator, segment.key)
            if verdict.alarm:
                self._alarms[path] = problem
            self.ledger.record_segment(_record_of(ref.writer, segment, QUARANTINED, verdict.reason, data))
            return _Outcome(QUARANTINED, size=len(data), events=len(segment.events), problem=problem)
        result = self.ledger.import_events(segment.events, _record_of(ref.writer, segment, IMPORTED, "", None))
        return _Outcome(IMPORTED, size=len(data), imported=result.new, clock_ahead=result.clock_ahead)

    def _check_chain(self, segment: Segment) -> None:
        """A segment must continue its writer's chain as held here: a different event at the seq
        before it is a fork (a copied key, or a tampered history), refused whole."""
        if segment.first == 1:
            if segment.prev:
                raise SegmentRejected("its first event (seq 1) names a previous event")
            return
        before = self.ledger.chain_link(segment.operator, segment.node, segment.first - 1)
        if before is not None and before != segment.prev:
            raise SegmentRejected(f"it does not continue {segment.operator}'s chain: seq {segment.first - 1} "
                                  "held here is another event (a fork)")
        for event in segment.events:  # an overlapping segment must agree with what is held
            held = self.ledger.chain_link(segment.operator, segment.node, event.seq)
            if held is not None and held != event.id:
                raise SegmentRejected(f"its seq {event.seq} differs from {segment.operator}'s event held here (a fork)")
            if held is None:
                break  # the rest is new

    def _known_segments(self) -> dict[tuple[str, str], tuple[str, int]]:
        """The segments already dealt with, read again only when another process wrote the ledger."""
        version = self.ledger.data_version()
        if self._known is None or version != self._known_version:
            self._known = self.ledger.segment_outcomes()
            self._known_version = version
        return self._known

    # ---- trust decided later --------------------------------------------------------------------

    def _release_trusted(self) -> int:
        """Import the quarantined segments whose keys are trusted now; the number of new events."""
        imported = 0
        for record in self.ledger.segments(QUARANTINED):  # without their bytes: most stay where they are
            if not self.trust.decide(record.operator, record.key).trusted:
                continue
            data = self.ledger.segment_data(record.writer, record.name)
            if data is None:
                continue
            try:
                segment = decode(record.name, data, deployment=self.ledger.deployment,
                                 operator=record.operator, key_id=key_id(record.key))
                self._check_chain(segment)
            except SegmentRejected as exc:
                self.ledger.record_segment(record._replace(outcome=REJECTED, reason=exc.reason, data=None))
                continue
            imported += self.ledger.import_events(segment.events, _record_of(record.writer, segment, IMPORTED, "",
                                                                             None)).new
            self._alarms.pop(f"{record.writer}/{record.name}", None)
        return imported

    def retrust(self, trust: Trust) -> int:
        """Use `trust` from now on (a key was trusted), importing what it releases at once."""
        self.trust = trust
        with side_lock(self.ledger.path, "sync"):
            return self._release_trusted()

    # ---- the header's truth ----------------------------------------------------------------------

    def status(self) -> SyncStatus:
        """What the header says about sync now: read from the ledger, cheap enough every few seconds."""
        counts = self.ledger.segment_counts()
        done = self.ledger.exported_upto()
        heads = self.ledger.own_heads()
        waiting = sum(max(0, last - done.get(writer_dir(operator, self.key.key_id), 0))
                      for operator, last in heads.items())
        peers = tuple(writer for writer in self.ledger.writer_ranges() if writer.node != self.ledger.node)
        return SyncStatus(export=self.export.description, last_ok=self.last_ok,
                          unreachable_since=self.unreachable_since, error=self.error, waiting=waiting, peers=peers,
                          quarantined=counts.get(QUARANTINED, (0, 0))[1] or 0,
                          rejected=counts.get(REJECTED, (0, 0))[0], clock_ahead=len(self.ledger.clock_flags()),
                          alarms=tuple(self._alarms.values()))


@dataclass(frozen=True)
class _Outcome:
    kind: str
    size: int
    imported: int = 0
    events: int = 0
    clock_ahead: int = 0
    problem: Problem | None = None


def _record_of(writer: str, segment: Segment, outcome: str, reason: str, data: bytes | None) -> SegmentRecord:
    return SegmentRecord(writer, segment.name, outcome, reason, segment.operator, segment.node, segment.key,
                         segment.first, segment.last, len(segment.events), segment.size, data)


def _dealt_with(known: tuple[str, int] | None, ref: SegmentRef) -> bool:
    """A segment met before is not read again, unless it was rejected at another size: a sync tool
    may still have been copying it then."""
    if known is None:
        return False
    outcome, size = known
    return outcome != REJECTED or ref.size is None or ref.size == size


def _chain_order(ref: SegmentRef) -> tuple[str, int, str]:
    parsed = parse_segment_name(ref.name)
    return (ref.writer, parsed[0] if parsed else 0, ref.name)


def _last_published(refs: Iterable[SegmentRef]) -> dict[str, int]:
    """Writer folder -> the highest seq its segment names reach in the export."""
    last: dict[str, int] = {}
    for ref in refs:
        parsed = parse_segment_name(ref.name)
        if parsed:
            last[ref.writer] = max(last.get(ref.writer, 0), parsed[1])
    return last


def _is_own(ref: SegmentRef, key: DeviceKey) -> bool:
    """Segments signed for this device's writers: their events are this ledger's own."""
    parsed = parse_writer_dir(ref.writer)
    return parsed is not None and parsed[1] == key.key_id

