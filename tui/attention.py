"""What newly needs the room's attention: a probe gone DOWN, a step overrunning, the rollback
deadline 60, 30 and 10 minutes away (widgets.display.ROLLBACK_WARNINGS). Each is told once, when it
starts (the bell rings once, the header flashes); a probe that recovers and goes DOWN again is news
again.

What is already so when the console opens is on screen, in the header and the now/next line, but
it is not news: nothing rings for it, nor for a probe whose first reading here is DOWN (it did not
go DOWN while anyone watched).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from warroom.widgets.display import ROLLBACK_WARNINGS


def alarms(probe_states: Mapping[str, str], overrunning: Iterable[tuple[str, str]],
           deadline: datetime | None, now: datetime, go_live_due: bool = False) -> dict[tuple[str, str], str]:
    """Everything that wants attention now, by a key that stays the same while it lasts:
    `overrunning` is (step id, title) of each step past its planned duration; `go_live_due`: the
    go-live decision waits on the deadline itself (no step asks for it, none is recorded yet)."""
    found = {("down", name): f"probe {name} is DOWN" for name, state in probe_states.items() if state == "DOWN"}
    found |= {("overrun", step_id): f"'{title}' runs past its planned duration" for step_id, title in overrunning}
    if deadline is not None:
        left = (deadline - now).total_seconds() / 60
        crossed = [minutes for minutes in ROLLBACK_WARNINGS if left <= minutes]
        if left <= 0 and go_live_due:
            found[("go-live", "due")] = "go-live decision due: press L"
        if left <= 0:
            found[("deadline", "passed")] = "the rollback deadline has passed"
        elif crossed:  # one key at a time: crossing the next mark is news again
            found[("deadline", str(crossed[-1]))] = f"the rollback deadline is less than {crossed[-1]} minutes away"
    return found


class Attention:
    def __init__(self) -> None:
        self._current: set[tuple[str, str]] | None = None  # None until the first look
        self._seen_well: set[str] = set()  # probes seen in a state other than DOWN or UNKNOWN

    def news(self, probe_states: Mapping[str, str], overrunning: Iterable[tuple[str, str]],
             deadline: datetime | None, now: datetime, go_live_due: bool = False,
             more: Mapping[tuple[str, str], str] | None = None) -> list[str]:
        """What wants attention now (see alarms; `more`: others of the same form, such as an incident
        past its target) that did not at the last look, in words."""
        self._seen_well |= {name for name, state in probe_states.items() if state not in ("DOWN", "UNKNOWN")}
        watched = {name: state for name, state in probe_states.items() if name in self._seen_well}
        wanting = alarms(watched, overrunning, deadline, now, go_live_due) | dict(more or {})
        new = [] if self._current is None else [sentence for key, sentence in wanting.items()
                                                if key not in self._current]
        self._current = set(wanting)
        return new
