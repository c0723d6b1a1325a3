"""When to warn that the rollback deadline is near: pure, from two readings of the clock.

The console reads the clock every second or so; a warning is due when a reading is the first at
or past one of the marks (60, 30, 10 minutes before the deadline). Comparing the two readings,
not "is it 30 minutes before now", means a mark fires once, even if a reading is late or the
clock jumps (then the most urgent mark crossed is the one to say).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

ROLLBACK_WARNINGS = (60, 30, 10)  # minutes before the rollback deadline


def rollback_warning(deadline: datetime | None, before: datetime, after: datetime,
                     marks: Iterable[int] = ROLLBACK_WARNINGS) -> int | None:
    """The mark (minutes before `deadline`) that the clock crossed going from `before` to `after`:
    `before` < deadline - mark <= `after`. The smallest such mark when several were crossed;
    None when none was, when the clock stood still or went back, or when there is no deadline."""
    if deadline is None or after <= before:
        return None
    crossed = [mark for mark in marks if before < deadline - timedelta(minutes=mark) <= after]
    return min(crossed) if crossed else None
