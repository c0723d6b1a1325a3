"""The YAML node tree, with positions, read without PyYAML's YAML 1.1 constructors.

PyYAML would turn `14:00` into 840 and `No` into False; we compose the node tree instead and
read each scalar's text as written, so `rollback_deadline: 14:00` stays "14:00".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import MappingProxyType

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem, RunbookError

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"

Report = Callable[[Node, str], None]  # (where, message) -> records an error

_SYNTAX_HINTS = (
    ("mapping values are not allowed", "a value containing ': ' must be quoted"),
    ("'\\t'", "indent with spaces, not tabs"),
    ("found another document", "a runbook is one YAML document; remove the second '---'"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("expected ',' or ']'", "a '[' list is not closed, or an item needs quotes"),
    ("expected ',' or '}'", "a '{' mapping is not closed, or a value needs quotes"),
    ("expected <block end>", "check the indentation"),
    ("that cannot start any token", "quote values that start with @, ` or %"),
)


def position(node: Node) -> tuple[int, int]:
    """1-based (line, col) where the node starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def is_plain(node: ScalarNode) -> bool:
    """Written without quotes or a block indicator. libyaml marks plain scalars with style '',
    PyYAML's pure parser with None (it reads files libyaml rejected, to explain the error)."""
    return not node.style


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


# libyaml's loader below, or None when PyYAML was built without libyaml: the pure parser in
# `compose` then reads everything. (The tests set it to None to compare the two.)
_FastLoader: type[yaml.CSafeLoader] | None = None

if hasattr(yaml, "CSafeLoader"):

    class _LibyamlLoader(yaml.CSafeLoader):
        """libyaml's parser (~10x PyYAML's on a 500-step runbook) with a resolver that tells only
        what the reader asks: null and merge keys; every other scalar is text. PyYAML's own
        resolver tries its regexes on each scalar in Python: a third of composing."""

        def resolve(self, kind, value, implicit):
            if kind is ScalarNode:
                plain = implicit[0]
                if plain and value in _NULLS:
                    return NULL_TAG
                return MERGE_TAG if plain and value == "<<" else _STR_TAG
            return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

        # PyYAML tracks each node's path for path resolvers, which we do not use.
        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass

    _FastLoader = _LibyamlLoader


def compose(text: str, file: str) -> Node | None:
    """The document's root node (None for an empty document); syntax errors raise RunbookError."""
    if _FastLoader is not None:
        # On any error the pure parser runs again below: its messages and marks are the ones
        # we explain.
        try:
            return yaml.compose(text, Loader=_FastLoader)
        except (yaml.YAMLError, RecursionError, ValueError):
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "cannot parse"
        message = f"YAML syntax error: {problem}"
        hint = next((h for pattern, h in _SYNTAX_HINTS if pattern in problem), None)
        if hint:
            message += f"; {hint}"
        context = exc.context_mark  # where the unclosed quote or bracket began
        if exc.context and exc.context.startswith("while") and context and mark and context.line != mark.line:
            message += f" ({exc.context} on line {context.line + 1})"
        raise RunbookError([Problem(file, line, col, message)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a control code
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - before.rfind("\n")
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or b"\0")
        message = f"YAML syntax error: unacceptable character #x{code:04x} ({exc.reason})"
        raise RunbookError([Problem(file, line, col, message)]) from None
    except yaml.YAMLError as exc:
        raise RunbookError([Problem(file, 1, 1, f"YAML syntax error: {exc}")]) from None


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


def describe(node: Node) -> str:
    """How a node looks to the reader, for 'found ...' in messages."""
    if isinstance(node, MappingNode):
        return "a mapping (key: value)"
    if isinstance(node, SequenceNode):
        return "a list"
    if is_null(node):
        return "nothing"
    return f"'{node.value}'"


def mapping_pairs(node: MappingNode, report: Report,
                  _merging: tuple[Node, ...] = ()) -> dict[str, tuple[ScalarNode, Node]]:
    """key text -> (key node, value node). Reports duplicate keys (PyYAML would silently keep the
    last) and non-text keys; resolves `<<: *anchor` merges, explicit keys winning."""
    _merging = (*_merging, node)
    explicit: dict[str, tuple[ScalarNode, Node]] = {}
    merged: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                if any(source is outer for outer in _merging):
                    report(source, "'<<' merges a mapping into itself")
                elif isinstance(source, MappingNode):
                    for name, pair in mapping_pairs(source, report, _merging).items():
                        merged.setdefault(name, pair)
                else:
                    report(source, f"'<<' merges a mapping (e.g. <<: *defaults); found {describe(source)}")
            continue
        if not isinstance(key, ScalarNode) or is_null(key):
            report(key, f"a key must be a word; found {describe(key)}")
            continue
        if key.value in explicit:
            first_line = explicit[key.value][0].start_mark.line + 1
            report(key, f"duplicate key '{key.value}' (already given on line {first_line})")
            continue
        explicit[key.value] = (key, value)
    return {**{k: v for k, v in merged.items() if k not in explicit}, **explicit}


_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def plain_int(node: ScalarNode) -> int | None:
    """The integer a scalar spells (quoted or not), else None."""
    text = node.value.strip()
    return int(text) if _INT.fullmatch(text) else None


def plain_value(node: Node) -> object:
    """A Python value by YAML 1.2 core rules (only true/false are booleans; no base 60):
    used for free-form probe options. Lists become tuples and mappings read-only mappings."""
    if isinstance(node, SequenceNode):
        return tuple(plain_value(item) for item in node.value)
    if isinstance(node, MappingNode):
        values = {}
        for key, value in node.value:
            values[key.value if isinstance(key, ScalarNode) else str(plain_value(key))] = plain_value(value)
        return MappingProxyType(values)
    if is_null(node):
        return None
    if not isinstance(node, ScalarNode):  # the composer makes only scalars, sequences and mappings
        raise TypeError(f"unexpected YAML node {type(node).__name__}")
    text = node.value
    if not is_plain(node):  # quoted or block scalar: always text
        return text
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text

