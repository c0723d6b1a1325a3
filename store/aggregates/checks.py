"""Checklist ticks: the last tick or untick of an item wins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import CHECK_KINDS, EventKind

from ..aggregate import Key, Reducer, register
from ..events import Event
from ..hlc import hlc_to_datetime
from .conflicts import Displaced, conflict_after, displaced


class CheckRow(NamedTuple):
    ticked: bool
    by: str
    hlc: int
    event_id: str
    conflict: str | None = None  # JSON: the versions concurrent changes displaced (conflicts.py)


@dataclass(frozen=True)
class CheckState:
    ticked: bool = False
    by: str | None = None
    at: datetime | None = None
    hlc: int = 0
    event_id: str | None = None  # the last event that changed it: what an action prepared on it saw
    conflict: tuple[Displaced, ...] = ()  # versions a concurrent change displaced, until resolved


class Checks(Reducer[CheckRow, Mapping[str, CheckState]]):
    name = "checks"
    table = "check_state"
    kinds = CHECK_KINDS | {EventKind.CHECK_CONFLICT_RESOLVED}
    key_columns = ("item_id",)
    row_type = CheckRow
    hash_if_empty = True
    hashed_when_set = ("conflict",)

    def fold(self, row: CheckRow | None, event: Event) -> CheckRow:
        head = None if row is None else (row.by, _word(row.ticked), row.hlc, row.event_id)
        if event.kind == EventKind.CHECK_CONFLICT_RESOLVED:
            conflict = conflict_after(row.conflict if row else None, head, event, resolves=True)
            if row is None:
                return CheckRow(False, event.operator, event.hlc, event.id, None)
            return row._replace(hlc=event.hlc, event_id=event.id, conflict=conflict)
        conflict = conflict_after(row.conflict if row else None, head, event, resolves=False)
        return CheckRow(event.kind == EventKind.CHECK_TICKED, event.operator, event.hlc, event.id, conflict)

    def view(self, rows: Mapping[Key, CheckRow]) -> Mapping[str, CheckState]:
        return MappingProxyType({
            item_id: CheckState(ticked=bool(row.ticked), by=row.by, at=hlc_to_datetime(row.hlc), hlc=row.hlc,
                                 event_id=row.event_id, conflict=displaced(row.conflict))
            for (item_id,), row in rows.items()
        })


def _word(ticked: bool) -> str:
    return "ticked" if ticked else "unticked"


CHECKS = register(Checks())
