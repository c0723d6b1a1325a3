"""The YAML node tree, with positions, read without PyYAML's YAML 1.1 constructors.

PyYAML would turn `14:00` into 840 and `No` into False; we compose the node tree instead and
read each scalar's text as written, so `rollback_deadline: 14:00` stays "14:00".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import MappingProxyType

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warroom.untrusted import lone_surrogate

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
    """The document's root node (None for an empty document); syntax errors, and aliases that
    would expand without bound, raise RunbookError."""
    loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader] | None = _FastLoader
    root = None
    if loader is not None:
        # On any error the pure parser runs again below: its messages and marks are the ones
        # we explain.
        try:
            root = yaml.compose(text, Loader=loader)
        except (yaml.YAMLError, RecursionError, ValueError):
            loader = None
    if loader is None:
        loader = yaml.SafeLoader
        root = _compose_explaining_errors(text, file)
    if "&" in text and "*" in text:  # no anchor or no alias: nothing can expand
        _refuse_alias_bombs(root, text, loader, file)
    if root is not None and ("\\u" in text or "\\U" in text):  # only an escape can write a surrogate
        _refuse_lone_surrogates(root, file)
    return root


def _refuse_lone_surrogates(root: Node, file: str) -> None:
    """`"\\ud800"` is half of a UTF-16 pair, not a character: the first one is refused where it is."""
    for node in _each_node_once(root):
        bad = lone_surrogate(node.value) if isinstance(node, ScalarNode) else None
        if bad is not None:
            line, col = position(node)
            raise RunbookError([Problem(file, line, col, f"this text holds \\u{ord(bad):04x}, half of a UTF-16 "
                                        "pair and not a character; write the character itself")])


def _compose_explaining_errors(text: str, file: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _line_col(mark)
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


# The composer shares one node between an anchor and its aliases, but reading the runbook walks
# each alias as a copy, so nested aliases multiply ("billion laughs", `<<:` merges of merges).
# A hand-written runbook reuses a few anchors a few dozen times: both limits are far past that.
MAX_ALIASES = 1_000
MAX_ALIASED_NODES = 100_000  # the nodes all aliases stand for, each nested alias written out

_TOO_MANY_ALIASES = f"the runbook uses more than {MAX_ALIASES:,} YAML aliases; write the values out instead"
_TOO_MANY_ALIASED_NODES = (f"the YAML aliases up to this one stand for more than {MAX_ALIASED_NODES:,} values "
                     f"(nested aliases multiply); write the values out instead")
_ALIAS_IN_ITSELF = ("the alias *{name} is inside the value &{name} it names, so that value never ends; "
                    "write the values out instead")


def _refuse_alias_bombs(root: Node | None, text: str, loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader],
                        file: str) -> None:
    """Raises RunbookError at the first alias past MAX_ALIASES or MAX_ALIASED_NODES, or inside the
    value it names (which no reader could finish)."""
    found = _first_alias_past_limits(root) if root is not None else None
    if found is None:
        return
    # Nodes do not keep where their aliases were written; the parser's events do. Only a refused
    # file is parsed again.
    number, message = found
    aliases = (event for event in yaml.parse(text, Loader=loader) if isinstance(event, yaml.AliasEvent))
    alias = next(itertools.islice(aliases, number - 1, None))
    line, col = _line_col(alias.start_mark)
    raise RunbookError([Problem(file, line, col, message.format(name=alias.anchor))])


@dataclass(slots=True)
class _Walking:
    """A collection being walked: what is left of it, and its size so far with aliases written out."""

    node: Node
    children: Iterator[Node]
    size: int = 1


def _first_alias_past_limits(root: Node) -> tuple[int, str] | None:
    """(its number in document order, the message) for the first alias past the limits, or None.
    Walks the composed nodes once, in document order, where an alias is a node met again; linear,
    as each node's size with its aliases written out is counted once."""
    sizes: dict[int, int] = {}  # id(node) -> its size, once walked
    path = [_Walking(root, _children(root))]  # innermost last
    on_path = {id(root)}
    aliases = aliased_nodes = 0
    while path:
        parent = path[-1]
        child = next(parent.children, None)
        if child is None:
            path.pop()
            on_path.discard(id(parent.node))
            sizes[id(parent.node)] = parent.size
            if path:
                path[-1].size += parent.size
            continue
        child_id = id(child)
        if child_id in on_path:
            return aliases + 1, _ALIAS_IN_ITSELF
        if child_id in sizes:  # met before: an alias
            aliases += 1
            aliased_nodes += sizes[child_id]
            parent.size += sizes[child_id]
            if aliases > MAX_ALIASES:
                return aliases, _TOO_MANY_ALIASES
            if aliased_nodes > MAX_ALIASED_NODES:
                return aliases, _TOO_MANY_ALIASED_NODES
        elif isinstance(child, ScalarNode):
            sizes[child_id] = 1
            parent.size += 1
        else:
            path.append(_Walking(child, _children(child)))
            on_path.add(child_id)
    return None


def _each_node_once(root: Node) -> Iterator[Node]:
    """Every node under `root` (itself included), in document order, an aliased one only once."""
    seen = {id(root)}
    yield root
    pending = [_children(root)]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
        elif id(node) not in seen:
            seen.add(id(node))
            yield node
            pending.append(_children(node))


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        return itertools.chain.from_iterable(node.value)  # each key, then its value
    return iter(node.value) if isinstance(node, SequenceNode) else iter(())


def _line_col(mark: yaml.error.Mark | yaml._yaml.Mark | None) -> tuple[int, int]:
    """1-based (line, col) of a parser mark; (1, 1) when the parser gave none."""
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


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


def mapping_pairs(node: MappingNode, report: Report) -> dict[str, tuple[ScalarNode, Node]]:
    """key text -> (key node, value node). Reports duplicate keys (PyYAML would silently keep the
    last) and non-text keys; resolves `<<: *anchor` merges, explicit keys winning. (A mapping
    merged into itself never gets here: `compose` refuses the alias.)"""
    explicit: dict[str, tuple[ScalarNode, Node]] = {}
    merged: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                if isinstance(source, MappingNode):
                    for name, pair in mapping_pairs(source, report).items():
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

