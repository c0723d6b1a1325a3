"""Decisions (go/no-go, go-live): append-only, each with who decided, in which role, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from warroom.vocabulary import Decision, DecisionPoint, EventKind

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime


class DecisionRow(NamedTuple):
    hlc: int
    operator: str
    point: str
    decision: str
    role: str | None
    note: str | None
    override: str | None


@dataclass(frozen=True)
class DecisionEntry:
    at: datetime
    operator: str
    point: DecisionPoint
    decision: Decision
    role: str | None
    note: str | None  # the conditions of a CONDITIONAL GO, the reason of a NO-GO
    override: str | None  # what a PROCEED went ahead despite
    event_id: str

    @property
    def label(self) -> str:
        return self.decision.label


class Decisions(Reducer[DecisionRow, tuple[DecisionEntry, ...]]):
    name = "decisions"
    table = "decisions"
    kinds = frozenset({EventKind.DECISION_RECORDED})
    key_columns = ("event_id",)
    row_type = DecisionRow
    hash_order = "hlc, operator, event_id"
    per_event = True

    def key(self, event: Event) -> Key:
        return (event.id,)

    def fold(self, row: DecisionRow | None, event: Event) -> DecisionRow:
        return DecisionRow(event.hlc, event.operator, event.subject, text(event.body.get("decision")) or "",
                           text(event.body.get("role")), text(event.body.get("note")),
                           text(event.body.get("override")))

    def view(self, rows: Mapping[Key, DecisionRow]) -> tuple[DecisionEntry, ...]:
        """Every decision a peer could have recorded, oldest first; one this release cannot read
        (a point or a word it does not know) is left out rather than guessed at."""
        ordered = sorted(rows.items(), key=lambda item: (item[1].hlc, item[1].operator, item[0]))
        entries = []
        for (event_id,), row in ordered:
            if row.point in DecisionPoint.__members__.values() and row.decision in Decision.__members__.values():
                entries.append(DecisionEntry(hlc_to_datetime(row.hlc), row.operator, DecisionPoint(row.point),
                                             Decision(row.decision), row.role, row.note, row.override, event_id))
        return tuple(entries)


DECISIONS = register(Decisions())
