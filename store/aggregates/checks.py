"""Checklist items: the last tick, untick, fail, block or waiver of an item wins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import CHECK_KINDS, OUTCOME_AFTER, EventKind

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime
from .conflicts import Displaced, conflict_after, displaced


class CheckRow(NamedTuple):
    ticked: bool
    by: str
    hlc: int
    event_id: str
    conflict: str | None = None  # JSON: the versions concurrent changes displaced (conflicts.py)
    # Since issue 10 (null for a tick or an untick, so older ledgers keep their hash):
    outcome: str | None = None  # failed, blocked or waived
    note: str | None = None  # what failed, why blocked, why waived


@dataclass(frozen=True)
class CheckState:
    ticked: bool = False  # passed
    by: str | None = None
    at: datetime | None = None
    hlc: int = 0
    event_id: str | None = None  # the last event that changed it: what an action prepared on it saw
    conflict: tuple[Displaced, ...] = ()  # versions a concurrent change displaced, until resolved
    outcome: str = ""  # "", passed, failed, blocked or waived (vocabulary.OUTCOME_AFTER)
    note: str | None = None

    @property
    def settled(self) -> bool:
        """Nothing more to do for it: passed, or waived with a reason."""
        return self.outcome in ("passed", "waived")


class Checks(Reducer[CheckRow, Mapping[str, CheckState]]):
    name = "checks"
    table = "check_state"
    kinds = CHECK_KINDS | {EventKind.CHECK_CONFLICT_RESOLVED}
    key_columns = ("item_id",)
    row_type = CheckRow
    hash_if_empty = True
    hashed_when_set = ("conflict", "outcome", "note")

    def fold(self, row: CheckRow | None, event: Event) -> CheckRow:
        head = None if row is None else (row.by, _word(row), row.hlc, row.event_id)
        if event.kind == EventKind.CHECK_CONFLICT_RESOLVED:
            conflict = conflict_after(row.conflict if row else None, head, event, resolves=True)
            if row is None:
                return CheckRow(False, event.operator, event.hlc, event.id, None)
            return row._replace(hlc=event.hlc, event_id=event.id, conflict=conflict)
        conflict = conflict_after(row.conflict if row else None, head, event, resolves=False)
        outcome = OUTCOME_AFTER.get(EventKind(event.kind), "")
        plain = outcome in ("", "passed")  # a tick or an untick: the columns older releases had
        return CheckRow(event.kind == EventKind.CHECK_TICKED, event.operator, event.hlc, event.id, conflict,
                        None if plain else outcome, None if plain else text(event.body.get("note")))

    def view(self, rows: Mapping[Key, CheckRow]) -> Mapping[str, CheckState]:
        return MappingProxyType({
            item_id: CheckState(ticked=bool(row.ticked), by=row.by, at=hlc_to_datetime(row.hlc), hlc=row.hlc,
                                 event_id=row.event_id, conflict=displaced(row.conflict),
                                 outcome="passed" if row.ticked else (row.outcome or ""), note=row.note)
            for (item_id,), row in rows.items()
        })


def _word(row: CheckRow) -> str:
    """What a displaced version was, in the conflict marker's words."""
    return "ticked" if row.ticked else (row.outcome or "unticked")


CHECKS = register(Checks())
