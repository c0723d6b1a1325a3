"""Incidents: opened with a severity and a title, then moved New -> Active -> Resolved -> Closed
(or back), each change an event. The row keeps the times the response and resolution targets
are measured by: when it was opened, first answered (made active or resolved), and resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import SEVERITIES, EventKind, IncidentStatus

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime
from ..hlc import hlc_to_datetime_or_none as _at


class IncidentRow(NamedTuple):
    severity: str
    title: str
    description: str | None
    owner: str | None
    step: str | None
    item: str | None
    status: str
    opened_hlc: int
    opened_by: str
    responded_hlc: int | None
    resolved_hlc: int | None
    resolution: str | None
    hlc: int  # the last change
    by: str


@dataclass(frozen=True)
class Incident:
    id: str
    severity: str  # P1..P4
    title: str
    status: IncidentStatus
    opened_at: datetime
    opened_by: str
    description: str | None = None
    owner: str | None = None
    step: str | None = None  # the step it was opened on
    item: str | None = None  # the smoke test whose failure it is
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    changed_at: datetime | None = None
    changed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.status.open


class Incidents(Reducer[IncidentRow, Mapping[str, Incident]]):
    name = "incidents"
    table = "incidents"
    kinds = frozenset({EventKind.INCIDENT_OPENED, EventKind.INCIDENT_UPDATED})
    key_columns = ("incident_id",)
    row_type = IncidentRow

    def fold(self, row: IncidentRow | None, event: Event) -> IncidentRow:
        body = event.body
        if event.kind == EventKind.INCIDENT_OPENED or row is None:
            # an update whose opening this replica lacks still shows, untitled, rather than vanish
            row = IncidentRow(_severity(body.get("severity")), text(body.get("title")) or "",
                              text(body.get("description")), text(body.get("owner")), text(body.get("step")),
                              text(body.get("item")),
                              IncidentStatus.NEW.value, event.hlc, event.operator, None, None, None,
                              event.hlc, event.operator)
            if event.kind == EventKind.INCIDENT_OPENED:
                return row
        status = text(body.get("status")) or ""
        changes: dict = {"hlc": event.hlc, "by": event.operator}
        if status in IncidentStatus.__members__.values():
            changes["status"] = status
            if status != IncidentStatus.NEW and row.responded_hlc is None:
                changes["responded_hlc"] = event.hlc
            if status == IncidentStatus.RESOLVED:
                changes["resolved_hlc"] = event.hlc
                changes["resolution"] = text(body.get("note")) or row.resolution
            elif not IncidentStatus(status).open:
                pass  # closed: keeps when and how it was resolved
            else:
                changes["resolved_hlc"] = None  # reopened: its resolution no longer stands
        if body.get("severity") in SEVERITIES:
            changes["severity"] = body["severity"]
        if isinstance(body.get("owner"), str):
            changes["owner"] = body["owner"] or None
        return row._replace(**changes)

    def view(self, rows: Mapping[Key, IncidentRow]) -> Mapping[str, Incident]:
        return MappingProxyType({incident_id: _incident(incident_id, row) for (incident_id,), row in rows.items()})


def _severity(value: object) -> str:
    return value if isinstance(value, str) and value in SEVERITIES else "P4"


def _incident(incident_id: str, row: IncidentRow) -> Incident:
    status = IncidentStatus(row.status) if row.status in IncidentStatus.__members__.values() else IncidentStatus.NEW
    return Incident(incident_id, row.severity, row.title, status, hlc_to_datetime(row.opened_hlc), row.opened_by,
                    row.description, row.owner, row.step, row.item, _at(row.responded_hlc), _at(row.resolved_hlc),
                    row.resolution, hlc_to_datetime(row.hlc), row.by)


INCIDENTS = register(Incidents())
