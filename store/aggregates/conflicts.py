"""Concurrent changes of one subject: made apart from the same predecessor, met after a sync.

Each state-changing event names in `seen` the last event that had changed its subject when it was
made. Folded in (hlc, operator, id) order, an event whose `seen` is not the row's last event was
made without knowing of it: the later one wins, as always, and the row keeps who and what it
displaced until someone who has seen the conflict resolves it (a `*.conflict_resolved` event made
on the row as it stands). A later change alone does not clear it: its maker may not have seen the
lost version at all.
Every replica folds the same events in the same order, so every replica marks the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..events import Event, canonical_json
from ..hlc import hlc_to_datetime

KEPT = 10  # displaced versions kept on one row: a flapping row must not grow without end


@dataclass(frozen=True)
class Displaced:
    """A version that lost to a concurrent change: who set it, what it was, when."""

    by: str
    what: str  # the step status, or "ticked" / "unticked"
    hlc: int
    event_id: str

    @property
    def at(self) -> datetime:
        return hlc_to_datetime(self.hlc)


def is_concurrent(head: str | None, event: Event) -> bool:
    """True when `event` was made without seeing `head`, the row's last event. An event written
    before `seen` was recorded, or one on a row with no event yet, is taken as made in order."""
    seen = event.body.get("seen")
    return head is not None and isinstance(seen, str) and seen != head


Head = tuple[str, str, int, str]  # the row's version before an event: by, what, hlc, event id


def conflict_after(conflict: str | None, head: Head | None, event: Event, *, resolves: bool) -> str | None:
    """The row's conflict column after `event`. `head`: the row's version before it (None when the
    row is new). A concurrent change displaces the head; a resolve made in order clears."""
    if head is None:
        return None
    if not is_concurrent(head[3], event):
        return None if resolves else conflict
    if resolves:  # made without seeing the latest change: it settles nothing
        return conflict
    return canonical_json([*_entries(conflict), list(head)][-KEPT:])


def displaced(conflict: str | None) -> tuple[Displaced, ...]:
    """The conflict column as values (a broken column reads as no conflict: the fold never raises)."""
    versions = []
    for entry in _entries(conflict):
        if (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str) and isinstance(entry[1], str)
                and isinstance(entry[2], int) and isinstance(entry[3], str)):
            versions.append(Displaced(*entry))
    return tuple(versions)


def _entries(conflict: str | None) -> list:
    if not conflict:
        return []
    try:
        found = json.loads(conflict)
    except ValueError:
        return []
    return found if isinstance(found, list) else []
