"""The rollback branch: each done step's `rollback` action, started and confirmed like a step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import ROLLBACK_KINDS, EventKind, StepStatus

from ..aggregate import Key, Reducer, register, text
from ..events import Event
from ..hlc import hlc_to_datetime_or_none as _at

_STATUS = {EventKind.ROLLBACK_STARTED: StepStatus.IN_PROGRESS, EventKind.ROLLBACK_DONE: StepStatus.DONE,
           EventKind.ROLLBACK_FAILED: StepStatus.FAILED}


class RollbackRow(NamedTuple):
    status: str
    started_hlc: int | None
    finished_hlc: int | None
    by: str
    note: str | None
    hlc: int


@dataclass(frozen=True)
class RollbackState:
    status: StepStatus = StepStatus.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    by: str | None = None
    note: str | None = None


class Rollbacks(Reducer[RollbackRow, Mapping[str, RollbackState]]):
    name = "rollbacks"
    table = "rollback_state"
    kinds = ROLLBACK_KINDS
    key_columns = ("step_id",)
    row_type = RollbackRow

    def fold(self, row: RollbackRow | None, event: Event) -> RollbackRow:
        status = _STATUS[EventKind(event.kind)]
        started = row.started_hlc if row else None
        if status is StepStatus.IN_PROGRESS or started is None:
            started = event.hlc
        finished = None if status is StepStatus.IN_PROGRESS else event.hlc
        return RollbackRow(status.value, started, finished, event.operator, text(event.body.get("note")), event.hlc)

    def view(self, rows: Mapping[Key, RollbackRow]) -> Mapping[str, RollbackState]:
        return MappingProxyType({
            step_id: RollbackState(StepStatus(row.status), _at(row.started_hlc), _at(row.finished_hlc), row.by,
                                   row.note)
            for (step_id,), row in rows.items()})


ROLLBACKS = register(Rollbacks())
