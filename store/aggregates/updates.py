"""Status updates posted to stakeholders: append-only, read back in fold order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from warroom.vocabulary import EventKind

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime


class UpdateRow(NamedTuple):
    hlc: int
    operator: str
    text: str


@dataclass(frozen=True)
class PostedUpdate:
    at: datetime
    operator: str
    text: str
    event_id: str


class Updates(Reducer[UpdateRow, tuple[PostedUpdate, ...]]):
    name = "updates"
    table = "status_updates"
    kinds = frozenset({EventKind.STATUS_POSTED})
    key_columns = ("event_id",)
    row_type = UpdateRow
    hash_order = "hlc, operator, event_id"
    per_event = True

    def key(self, event: Event) -> Key:
        return (event.id,)

    def fold(self, row: UpdateRow | None, event: Event) -> UpdateRow:
        return UpdateRow(event.hlc, event.operator, text(event.body.get("text")) or "")

    def view(self, rows: Mapping[Key, UpdateRow]) -> tuple[PostedUpdate, ...]:
        ordered = sorted(rows.items(), key=lambda item: (item[1].hlc, item[1].operator, item[0]))
        return tuple(PostedUpdate(hlc_to_datetime(row.hlc), row.operator, row.text, event_id)
                     for (event_id,), row in ordered)


UPDATES = register(Updates())
