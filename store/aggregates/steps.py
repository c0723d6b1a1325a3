"""Step status: pending -> in progress -> done / failed / skipped, and back by reopening."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import STATUS_AFTER, STEP_KINDS, EventKind, StepStatus

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime
from .conflicts import Displaced, conflict_after, displaced


class StepRow(NamedTuple):
    status: str
    started_hlc: int | None
    finished_hlc: int | None
    by: str
    note: str | None
    hlc: int
    event_id: str  # the last event applied: what the next change of the step must have seen
    conflict: str | None = None  # JSON: the versions concurrent changes displaced (conflicts.py)


@dataclass(frozen=True)
class StepState:
    status: StepStatus = StepStatus.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    by: str | None = None
    note: str | None = None
    hlc: int = 0
    event_id: str | None = None  # the last event that changed it: what an action prepared on it saw
    conflict: tuple[Displaced, ...] = ()  # versions a concurrent change displaced, until resolved


class Steps(Reducer[StepRow, Mapping[str, StepState]]):
    name = "steps"
    table = "step_state"
    kinds = STEP_KINDS | {EventKind.STEP_CONFLICT_RESOLVED}
    key_columns = ("step_id",)
    row_type = StepRow
    hash_if_empty = True
    hashed_when_set = ("conflict",)

    def fold(self, row: StepRow | None, event: Event) -> StepRow:
        head = None if row is None else (row.by, row.status, row.hlc, row.event_id)
        if event.kind == EventKind.STEP_CONFLICT_RESOLVED:
            conflict = conflict_after(row.conflict if row else None, head, event, resolves=True)
            if row is None:
                return StepRow(StepStatus.PENDING.value, None, None, event.operator, None, event.hlc, event.id, None)
            return row._replace(hlc=event.hlc, event_id=event.id, conflict=conflict)
        started = row.started_hlc if row else None
        finished = row.finished_hlc if row else None
        if event.kind == EventKind.STEP_STARTED:
            started, finished = event.hlc, None
        elif event.kind == EventKind.STEP_DONE:
            started, finished = (started if started is not None else event.hlc), event.hlc
        elif event.kind in (EventKind.STEP_FAILED, EventKind.STEP_SKIPPED):
            finished = event.hlc
        elif event.kind == EventKind.STEP_REOPENED:
            started = finished = None
        status = STATUS_AFTER[EventKind(event.kind)]
        note = text(event.body.get("note"))
        conflict = conflict_after(row.conflict if row else None, head, event, resolves=False)
        return StepRow(status.value, started, finished, event.operator, note, event.hlc, event.id, conflict)

    def view(self, rows: Mapping[Key, StepRow]) -> Mapping[str, StepState]:
        return MappingProxyType({step_id: _state(row) for (step_id,), row in rows.items()})


def _state(row: StepRow) -> StepState:
    return StepState(
        status=StepStatus(row.status),
        started_at=None if row.started_hlc is None else hlc_to_datetime(row.started_hlc),
        finished_at=None if row.finished_hlc is None else hlc_to_datetime(row.finished_hlc),
        by=row.by,
        note=row.note,
        hlc=row.hlc,
        event_id=row.event_id,
        conflict=displaced(row.conflict),
    )


STEPS = register(Steps())
