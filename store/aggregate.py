"""One reducer per kind of state, and the registry every fold goes through.

A reducer owns one projection table: which event kinds it folds, the key of the row an event
touches, how the event changes that row, and how its rows read back. Append, rebuild, read,
`state_hash` and the screen's in-memory fold all walk `REGISTRY`, so they cannot disagree.

The fold must never raise: events from other operators arrive with whatever bodies their release
wrote, and a bad field becomes an empty one, not a stopped ledger.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from warroom.vocabulary import EventKind

from .events import Event

Row = TypeVar("Row", bound=tuple)
View = TypeVar("View")
Key = tuple[str, ...]

class Reducer(Generic[Row, View]):
    """Subclass, fill in the class attributes, `fold` and `view` (and `key`, unless a row per
    subject), then `register()` it."""

    name: ClassVar[str]  # how RunState names this state ("steps")
    table: ClassVar[str]  # its projection table
    kinds: ClassVar[frozenset[EventKind]]  # the events it folds
    key_columns: ClassVar[tuple[str, ...]]  # the row's key within a run
    row_type: ClassVar[type[NamedTuple]]  # the row's other columns, in order, with their types
    hash_order: ClassVar[str] = ""  # SQL ORDER BY for the state hash; the key by default
    hashed: ClassVar[bool] = True  # part of the state hash that replicas compare
    hash_if_empty: ClassVar[bool] = False  # hashed since schema 1, when empty tables had a header
    # Columns added after a release had hashed the table: hashed only when not null, so that a
    # ledger whose rows never set them keeps the hash it had.
    hashed_when_set: ClassVar[tuple[str, ...]] = ()
    # One row per event (its key holds the event id): a row never depends on other events, so
    # the order events arrive in cannot make it wrong.
    per_event: ClassVar[bool] = False

    def key(self, event: Event) -> Key:
        """The row `event` touches: by default one row per subject (a step, a checklist item)."""
        return (event.subject,)

    def fold(self, row: Row | None, event: Event) -> Row:
        """The row after `event`, given the row before (None when it has none yet)."""
        raise NotImplementedError

    def view(self, rows: Mapping[Key, Row]) -> View:
        """What callers read: the rows of one run as the aggregate's own values."""
        raise NotImplementedError

    # --- derived from the declarations above ---------------------------------------------------

    @property
    def value_columns(self) -> tuple[str, ...]:
        return self.row_type._fields

    @property
    def columns(self) -> tuple[str, ...]:
        return ("run", *self.key_columns, *self.value_columns)

    def column_types(self) -> dict[str, type]:
        hints = typing.get_type_hints(self.row_type)
        return {**{name: str for name in ("run", *self.key_columns)},
                **{name: _concrete(hints[name])[0] for name in self.value_columns}}

    def not_null(self) -> set[str]:
        hints = typing.get_type_hints(self.row_type)
        return {"run", *self.key_columns, *(name for name in self.value_columns if not _concrete(hints[name])[1])}

    def order(self) -> str:
        return "run, " + (self.hash_order or ", ".join(self.key_columns))


def _concrete(hint: Any) -> tuple[type, bool]:
    """`int` -> (int, False); `int | None` -> (int, True): the column's type and whether it may be null."""
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    concrete = [arg for arg in args if arg is not type(None)]
    return concrete[0], len(concrete) < len(args)


REGISTRY: list[Reducer[Any, Any]] = []
_BY_KIND: dict[EventKind, list[Reducer[Any, Any]]] = {}


def register(reducer: Reducer[Any, Any]) -> Reducer[Any, Any]:
    """Add a reducer; the order of registration is the order of the state hash's sections."""
    if any(r.name == reducer.name or r.table == reducer.table for r in REGISTRY):
        raise ValueError(f"a reducer named '{reducer.name}' or owning '{reducer.table}' is already registered")
    REGISTRY.append(reducer)
    for kind in reducer.kinds:
        _BY_KIND.setdefault(kind, []).append(reducer)
    return reducer


def reducers_for(kind: str) -> list[Reducer[Any, Any]]:
    """The reducers an event of `kind` changes; none for kinds only the log keeps."""
    return _BY_KIND.get(kind, [])  # type: ignore[call-overload]  # EventKind is a str


def reducer(name: str) -> Reducer[Any, Any]:
    for candidate in REGISTRY:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no reducer named '{name}'")


def text(value: Any) -> str | None:
    """A body field that should be text, as text or None (the fold never trusts a peer's body)."""
    return value if isinstance(value, str) else None


def unregister(reducer: Reducer[Any, Any]) -> None:
    """Take a reducer out again (tests that try a deliberately broken one)."""
    REGISTRY.remove(reducer)
    for kind in reducer.kinds:
        _BY_KIND[kind].remove(reducer)
