"""Gatus-compatible conditions: `[STATUS] == 200`, `[BODY].status == UP`, `len([BODY].items) > 0`.

`parse_condition` checks the syntax up front (so the runbook validator can point at a column);
`Condition.evaluate` never raises: a value that cannot be found is shown as `(INVALID)` (a body
path that does not resolve) or `(n/a)` (the check produced no such value, e.g. no status after a
refused connection), and the condition fails.

Where Gatus is lax we are strict: comparing something that is not a number with `<` fails instead
of reading it as 0, and an unknown placeholder or function is a syntax error, not a literal.

A response time jitters around any threshold it is compared with; `evaluate(result, margin)` moves
the number of such a comparison against the condition by that fraction of itself (with 0.1,
`[RESPONSE_TIME] < 200` passes below 180 only), which is how a probe in a worse state must clear it
to come back (probes/state.py). Other comparisons are exact: a count of 3 replicas is 3.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from .jsonpath import MISSING, as_text, bad_step_offset, length, parse_body, split_path, walk

OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
ORDERING = ("<=", ">=", "<", ">")

# Placeholder -> key of the result dict a check fills in.
PLACEHOLDERS = {
    "[STATUS]": "status",
    "[RESPONSE_TIME]": "response_time_ms",
    "[IP]": "ip",
    "[BODY]": "body",
    "[CONNECTED]": "connected",
    "[CERTIFICATE_EXPIRATION]": "certificate_expiration_ms",
    "[DNS_RCODE]": "dns_rcode",
}
NOT_ORDERED = ("[IP]", "[CONNECTED]", "[DNS_RCODE]")  # text values: `<` on them is a mistake
FUNCTIONS = ("len", "has", "pat", "any")

INVALID = "INVALID"
UNAVAILABLE = "n/a"
_SHOW_AT_MOST = 60  # characters of a resolved value shown in an explanation

_PLACEHOLDER = re.compile(r"\[(?P<name>[A-Za-z_]+)\]")
_FUNCTION = re.compile(r"(?P<name>[A-Za-z_]\w*)\((?P<inner>.*)\)\Z", re.DOTALL)
_DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_DURATION = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h|d))+")
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h|d)")
_MS_PER_UNIT = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6, "d": 8.64e7}


class ConditionError(ValueError):
    """Invalid condition syntax; `column` is 1-based within the condition text."""

    def __init__(self, message: str, column: int = 1):
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"


@dataclass(frozen=True)
class Operand:
    text: str  # as written, trimmed
    column: int  # 1-based
    kind: str  # literal | placeholder | body | len | has | pat | any
    key: str | None = None  # result key, for a placeholder
    path: tuple[str | int, ...] = ()  # for body, len and has
    args: tuple[str, ...] = ()  # the pattern of pat(), the options of any()


@dataclass(frozen=True)
class Condition:
    text: str
    left: Operand
    operator: str
    right: Operand

    @property
    def has_margin(self) -> bool:
        """A response time ordered against a number: the comparison `evaluate`'s margin moves."""
        if self.operator not in ORDERING:
            return False
        sides = {self.left.kind, self.right.kind}
        timed = any(o.kind == "placeholder" and o.key == "response_time_ms" for o in (self.left, self.right))
        return timed and sides == {"placeholder", "literal"}

    def evaluate(self, result: Mapping[str, object], margin: float = 0.0) -> tuple[bool, str]:
        """(passed, explanation): the condition as written when it passes, else with the
        resolved values, e.g. `[STATUS] (500) == 200`. With a `margin` (a fraction), a
        comparison that `has_margin` must also hold with its number moved against it by that much."""
        body_cache: dict[str, object] = {}
        left = _resolve(self.left, result, body_cache)
        right = _resolve(self.right, result, body_cache)
        passed = _compare(self, left, right)
        shown = f"{_show(self.left, left)} {self.operator} {_show(self.right, right)}"
        if not passed:
            return False, shown
        if margin and self.has_margin and not _compare(self, left, right, margin):
            return False, f"{shown}, by less than {margin:.0%}"
        return True, self.text


def evaluate(condition: str | Condition, result: Mapping[str, object]) -> tuple[bool, str]:
    """Evaluate one condition against a check's result; raises ConditionError for bad syntax."""
    parsed = condition if isinstance(condition, Condition) else parse_condition(condition)
    return parsed.evaluate(result)


@lru_cache(maxsize=4096)
def parse_condition(text: str) -> Condition:
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("empty condition; write e.g. [STATUS] == 200", 1)
    at, operator = _find_operator(text)
    left = _parse_operand(text, 0, at)
    right = _parse_operand(text, at + len(operator) + 2, len(text))
    condition = Condition(text.strip(), left, operator, right)
    _check_operator_fits(condition)
    return condition


# --- parsing ---------------------------------------------------------------------------------

def _outside_parentheses(text: str) -> list[bool]:
    """For each character: is it outside every pair of parentheses?"""
    flags, depth = [], 0
    for char in text:
        if char == "(":
            depth += 1
        flags.append(depth == 0)
        if char == ")":
            depth = max(0, depth - 1)
    return flags


def _find_operator(text: str) -> tuple[int, str]:
    """Index of the space before the one ` OP ` in the text, and OP."""
    outside = _outside_parentheses(text)
    found: list[tuple[int, str]] = []
    index = 0
    while index < len(text):
        if text[index] == " " and outside[index]:
            operator = next((op for op in OPERATORS if text.startswith(f" {op} ", index)), None)
            if operator:
                found.append((index, operator))
                index += len(operator) + 1
                continue
        index += 1
    if len(found) > 1:
        raise ConditionError(f"more than one operator ('{found[0][1]}' and '{found[1][1]}'); "
                             f"a condition compares two things, e.g. [STATUS] == 200", found[1][0] + 2)
    if found:
        return found[0]
    bare = next((m for m in re.finditer(r"==|!=|<=|>=|<|>|=", text) if outside[m.start()]), None)
    if bare is None:
        raise ConditionError("no operator; write e.g. [STATUS] == 200 "
                             "(one of ==, !=, <, <=, >, >= with a space on each side)", 1)
    column = bare.start() + 1
    if bare.group() == "=":
        raise ConditionError("'=' is not an operator; write '==' to compare", column)
    if not text[:bare.start()].strip():
        raise ConditionError(f"nothing on the left of '{bare.group()}'", column)
    if not text[bare.end():].strip():
        raise ConditionError(f"nothing on the right of '{bare.group()}'", column)
    raise ConditionError(f"put a space on each side of '{bare.group()}'", column)


def _parse_operand(text: str, start: int, end: int) -> Operand:
    raw = text[start:end]
    stripped = raw.strip()
    column = start + (len(raw) - len(raw.lstrip())) + 1
    if not stripped:
        side = "left" if start == 0 else "right"
        raise ConditionError(f"nothing on the {side} of the operator", max(1, min(column, len(text))))
    function = _FUNCTION.fullmatch(stripped)
    if function:
        return _parse_function(stripped, column, function["name"], function["inner"])
    placeholder = _PLACEHOLDER.match(stripped)
    if placeholder:
        return _parse_placeholder(stripped, column)
    return Operand(stripped, column, "literal")


def _parse_placeholder(text: str, column: int) -> Operand:
    placeholder = _PLACEHOLDER.match(text)
    if placeholder is None:  # callers check first; should one not, a clear error rather than a crash
        raise ConditionError("expected a placeholder such as [STATUS] or [BODY]", column)
    name = placeholder.group().upper()
    if name not in PLACEHOLDERS:
        near = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
        hint = f" (did you mean {near[0]}?)" if near else f"; use one of {', '.join(PLACEHOLDERS)}"
        raise ConditionError(f"unknown placeholder {placeholder.group()}{hint}", column)
    rest = text[placeholder.end():]
    if name != "[BODY]":
        if rest:
            raise ConditionError(f"{name} takes no path; only [BODY] does, e.g. [BODY].status",
                                 column + placeholder.end())
        return Operand(text, column, "placeholder", key=PLACEHOLDERS[name])
    steps = split_path(rest)
    if steps is None:
        offset = placeholder.end() + bad_step_offset(rest)
        raise ConditionError("a [BODY] path is made of .key and [index] steps, e.g. [BODY].data.items[0].name",
                             column + offset)
    return Operand(text, column, "body", key="body", path=tuple(steps))


def _parse_function(text: str, column: int, name: str, inner: str) -> Operand:
    if name not in FUNCTIONS:
        near = difflib.get_close_matches(name, FUNCTIONS, n=1)
        hint = f" (did you mean {near[0]}()?)" if near else ""
        raise ConditionError(f"unknown function {name}(){hint}; use len(), has(), pat() or any()", column)
    inner_column = column + len(name) + 1
    if name in ("len", "has"):
        argument = inner.strip()
        if not argument.upper().startswith("[BODY]"):
            raise ConditionError(f"{name}() takes [BODY] or a [BODY] path, e.g. {name}([BODY].items)",
                                 inner_column)
        body = _parse_placeholder(argument, inner_column + len(inner) - len(inner.lstrip()))
        return Operand(text, column, name, key="body", path=body.path)
    if name == "pat":
        return Operand(text, column, "pat", args=(inner,))
    options = tuple(option.strip() for option in inner.split(","))
    if not inner.strip():
        raise ConditionError("any() needs at least one value, e.g. any(200, 201)", inner_column)
    return Operand(text, column, "any", args=options)


def _check_operator_fits(condition: Condition) -> None:
    left, right, operator = condition.left, condition.right, condition.operator
    for one, other in ((left, right), (right, left)):
        if one.kind in ("pat", "any") and other.kind == one.kind:
            raise ConditionError(f"{one.kind}() on both sides; compare a value with {one.kind}()", other.column)
    if operator not in ORDERING:
        return
    for operand in (left, right):
        if operand.kind in ("pat", "any", "has"):
            raise ConditionError(f"{operand.kind}() only works with == or !=, not {operator}", operand.column)
        if operand.kind == "placeholder" and operand.text.upper() in NOT_ORDERED:
            raise ConditionError(f"{operand.text.upper()} is not a number; compare it with == or !=",
                                 operand.column)
        if operand.kind == "literal" and to_number(operand.text) is None:
            raise ConditionError(f"'{operand.text}' is not a number or a duration (e.g. 500, 0x1F, 300ms, 48h); "
                                 f"{operator} compares numbers", operand.column)


# --- evaluation ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Resolved:
    text: str | None  # None when not available
    status: str = "ok"  # ok | invalid | unavailable


def _resolve(operand: Operand, result: Mapping[str, object], cache: dict[str, object]) -> _Resolved:
    if operand.kind in ("literal", "pat", "any"):
        return _Resolved(operand.text)
    key = operand.key
    value = result.get(key) if key else None
    if not key or value is None:
        return _Resolved(None, "unavailable")
    if operand.kind == "placeholder":
        return _Resolved(_placeholder_text(key, value))
    body = _body_text(value)
    if not operand.path and operand.kind == "body":
        return _Resolved(body)
    found = _walk_body(body, operand.path, cache)
    if operand.kind == "has":
        return _Resolved("false" if found is MISSING else "true")
    if found is MISSING:
        return _Resolved(None, "invalid")
    if operand.kind == "len":
        return _Resolved(str(length(found)))
    return _Resolved(as_text(found))


def _placeholder_text(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if key in ("response_time_ms", "certificate_expiration_ms") and isinstance(value, (int, float)):
        return str(int(value))  # whole milliseconds, as Gatus shows them
    if key == "body":
        return _body_text(value)
    return str(value)


def _body_text(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    return str(value).strip()


def _walk_body(body: str, path: tuple[str | int, ...], cache: dict[str, object]) -> object:
    if "document" not in cache:
        cache["document"] = parse_body(body)
    document = cache["document"]
    if not path:  # len([BODY]): items of a JSON array/object, else characters of the text
        return document if isinstance(document, (list, dict)) else body
    if document is MISSING:
        return MISSING
    return walk(document, list(path))


def _compare(condition: Condition, left: _Resolved, right: _Resolved, margin: float = 0.0) -> bool:
    if left.text is None or right.text is None:
        return False  # a value we do not have passes no comparison, not even !=
    operator = condition.operator
    if operator in ("==", "!="):
        equal = _equal(condition.left, left.text, condition.right, right.text)
        return equal if operator == "==" else not equal
    first, second = to_number(left.text), to_number(right.text)
    if first is None or second is None:
        return False
    if margin:
        # Harder to pass: `x < n` becomes `x < n - margin*|n|`, `n < x` becomes `n + margin*|n| < x`.
        below = operator in ("<", "<=")
        if condition.left.kind == "literal":
            first += (1 if below else -1) * margin * abs(first)
        else:
            second += (-1 if below else 1) * margin * abs(second)
    return {"<": first < second, "<=": first <= second, ">": first > second, ">=": first >= second}[operator]


def _equal(left: Operand, left_text: str, right: Operand, right_text: str) -> bool:
    for function, value in ((left, right_text), (right, left_text)):
        if function.kind == "pat":
            return fnmatch.fnmatchcase(value, function.args[0])
        if function.kind == "any":
            return any(_same(option, value) for option in function.args)
    return _same(left_text, right_text)


def _same(first: str, second: str) -> bool:
    """Equal as integers (any base) when both are integers, as Gatus does; else as text."""
    a, b = _to_int(first), _to_int(second)
    if a is not None and b is not None:
        return a == b
    return first == second


def _to_int(text: str) -> int | None:
    try:
        return int(text, 0)  # 42, -7, 0x1F, 0o17, 0b101
    except ValueError:
        return None


def to_number(text: str) -> float | None:
    """A number (decimal, 0x, 0o, 0b) or a duration in milliseconds ('300ms', '1h30m', '48h')."""
    text = text.strip()
    whole = _to_int(text)
    if whole is not None:
        return float(whole)
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _DURATION.fullmatch(text):
        sign = -1.0 if text.startswith("-") else 1.0
        return sign * sum(float(n) * _MS_PER_UNIT[unit] for n, unit in _DURATION_PART.findall(text))
    return None


def _show(operand: Operand, resolved: _Resolved) -> str:
    if resolved.status == "invalid":
        return f"{operand.text} ({INVALID})"
    if resolved.status == "unavailable" or resolved.text is None:  # only "ok" values carry text
        return f"{operand.text} ({UNAVAILABLE})"
    if resolved.text == operand.text:
        return operand.text
    return f"{operand.text} ({_shorten(resolved.text)})"


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOW_AT_MOST else flat[: _SHOW_AT_MOST - 3] + "..."
