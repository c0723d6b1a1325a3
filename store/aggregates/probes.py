"""Probe state as each vantage point last saw it: "web: UP here, DOWN from dba-laptop".

Not part of the state hash: a probe change is one machine's observation of the system, not
something the room decided, and ledgers written before this aggregate keep the hash they had.
"""

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


class ProbeRow(NamedTuple):
    state: str
    failed_condition: str | None
    hlc: int
    event_id: str


@dataclass(frozen=True)
class ProbeObservation:
    probe: str
    vantage: str
    state: str  # a probes.ProbeState value, kept as text: the store does not import probes
    failed_condition: str | None
    since: datetime


class Probes(Reducer[ProbeRow, Mapping[tuple[str, str], ProbeObservation]]):
    name = "probes"
    table = "probe_state"
    kinds = frozenset({EventKind.PROBE_CHANGED})
    key_columns = ("probe", "vantage")
    row_type = ProbeRow
    hashed = False

    def key(self, event: Event) -> Key:
        return (event.subject, text(event.body.get("vantage")) or event.node)

    def fold(self, row: ProbeRow | None, event: Event) -> ProbeRow:
        return ProbeRow(text(event.body.get("to")) or "UNKNOWN", text(event.body.get("failed_condition")),
                        event.hlc, event.id)

    def view(self, rows: Mapping[Key, ProbeRow]) -> Mapping[tuple[str, str], ProbeObservation]:
        return MappingProxyType({
            (probe, vantage): ProbeObservation(probe, vantage, row.state, row.failed_condition,
                                               hlc_to_datetime(row.hlc))
            for (probe, vantage), row in rows.items()
        })


PROBES = register(Probes())
