"""Gatus-style paths into a JSON body: `[BODY].data.items[0].name`, `[BODY][2]`.

A path that does not resolve (not JSON, missing key, index out of range, JSON null) gives
`MISSING`, never an exception: the condition shows it as `(INVALID)`.
"""

from __future__ import annotations

import json
import re

MISSING = object()

# One step of a path: `.key` or `[index]`. Keys are anything but dots and brackets.
_STEP = re.compile(r"\.(?P<key>[^.\[\]]+)|\[(?P<index>\d+)\]")


def split_path(path: str) -> list[str | int] | None:
    """'.a.b[0]' -> ['a', 'b', 0]; None if the text is not a path."""
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        step = _STEP.match(path, pos)
        if not step:
            return None
        steps.append(step["key"] if step["key"] is not None else int(step["index"]))
        pos = step.end()
    return steps


def bad_step_offset(path: str) -> int:
    """0-based offset of the first character of `path` that is not a valid step."""
    pos = 0
    while pos < len(path):
        step = _STEP.match(path, pos)
        if not step:
            return pos
        pos = step.end()
    return pos


def parse_body(body: str) -> object:
    """The JSON value of the body, or MISSING when it is not JSON."""
    try:
        return json.loads(body)
    except ValueError:
        return MISSING


def walk(document: object, steps: list[str | int]) -> object:
    """The value at `steps`, or MISSING."""
    node = document
    for step in steps:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return MISSING
    return MISSING if node is None else node  # Gatus treats null as "does not exist"


def as_text(value: object) -> str:
    """A resolved JSON value as the text conditions compare: true/false, 3 (not 3.0), compact JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def length(value: object) -> int:
    """len() of a resolved value: items of an array or object, characters of anything else."""
    if isinstance(value, (dict, list)):
        return len(value)
    return len(as_text(value))
