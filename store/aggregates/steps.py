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


class StepRow(NamedTuple):
    status: str
    started_hlc: int | None
    finished_hlc: int | None
    by: str
    note: str | None
    hlc: int
    event_id: str  # the last event applied: sync will use it to flag concurrent writers


@dataclass(frozen=True)
class StepState:
    status: StepStatus = StepStatus.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    by: str | None = None
    note: str | None = None
    hlc: int = 0
    event_id: str | None = None  # the last event that changed it: what an action prepared on it saw


class Steps(Reducer[StepRow, Mapping[str, StepState]]):
    name = "steps"
    table = "step_state"
    kinds = STEP_KINDS
    key_columns = ("step_id",)
    row_type = StepRow
    hash_if_empty = True

    def fold(self, row: StepRow | None, event: Event) -> StepRow:
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
        return StepRow(status.value, started, finished, event.operator, note, event.hlc, event.id)

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
    )


STEPS = register(Steps())
