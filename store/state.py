"""The state of a run (step statuses, check ticks, notes) and the pure rules that fold events into it.

The projection tables in SQLite hold rows of the same shape as the *Row tuples here (clock values,
not datetimes); the fold rules live only here, so the incremental projection, a rebuild and the
in-memory reference fold cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Iterable, Mapping, NamedTuple

from .events import CHECK_KINDS, NOTE_ADDED, STEP_KINDS, Event
from .hlc import hlc_to_datetime, pack

STEP_STATUSES = ("pending", "in_progress", "done", "failed", "skipped")

_STATUS_AFTER = {
    "step.started": "in_progress",
    "step.done": "done",
    "step.failed": "failed",
    "step.skipped": "skipped",
    "step.reopened": "pending",
}
assert set(_STATUS_AFTER) == set(STEP_KINDS)


@dataclass(frozen=True)
class StepState:
    status: str = "pending"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    by: str | None = None
    note: str | None = None
    hlc: int = 0


@dataclass(frozen=True)
class CheckState:
    ticked: bool = False
    by: str | None = None
    at: datetime | None = None
    hlc: int = 0


@dataclass(frozen=True)
class NoteEntry:
    at: datetime
    operator: str
    subject: str
    text: str
    event_id: str


def _frozen(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class RunState:
    """What a run looks like now. Only subjects that have events appear in the mappings."""

    steps: Mapping[str, StepState] = field(default_factory=_frozen)
    checks: Mapping[str, CheckState] = field(default_factory=_frozen)
    notes: tuple[NoteEntry, ...] = ()

    def step(self, step_id: str) -> StepState:
        return self.steps.get(step_id, StepState())

    def check(self, item_id: str) -> CheckState:
        return self.checks.get(item_id, CheckState())


class StepRow(NamedTuple):
    status: str
    started_hlc: int | None
    finished_hlc: int | None
    by: str
    note: str | None
    hlc: int
    event_id: str  # the last event applied; sync will need it to flag concurrent writers


class CheckRow(NamedTuple):
    ticked: bool
    by: str
    hlc: int
    event_id: str


class NoteRow(NamedTuple):
    event_id: str
    hlc: int
    operator: str
    subject: str
    text: str


def fold_step(row: StepRow | None, event: Event) -> StepRow:
    """The step's row after `event`, given its row before (None when it has none yet)."""
    started = row.started_hlc if row else None
    finished = row.finished_hlc if row else None
    if event.kind == "step.started":
        started, finished = event.hlc, None
    elif event.kind == "step.done":
        started, finished = (started if started is not None else event.hlc), event.hlc
    elif event.kind in ("step.failed", "step.skipped"):
        finished = event.hlc
    elif event.kind == "step.reopened":
        started = finished = None
    note = event.body.get("note")
    return StepRow(_STATUS_AFTER[event.kind], started, finished, event.operator,
                   note if isinstance(note, str) else None, event.hlc, event.id)


def fold_check(event: Event) -> CheckRow:
    return CheckRow(event.kind == "check.ticked", event.operator, event.hlc, event.id)


def note_row(event: Event) -> NoteRow:
    text = event.body.get("text")
    return NoteRow(event.id, event.hlc, event.operator, event.subject, text if isinstance(text, str) else "")


def step_state(row: StepRow) -> StepState:
    return StepState(
        status=row.status,
        started_at=None if row.started_hlc is None else hlc_to_datetime(row.started_hlc),
        finished_at=None if row.finished_hlc is None else hlc_to_datetime(row.finished_hlc),
        by=row.by,
        note=row.note,
        hlc=row.hlc,
    )


def check_state(row: CheckRow) -> CheckState:
    return CheckState(ticked=bool(row.ticked), by=row.by, at=hlc_to_datetime(row.hlc), hlc=row.hlc)


def note_entry(row: NoteRow) -> NoteEntry:
    return NoteEntry(at=hlc_to_datetime(row.hlc), operator=row.operator, subject=row.subject,
                     text=row.text, event_id=row.event_id)


def fold(events: Iterable[Event]) -> RunState:
    """The reference fold of one run's events, from scratch and in memory (any input order)."""
    steps: dict[str, StepRow] = {}
    checks: dict[str, CheckRow] = {}
    notes: list[NoteRow] = []
    for event in sorted(events, key=lambda e: e.order_key):
        if event.kind in STEP_KINDS:
            steps[event.subject] = fold_step(steps.get(event.subject), event)
        elif event.kind in CHECK_KINDS:
            checks[event.subject] = fold_check(event)
        elif event.kind == NOTE_ADDED:
            notes.append(note_row(event))
    return RunState(
        steps=_frozen({k: step_state(v) for k, v in steps.items()}),
        checks=_frozen({k: check_state(v) for k, v in checks.items()}),
        notes=tuple(note_entry(n) for n in notes),
    )


def apply_event(state: RunState, event: Event) -> RunState:
    """`state` with one more event folded in, in memory: how a screen shows its own write at once,
    before it reads the projection back. The event must sort after everything in `state`."""
    if event.kind in STEP_KINDS:
        before = state.steps.get(event.subject)
        row = fold_step(_step_row(before) if before else None, event)
        return replace(state, steps=_frozen({**state.steps, event.subject: step_state(row)}))
    if event.kind in CHECK_KINDS:
        return replace(state, checks=_frozen({**state.checks, event.subject: check_state(fold_check(event))}))
    if event.kind == NOTE_ADDED:
        return replace(state, notes=state.notes + (note_entry(note_row(event)),))
    return state


def _step_row(step: StepState) -> StepRow:
    as_hlc = lambda moment: None if moment is None else pack(int(moment.timestamp() * 1000), 0)  # noqa: E731
    return StepRow(step.status, as_hlc(step.started_at), as_hlc(step.finished_at), step.by or "", step.note, step.hlc, "")
