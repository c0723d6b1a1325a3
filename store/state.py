"""The state of a run: the rows of every registered aggregate, and their read-back views.

The same reducers fold events here, in memory (a screen showing its own write at once, and the
reference fold the tests compare against), and in the projection tables (`projection.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from . import aggregates  # noqa: F401 - registers every reducer
from .aggregate import REGISTRY, Key, reducer, reducers_for
from .aggregates.checks import CheckState
from .aggregates.decisions import DecisionEntry
from .aggregates.incidents import Incident
from .aggregates.notes import NoteEntry
from .aggregates.probes import ProbeObservation
from .aggregates.rollbacks import RollbackState
from .aggregates.signoffs import SignOff
from .aggregates.steps import StepState
from .aggregates.updates import PostedUpdate
from .events import Event

_NO_ROWS: Mapping[Key, tuple] = MappingProxyType({})


class RunState:
    """What a run looks like now: immutable. Only subjects that have events have rows."""

    __slots__ = ("_rows", "_views")

    def __init__(self, rows: Mapping[str, Mapping[Key, tuple]] | None = None) -> None:
        self._rows = {name: MappingProxyType(dict(table)) for name, table in (rows or {}).items() if table}
        self._views: dict[str, Any] = {}

    def rows(self, name: str) -> Mapping[Key, tuple]:
        return self._rows.get(name, _NO_ROWS)

    def view(self, name: str) -> Any:
        """The aggregate `name` as its reducer reads it back (built once per state)."""
        if name not in self._views:
            self._views[name] = reducer(name).view(self.rows(name))
        return self._views[name]

    def with_event(self, event: Event) -> RunState:
        """This state with one more event folded in. The event must sort after all it holds.
        Only the tables the event changes are copied; the others, and their views, are shared."""
        changed = reducers_for(event.kind)
        if not changed:
            return self
        state = RunState()
        state._rows = dict(self._rows)
        for r in changed:
            key = r.key(event)
            table = dict(self.rows(r.name))
            table[key] = r.fold(table.get(key), event)
            state._rows[r.name] = MappingProxyType(table)
        changed_names = {r.name for r in changed}
        state._views = {name: view for name, view in self._views.items() if name not in changed_names}
        return state

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunState) and self._rows == other._rows

    def __repr__(self) -> str:
        return "RunState(" + ", ".join(f"{name}={len(rows)}" for name, rows in self._rows.items()) + ")"

    # --- today's aggregates by name, for readable callers -------------------------------------

    @property
    def steps(self) -> Mapping[str, StepState]:
        return self.view("steps")

    def step(self, step_id: str) -> StepState:
        return self.steps.get(step_id, StepState())

    @property
    def checks(self) -> Mapping[str, CheckState]:
        return self.view("checks")

    def check(self, item_id: str) -> CheckState:
        return self.checks.get(item_id, CheckState())

    @property
    def notes(self) -> tuple[NoteEntry, ...]:
        return self.view("notes")

    def conflict_count(self) -> int:
        """Steps and checklist items marked with a conflict that nobody has resolved yet."""
        return (sum(1 for step in self.steps.values() if step.conflict)
                + sum(1 for check in self.checks.values() if check.conflict))

    @property
    def probes(self) -> Mapping[tuple[str, str], ProbeObservation]:
        """(probe, vantage) -> what that machine last saw."""
        return self.view("probes")

    def signoffs(self, step_id: str) -> tuple[SignOff, ...]:
        """The sign-offs standing on a step, oldest first (one per operator)."""
        return self.view("signoffs").get(step_id, ())

    @property
    def decisions(self) -> tuple[DecisionEntry, ...]:
        """Every go/no-go and go-live decision, oldest first."""
        return self.view("decisions")

    def latest_decision(self, point: str) -> DecisionEntry | None:
        return next((d for d in reversed(self.decisions) if d.point == point), None)

    @property
    def incidents(self) -> Mapping[str, Incident]:
        return self.view("incidents")

    @property
    def updates(self) -> tuple[PostedUpdate, ...]:
        """Status updates posted, oldest first."""
        return self.view("updates")

    @property
    def rollbacks(self) -> Mapping[str, RollbackState]:
        return self.view("rollbacks")

    def rollback(self, step_id: str) -> RollbackState:
        return self.rollbacks.get(step_id, RollbackState())

    @property
    def roles(self) -> Mapping[str, tuple[str, ...]]:
        """Operator -> the roles they declared in this run."""
        return self.view("roles")


def fold(events: Iterable[Event]) -> RunState:
    """The reference fold of one run's events, from scratch and in memory (any input order)."""
    rows: dict[str, dict[Key, tuple]] = {r.name: {} for r in REGISTRY}
    for event in sorted(events, key=lambda e: e.order_key):
        for r in reducers_for(event.kind):
            key = r.key(event)
            rows[r.name][key] = r.fold(rows[r.name].get(key), event)
    return RunState(rows)

