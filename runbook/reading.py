"""Typed values out of marked YAML nodes, collecting every problem instead of stopping at one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .names import ID_RULE, did_you_mean, is_valid_id, slugify
from .problems import Problem
from .timeparse import DURATION_EXAMPLES, MOMENT_EXAMPLES, parse_duration, parse_moment
from .yamlnodes import describe, is_null, mapping_pairs, position


class Reader:
    """Reads values for one file and remembers what was wrong with them, with positions."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, node: Node, message: str) -> None:
        line, col = position(node)
        self.problems.append(Problem(self.file, line, col, message))

    def error_at(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, col, message))

    def checkpoint(self) -> int:
        """Pass to `clean_since` to learn whether a part of the file read without errors."""
        return len(self.problems)

    def clean_since(self, checkpoint: int) -> bool:
        return len(self.problems) == checkpoint

    # --- shapes -------------------------------------------------------------------------------

    def mapping(self, node: Node, what: str, example: str) -> Fields | None:
        if isinstance(node, MappingNode):
            return Fields(self, node)
        self.error(node, f"{what} must be a mapping like {example}; found {describe(node)}")
        return None

    def sequence(self, node: Node, what: str, example: str) -> list[Node] | None:
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.error(node, f"{what} must be a list like {example}; found {describe(node)}")
        return None

    # --- scalars ------------------------------------------------------------------------------

    def text(self, node: Node, what: str, hint: str = "") -> str | None:
        if isinstance(node, ScalarNode) and not is_null(node):
            return node.value.strip()
        self.error(node, f"{what} must be text{hint}; found {describe(node)}")
        return None

    def _scalar(self, node: Node, what: str, expected: str) -> str | None:
        if isinstance(node, ScalarNode) and not is_null(node):
            return node.value.strip()
        self.error(node, f"{what} must be {expected}; found {describe(node)}")
        return None

    def ident(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if not is_valid_id(value):
            example = slugify(value) or "deploy-app"
            self.error(node, f"{what} '{value}' may use {ID_RULE} (e.g. '{example}')")
            return None
        return value

    def duration(self, node: Node, what: str, allow_zero: bool = True) -> timedelta | None:
        value = self._scalar(node, what, f"a duration like {DURATION_EXAMPLES}")
        if value is None:
            return None
        try:
            delta = parse_duration(value)
        except ValueError as exc:
            self.error(node, f"{what}: {exc}")
            return None
        if delta < timedelta(0) or (not allow_zero and not delta):
            self.error(node, f"{what} must be {'at least 0' if allow_zero else 'longer than 0'}; found '{value}'")
            return None
        return delta

    def moment(self, node: Node, what: str) -> datetime | time | None:
        value = self._scalar(node, what, f"a time like {MOMENT_EXAMPLES}")
        if value is None:
            return None
        try:
            return parse_moment(value)
        except ValueError as exc:
            self.error(node, f"{what}: {exc}")
            return None


class Fields:
    """The keys of one YAML mapping, with duplicate keys already reported."""

    def __init__(self, reader: Reader, node: MappingNode):
        self.reader = reader
        self.node = node
        self.pairs = mapping_pairs(node, reader.error)

    def reject_unknown(
        self,
        allowed: Iterable[str],
        where: str,
        hints: dict[str, str] | None = None,
        unknown: Callable[[str], str] | None = None,
    ) -> None:
        """Report each key not in `allowed` at the key, with 'did you mean' when one is close."""
        allowed = tuple(allowed)
        for name, (key, _) in self.pairs.items():
            if name in allowed:
                continue
            if hints and name in hints:
                message = hints[name]
            elif unknown:
                message = unknown(name)
            else:
                message = f"unknown key '{name}' {where}{did_you_mean(name, allowed)}"
            self.reader.error(key, message)

    def has(self, name: str) -> bool:
        return name in self.pairs

    def key(self, name: str) -> ScalarNode:
        return self.pairs[name][0]

    def get(self, name: str) -> Node | None:
        """The value node, or None when the key is absent or its value is empty (null)."""
        pair = self.pairs.get(name)
        return None if pair is None or is_null(pair[1]) else pair[1]

    def raw(self, name: str) -> Node | None:
        """The value node even if null; None only when the key is absent."""
        pair = self.pairs.get(name)
        return None if pair is None else pair[1]

    def required(self, name: str, missing: str) -> Node | None:
        """The value node; else reports `missing` at the mapping (or at the key if it is empty)."""
        value = self.get(name)
        if value is None:
            self.reader.error(self.key(name) if self.has(name) else self.node, missing)
        return value

    def required_text(self, name: str, what: str, missing: str) -> str | None:
        node = self.required(name, missing)
        if node is None:
            return None
        value = self.reader.text(node, what)
        if value == "":
            self.reader.error(node, missing)
            return None
        return value

    def optional_text(self, name: str, what: str, hint: str = "") -> str | None:
        node = self.get(name)
        return None if node is None else (self.reader.text(node, what, hint) or None)
