"""Notes: append-only, one row per note, read back in fold order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from warroom.vocabulary import EventKind

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime


class NoteRow(NamedTuple):
    hlc: int
    operator: str
    subject: str
    text: str


@dataclass(frozen=True)
class NoteEntry:
    at: datetime
    operator: str
    subject: str
    text: str
    event_id: str


class Notes(Reducer[NoteRow, tuple[NoteEntry, ...]]):
    name = "notes"
    table = "notes"
    kinds = frozenset({EventKind.NOTE_ADDED})
    key_columns = ("event_id",)
    row_type = NoteRow
    hash_order = "hlc, operator, event_id"
    hash_if_empty = True
    per_event = True

    def key(self, event: Event) -> Key:
        return (event.id,)

    def fold(self, row: NoteRow | None, event: Event) -> NoteRow:
        return NoteRow(event.hlc, event.operator, event.subject, text(event.body.get("text")) or "")

    def view(self, rows: Mapping[Key, NoteRow]) -> tuple[NoteEntry, ...]:
        ordered = sorted(rows.items(), key=lambda item: (item[1].hlc, item[1].operator, item[0]))
        return tuple(NoteEntry(at=hlc_to_datetime(row.hlc), operator=row.operator, subject=row.subject,
                               text=row.text, event_id=event_id) for (event_id,), row in ordered)


NOTES = register(Notes())
