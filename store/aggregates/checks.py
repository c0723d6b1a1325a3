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


class CheckRow(NamedTuple):
    ticked: bool
    by: str
    hlc: int
    event_id: str


@dataclass(frozen=True)
class CheckState:
    ticked: bool = False
    by: str | None = None
    at: datetime | None = None
    hlc: int = 0
    event_id: str | None = None  # the last event that changed it: what an action prepared on it saw


class Checks(Reducer[CheckRow, Mapping[str, CheckState]]):
    name = "checks"
    table = "check_state"
    kinds = CHECK_KINDS
    key_columns = ("item_id",)
    row_type = CheckRow
    hash_if_empty = True

    def fold(self, row: CheckRow | None, event: Event) -> CheckRow:
        return CheckRow(event.kind == EventKind.CHECK_TICKED, event.operator, event.hlc, event.id)

    def view(self, rows: Mapping[Key, CheckRow]) -> Mapping[str, CheckState]:
        return MappingProxyType({
            item_id: CheckState(ticked=bool(row.ticked), by=row.by, at=hlc_to_datetime(row.hlc), hlc=row.hlc,
                                 event_id=row.event_id)
            for (item_id,), row in rows.items()
        })


CHECKS = register(Checks())
