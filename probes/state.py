"""Per-probe state machine: pure and synchronous; the scheduler feeds it one verdict at a time.

UNKNOWN until the first check. A pass is UP (DEGRADED when a `warn` fails). A failure is PENDING
until `fail_after` failures in a row, then DOWN; DOWN stays DOWN until `recover_after` passes in a
row. A check made while this machine is offline is UNKNOWN and left out of uptime.
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


class ProbeState(StrEnum):
    UP = "UP"
    DEGRADED = "DEGRADED"
    PENDING = "PENDING"
    DOWN = "DOWN"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return self.value


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
        self._failures = 0  # in a row
        self._passes = 0  # in a row
        self._down = False  # confirmed down; kept through offline spells
        self._history: deque[float | None] = deque(maxlen=history_size)
        self._hour = UptimeWindow(span=3600, width=60)
        self._day = UptimeWindow(span=86400, width=900)

    @classmethod
    def for_config(cls, config: ProbeConfig, history_size: int = HISTORY_SIZE) -> ProbeTracker:
        return cls(config.name, config.kind, config.fail_after, config.recover_after, history_size)

    @property
    def status(self) -> ProbeStatus:
        return self._status

    def record(self, verdict: Verdict, result: ProbeResult, at: datetime) -> Update:
        old = self._status
        state = self._next_state(verdict)
        reason = self._reason(state, verdict, old)
        moment = at.timestamp()
        if state is not ProbeState.UNKNOWN:
            counted_up = state is not ProbeState.DOWN  # only a confirmed DOWN counts against uptime
            self._hour.add(moment, counted_up)
            self._day.add(moment, counted_up)
        self._history.append(None if verdict.offline else _sparkline_value(result))
        self._status = ProbeStatus(
            name=old.name, kind=old.kind, state=state, value=result.value,
            response_time_ms=result.response_time_ms, failed_condition=reason,
            changed_at=at if state is not old.state else old.changed_at, checked_at=at,
            history=tuple(self._history), uptime_1h=_percent(self._hour.ratio(moment)),
            uptime_24h=_percent(self._day.ratio(moment)),
        )
        transition = Transition(old.name, old.state, state, reason, at) if state is not old.state else None
        sample = Sample(old.name, at, state, verdict.ok and not verdict.offline, result.response_time_ms,
                        result.value, reason)
        return Update(self._status, transition, sample)

    def _next_state(self, verdict: Verdict) -> ProbeState:
        if verdict.offline:
            return ProbeState.UNKNOWN  # streaks untouched: the check said nothing about the target
        if verdict.ok:
            self._failures = 0
            self._passes += 1
            if self._down and self._passes < self.recover_after:
                return ProbeState.DOWN
            self._down = False
            return ProbeState.DEGRADED if verdict.degraded else ProbeState.UP
        self._passes = 0
        self._failures += 1
        if self._down or self._failures >= self.fail_after:
            self._down = True
            return ProbeState.DOWN
        return ProbeState.PENDING

    @staticmethod
    def _reason(state: ProbeState, verdict: Verdict, old: ProbeStatus) -> str | None:
        if state is ProbeState.UP:
            return None
        if state is ProbeState.DOWN and verdict.ok:
            return old.failed_condition  # recovering: keep saying why it went down
        return verdict.reason


def _sparkline_value(result: ProbeResult) -> float | None:
    return result.metric if result.metric is not None else result.response_time_ms


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else ratio * 100
