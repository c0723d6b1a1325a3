"""Uptime over a sliding window, kept as a few counters per time bucket so that a board of a
thousand probes running for a day stays small in memory."""

from __future__ import annotations

from collections import deque


class UptimeWindow:
    """up / (up + down) over the last `span` seconds, counted in buckets of `width` seconds
    (so the window's edge is accurate to one bucket)."""

    def __init__(self, span: float, width: float):
        self.span = span
        self.width = width
        self._buckets: deque[list[float]] = deque()  # [bucket start, up, down], oldest first

    def add(self, at: float, up: bool) -> None:
        self.add_counts(at, int(up), int(not up))

    def add_counts(self, at: float, up: int, down: int) -> None:
        """`up` and `down` checks made at `at` (or in its bucket): counts read back from storage."""
        start = at - at % self.width
        if self._buckets and start <= self._buckets[-1][0]:
            bucket = self._buckets[-1]  # same bucket (or a clock step back): count it in the newest
        else:
            bucket = [start, 0, 0]
            self._buckets.append(bucket)
        bucket[1] += up
        bucket[2] += down
        self._forget_before(at)

    def ratio(self, now: float) -> float | None:
        """Fraction up (0..1), or None when the window holds no counted check."""
        self._forget_before(now)
        up = sum(b[1] for b in self._buckets)
        down = sum(b[2] for b in self._buckets)
        return up / (up + down) if up + down else None

    def _forget_before(self, now: float) -> None:
        while self._buckets and self._buckets[0][0] + self.width <= now - self.span:
            self._buckets.popleft()
