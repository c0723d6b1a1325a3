"""Hybrid logical clock (Kulkarni et al., 2014) packed into one 64-bit integer.

An HLC is ``(wall_ms << 16) | counter``: it sorts like wall time, stays close to it, and still
moves forward when the wall clock stalls or steps back. All functions are pure; the wall clock is
passed in, so callers (and tests) control time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import NamedTuple

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def wall_clock_ms() -> int:
    """The real wall clock in milliseconds since the Unix epoch (the default clock)."""
    return time.time_ns() // 1_000_000


def pack(wall_ms: int, counter: int = 0) -> int:
    return (wall_ms << COUNTER_BITS) | (counter & COUNTER_MASK)


def wall_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def counter(hlc: int) -> int:
    return hlc & COUNTER_MASK


def tick(last: int, now_ms: int) -> int:
    """The clock for a local event: after everything seen so far, and at least the wall time.

    A counter overflow simply carries into the millisecond part, which keeps the order.
    """
    return max(pack(now_ms), last + 1)


class Received(NamedTuple):
    hlc: int
    clamped: bool  # the remote clock ran further ahead than max_drift_ms allows


def receive(local: int, remote: int, now_ms: int, max_drift_ms: int) -> Received:
    """Advance the local clock past a remote event's clock, but never more than max_drift_ms
    beyond our wall time: a peer with a wrong clock must not drag ours into the future.
    The remote clock is a claim, so a clamp is reported for the operators to see."""
    ceiling = pack(now_ms + max_drift_ms)
    clamped = wall_ms(remote) > now_ms + max_drift_ms
    bounded_remote = min(remote, ceiling) if clamped else remote
    return Received(max(pack(now_ms), local + 1, bounded_remote + 1), clamped)


def hlc_to_datetime(hlc: int) -> datetime:
    """The wall-time part of an HLC as an aware UTC datetime (millisecond precision)."""
    seconds, ms = divmod(wall_ms(hlc), 1000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=ms * 1000)


def hlc_to_datetime_or_none(hlc: int | None) -> datetime | None:
    """hlc_to_datetime for a column that may be empty (not started, not resolved)."""
    return None if hlc is None else hlc_to_datetime(hlc)
