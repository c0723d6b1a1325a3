"""Every registered reducer folds the same way three times: incrementally into SQLite as events
are appended, from scratch by a rebuild, and in memory (the screen's fold and the reference fold).

The histories are generated from the registry and the declared body shapes, so a new aggregate or
event kind is covered without touching this file.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.store import Ledger, RunState, fold
from warroom.store.aggregate import REGISTRY, Reducer, register, unregister
from warroom.store.kinds import SHAPES
from warroom.vocabulary import EventKind

SUBJECTS = ["backup", "deploy-app", "pre/war-room", "web"]
WRITERS = [(operator, run) for operator in ("ana", "lee") for run in ("live", "rehearsal-1")]

_VALUES = {str: st.text(min_size=1, max_size=6), type(None): st.none(),
           list: st.lists(st.text(min_size=1, max_size=6).filter(str.strip), max_size=3)}


def body_of(kind: EventKind) -> st.SearchStrategy[dict]:
    """A body of the shape `kind` declares: every required field, some optional ones."""
    fields = SHAPES[kind].fields
    def value(spec):
        if spec.choices:
            return st.sampled_from(spec.choices)
        text = st.one_of(*(_VALUES[t] for t in spec.types))
        return text.filter(lambda v: not isinstance(v, str) or v.strip()) if spec.non_empty else text
    required = {name: value(spec) for name, spec in fields.items() if spec.required}
    optional = {name: value(spec) for name, spec in fields.items() if not spec.required}
    return st.fixed_dictionaries(required, optional=optional)


def event_of(kind: EventKind) -> st.SearchStrategy[tuple]:
    if SHAPES[kind].subject_choices:
        return st.tuples(st.just(kind.value), st.sampled_from(SHAPES[kind].subject_choices), body_of(kind))
    subjects = {"required": st.sampled_from(SUBJECTS), "optional": st.sampled_from(["", *SUBJECTS]),
                "empty": st.just("")}[SHAPES[kind].subject]
    return st.tuples(st.just(kind.value), subjects, body_of(kind))


histories = st.lists(
    st.tuples(st.integers(0, len(WRITERS) - 1), st.one_of(*(event_of(kind) for kind in EventKind)),
              st.integers(-3_000, 3_000)),  # how the shared wall clock moves before each append
    max_size=30,
)


class Clock:
    def __init__(self) -> None:
        self.ms = 1_800_000_000_000

    def __call__(self) -> int:
        return self.ms


def check_every_fold_agrees(folder: Path, history) -> None:
    clock = Clock()
    ledgers = [Ledger.open(folder / "l.sqlite", "billing", operator, run=run, node=f"n-{operator}", clock=clock)
               for operator, run in WRITERS]
    try:
        in_memory = {run: RunState() for _, run in WRITERS}
        for who, (kind, subject, body), jump in history:
            clock.ms += jump
            event = ledgers[who].append(kind, subject, body)
            in_memory[event.run] = in_memory[event.run].with_event(event)
        incremental = {ledger.run: ledger.state() for ledger in ledgers}
        digest = ledgers[0].state_hash()
        ledgers[0].rebuild()
        assert ledgers[0].state_hash() == digest
        for ledger in ledgers:
            rebuilt = ledger.state()
            reference = fold(ledger.events())
            assert incremental[ledger.run] == rebuilt == reference == in_memory[ledger.run]
            for r in REGISTRY:
                assert rebuilt.view(r.name) == in_memory[ledger.run].view(r.name), r.name
    finally:
        for ledger in ledgers:
            ledger.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_incremental_rebuild_and_memory_agree_for_every_reducer(history):
    with tempfile.TemporaryDirectory() as folder:
        check_every_fold_agrees(Path(folder), history)


class SeenRow(NamedTuple):
    seen_ns: int


class LastSeen(Reducer[SeenRow, dict]):
    """A broken aggregate: its fold reads the machine's clock instead of the event."""

    name = "last_seen"
    table = "last_seen"
    kinds = frozenset({EventKind.STEP_DONE})
    key_columns = ("step_id",)
    row_type = SeenRow

    def key(self, event):
        return (event.subject,)

    def fold(self, row, event):
        return SeenRow(time.monotonic_ns())

    def view(self, rows):
        return dict(rows)


@contextmanager
def registered(reducer: Reducer):
    register(reducer)
    try:
        yield
    finally:
        unregister(reducer)


def test_the_check_catches_a_reducer_that_breaks_the_rules(tmp_path):
    with registered(LastSeen()), pytest.raises(AssertionError):
        check_every_fold_agrees(tmp_path, [(0, ("step.done", "backup", {}), 10)])


def test_every_reducer_owns_its_own_table_and_kinds_it_can_fold():
    assert len({r.table for r in REGISTRY}) == len({r.name for r in REGISTRY}) == len(REGISTRY)
    for r in REGISTRY:
        assert r.kinds and r.kinds <= set(EventKind), r.name
