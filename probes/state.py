"""Per-probe state machine: pure and synchronous; the scheduler feeds it one verdict at a time.

UNKNOWN until the first check. A pass is UP (DEGRADED when a `warn` fails). A failure is PENDING
until `fail_after` failures in a row, then DOWN. A check made while this machine is offline is
UNKNOWN and left out of uptime.

Hysteresis, so that a reading hovering at a threshold does not flap: a probe goes to a worse state
at once (DOWN only after `fail_after` failures), but comes back to a better one only after
`recover_after` checks in a row that are better, each clearing the thresholds of measurements that
jitter (host readings, response times) by a margin (judge.HYSTERESIS). A check in between (good,
but within the margin) holds the state and starts the count again; it is not a failure either.

A tracker can also start where an earlier one stopped (`resume`: the uptime, sparkline and failure
streak from the samples store, the state from the ledger) and show checks another console made
(`follow`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .judge import Verdict
from .result import ProbeResult
from .spec import DEFAULT_FAIL_AFTER, DEFAULT_RECOVER_AFTER, ProbeConfig
from .uptime import UptimeWindow

HISTORY_SIZE = 60  # samples kept for the sparkline
# The uptime windows, (span, bucket width) in seconds: the trackers keep them, the runner reads them back.
HOUR_WINDOW = (3600, 60)
DAY_WINDOW = (86400, 900)


class ProbeState(StrEnum):
    UP = "UP"
    DEGRADED = "DEGRADED"
    PENDING = "PENDING"
    DOWN = "DOWN"
    UNKNOWN = "UNKNOWN"


# How bad each judged state is; UNKNOWN is no judgement at all.
_RANK = {ProbeState.UP: 0, ProbeState.DEGRADED: 1, ProbeState.PENDING: 2, ProbeState.DOWN: 3}


@dataclass(frozen=True)
class ProbeStatus:
    """What the board shows for one probe."""

    name: str
    kind: str
    state: ProbeState = ProbeState.UNKNOWN
    value: str = ""
    response_time_ms: float | None = None
    failed_condition: str | None = None  # the failed condition explained, or the error
    changed_at: datetime | None = None  # when `state` last changed; None before the first check
    checked_at: datetime | None = None
    # Latency in ms (a host probe: its metric) of the last checks, oldest first; None = no value.
    history: tuple[float | None, ...] = ()
    uptime_1h: float | None = None  # percent; None when the window holds no counted check
    uptime_24h: float | None = None


@dataclass(frozen=True)
class Transition:
    probe: str
    old: ProbeState
    new: ProbeState
    failed_condition: str | None
    at: datetime


@dataclass(frozen=True)
class Sample:
    """One check, for the caller to persist (the store keeps them with retention)."""

    probe: str
    at: datetime
    state: ProbeState
    ok: bool
    response_time_ms: float | None
    value: str
    reason: str | None = None
    metric: float | None = None  # a host probe's reading


@dataclass(frozen=True)
class Past:
    """What is known of a probe from before this tracker: its latest checks (oldest first) and
    uptime counts from the samples store, and the state to start in with its reason and since when
    (the state the ledger last recorded for this machine, or the latest check another console made)."""

    recent: tuple[Sample, ...] = ()
    hour: tuple[tuple[float, int, int], ...] = ()  # uptime buckets: (start in epoch seconds, up, down)
    day: tuple[tuple[float, int, int], ...] = ()
    state: ProbeState = ProbeState.UNKNOWN
    reason: str | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class Update:
    status: ProbeStatus
    transition: Transition | None
    sample: Sample


class ProbeTracker:
    def __init__(self, name: str, kind: str, fail_after: int = DEFAULT_FAIL_AFTER,
                 recover_after: int = DEFAULT_RECOVER_AFTER, history_size: int = HISTORY_SIZE):
        self.fail_after = fail_after
        self.recover_after = recover_after
        self._status = ProbeStatus(name, kind)
        # The last judged state and why: kept through offline spells, when the status says UNKNOWN.
        self._state: ProbeState | None = None
        self._why: str | None = None
        self._failures = 0  # in a row
        self._better = 0  # checks in a row better than the state, by the margin
        self._history: deque[float | None] = deque(maxlen=history_size)
        self._hour = UptimeWindow(*HOUR_WINDOW)
        self._day = UptimeWindow(*DAY_WINDOW)

    @classmethod
    def for_config(cls, config: ProbeConfig, history_size: int = HISTORY_SIZE) -> ProbeTracker:
        return cls(config.name, config.kind, config.fail_after, config.recover_after, history_size)

    @property
    def status(self) -> ProbeStatus:
        return self._status

    def record(self, verdict: Verdict, result: ProbeResult, at: datetime) -> Update:
        old = self._status
        state = self._next_state(verdict)
        reason = None if state is ProbeState.UP else verdict.reason if state is ProbeState.UNKNOWN else self._why
        sample = Sample(old.name, at, state, verdict.ok and not verdict.offline, result.response_time_ms,
                        result.value, reason, result.metric)
        self._count(sample)
        self._status = self._status_after(sample)
        transition = Transition(old.name, old.state, state, reason, at) if state is not old.state else None
        return Update(self._status, transition, sample)

    def follow(self, sample: Sample) -> ProbeStatus:
        """A check another console made and judged (read from the samples store), shown as judged."""
        self._count(sample)
        if sample.state is not ProbeState.UNKNOWN:
            self._state, self._why = sample.state, sample.reason
        self._status = self._status_after(sample)
        return self._status

    def resume(self, past: Past, now: datetime) -> ProbeStatus:
        """Start where an earlier tracker left off: its uptime, sparkline and failure streak, and
        `past.state` (a recovery under way starts its count again)."""
        for window, buckets in ((self._hour, past.hour), (self._day, past.day)):
            for start, up, down in buckets:
                window.add_counts(start, up, down)
        for sample in past.recent:
            self._history.append(_sparkline_value(sample))
            if sample.state is not ProbeState.UNKNOWN:
                self._state, self._why = sample.state, sample.reason
                self._failures = 0 if sample.ok else self._failures + 1
        if past.state is not ProbeState.UNKNOWN:
            self._state, self._why = past.state, past.reason
        latest = past.recent[-1] if past.recent else None
        self._status = self._status_of(past.state, past.reason, past.since, latest, now)
        return self._status

    def _count(self, sample: Sample) -> None:
        """A check in the uptime windows and the sparkline."""
        if sample.state is not ProbeState.UNKNOWN:
            counted_up = sample.state is not ProbeState.DOWN  # only a confirmed DOWN counts against uptime
            moment = sample.at.timestamp()
            self._hour.add(moment, counted_up)
            self._day.add(moment, counted_up)
        self._history.append(_sparkline_value(sample))

    def _status_after(self, sample: Sample) -> ProbeStatus:
        old = self._status
        changed_at = sample.at if sample.state is not old.state else old.changed_at
        return self._status_of(sample.state, sample.reason, changed_at, sample, sample.at)

    def _status_of(self, state: ProbeState, reason: str | None, changed_at: datetime | None,
                   latest: Sample | None, now: datetime) -> ProbeStatus:
        """The status in `state` since `changed_at`, showing the `latest` check, with uptime as of `now`."""
        moment = now.timestamp()
        return ProbeStatus(
            name=self._status.name, kind=self._status.kind, state=state,
            value=latest.value if latest else "", response_time_ms=latest.response_time_ms if latest else None,
            failed_condition=None if state is ProbeState.UP else reason, changed_at=changed_at,
            checked_at=latest.at if latest else None, history=tuple(self._history),
            uptime_1h=_percent(self._hour.ratio(moment)), uptime_24h=_percent(self._day.ratio(moment)),
        )

    def _next_state(self, verdict: Verdict) -> ProbeState:
        if verdict.offline:
            return ProbeState.UNKNOWN  # streaks untouched: the check said nothing about the target
        current = self._state
        if not verdict.ok:
            self._better = 0
            self._failures += 1
            down = current is ProbeState.DOWN or self._failures >= self.fail_after
            return self._become(ProbeState.DOWN if down else ProbeState.PENDING, verdict.reason)
        self._failures = 0  # a good check, even one within the margin, is not a failure
        judged = ProbeState.DEGRADED if verdict.degraded else ProbeState.UP
        if current is None or _RANK[judged] >= _RANK[current]:
            self._better = 0
            return self._become(judged, verdict.reason)
        # Better than now: it must be better by the margin, recover_after times in a row.
        clear = verdict.clear
        target = None if not clear.ok else ProbeState.DEGRADED if clear.degraded else ProbeState.UP
        if target is None or _RANK[target] >= _RANK[current]:
            self._better = 0
            return current
        self._better += 1
        if self._better < self.recover_after:
            return current  # still saying why it got worse
        self._better = 0
        return self._become(target, clear.reason)

    def _become(self, state: ProbeState, why: str | None) -> ProbeState:
        self._state, self._why = state, why
        return state


def _sparkline_value(sample: Sample) -> float | None:
    if sample.state is ProbeState.UNKNOWN:
        return None  # offline: a gap
    return sample.metric if sample.metric is not None else sample.response_time_ms


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else ratio * 100
