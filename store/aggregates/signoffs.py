"""Sign-offs on steps that need `approval: N`: one row per step and operator, the last of that
operator's sign-off or withdrawal wins, so the same person twice counts once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import EventKind

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime


class SignOffRow(NamedTuple):
    given: bool
    role: str | None
    hlc: int


@dataclass(frozen=True)
class SignOff:
    operator: str
    role: str | None
    at: datetime


class SignOffs(Reducer[SignOffRow, Mapping[str, tuple[SignOff, ...]]]):
    name = "signoffs"
    table = "signoffs"
    kinds = frozenset({EventKind.SIGNOFF_GIVEN, EventKind.SIGNOFF_WITHDRAWN})
    key_columns = ("step_id", "operator")
    row_type = SignOffRow

    def key(self, event: Event) -> Key:
        return (event.subject, event.operator)

    def fold(self, row: SignOffRow | None, event: Event) -> SignOffRow:
        given = event.kind == EventKind.SIGNOFF_GIVEN
        return SignOffRow(given, text(event.body.get("role")) if given else None, event.hlc)

    def view(self, rows: Mapping[Key, SignOffRow]) -> Mapping[str, tuple[SignOff, ...]]:
        """Step id -> the sign-offs standing on it, oldest first."""
        by_step: dict[str, list[tuple[int, SignOff]]] = {}
        for (step_id, operator), row in rows.items():
            if row.given:
                by_step.setdefault(step_id, []).append(
                    (row.hlc, SignOff(operator, row.role, hlc_to_datetime(row.hlc))))
        return MappingProxyType({step_id: tuple(s for _hlc, s in sorted(entries, key=lambda e: (e[0], e[1].operator)))
                                 for step_id, entries in by_step.items()})


SIGNOFFS = register(SignOffs())
