"""The roles each operator says they hold in this run: their last declaration wins."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from warroom.vocabulary import EventKind

from ..aggregate import Key, Reducer, register
from ..events import Event, canonical_json


class RolesRow(NamedTuple):
    roles: str  # JSON list of role names
    hlc: int


class Roles(Reducer[RolesRow, Mapping[str, tuple[str, ...]]]):
    name = "roles"
    table = "operator_roles"
    kinds = frozenset({EventKind.ROLES_DECLARED})
    key_columns = ("operator",)
    row_type = RolesRow

    def key(self, event: Event) -> Key:
        return (event.operator,)

    def fold(self, row: RolesRow | None, event: Event) -> RolesRow:
        roles = event.body.get("roles")
        names = [r for r in roles if isinstance(r, str) and r.strip()] if isinstance(roles, list) else []
        return RolesRow(canonical_json(names), event.hlc)

    def view(self, rows: Mapping[Key, RolesRow]) -> Mapping[str, tuple[str, ...]]:
        """Operator -> the roles they declared last (maybe none)."""
        return MappingProxyType({operator: tuple(json.loads(row.roles)) for (operator,), row in rows.items()})


ROLES = register(Roles())
