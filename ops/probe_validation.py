"""Probe options checked by the probes package, reported as runbook problems at file:line:col.

The runbook package cannot import probes (the dependency goes the other way), so it only records
where each probe option was written (`ProbeSpec.marks`); here the two meet: each ProbeConfigError
is placed at the option it names, and a bad condition at the exact column inside its text.
"""

from __future__ import annotations

from collections.abc import Mapping

from warroom.probes import ConditionError, ProbeConfigError, config_problems, parse_condition
from warroom.runbook import Problem
from warroom.runbook.model import Mark, ProbeSpec, Runbook


def probe_problems(runbook: Runbook) -> list[Problem]:
    """Every problem with the runbook's probes, in file order; empty when all of them would run."""
    problems = [
        _problem(runbook.path, spec, error)
        for spec in runbook.probes
        for error in config_problems(spec)
    ]
    return sorted(problems, key=lambda p: (p.line, p.col))


def _problem(file: str, spec: ProbeSpec, error: ProbeConfigError) -> Problem:
    line, col = _place(spec, error)
    return Problem(file, line, col, f"probe '{spec.name}': {_message(spec, error)}")


def _place(spec: ProbeSpec, error: ProbeConfigError) -> tuple[int, int]:
    marks: Mapping[str, Mark] = spec.marks or {}
    key = error.option_key
    fallback = (spec.line or 1, spec.col or 1)
    if key is None:
        return fallback
    mark = None
    if error.index is not None:
        mark = marks.get(f"{key}[{error.index}]")
        if mark is None and error.index == 0 and isinstance(spec.options.get(key), str):
            mark = marks.get(key)  # `expect: "[STATUS] == 200"`: one condition, not a list
    if mark is None:
        mark = marks.get(key)
        if mark is None:
            return fallback
        if error.index is not None:  # an item we have no place for: the option itself
            return mark[0], mark[1]
    if error.column is not None and mark.text_col is not None:
        return mark[0], mark.text_col + error.column - 1
    return mark[0], mark[1]


def _message(spec: ProbeSpec, error: ProbeConfigError) -> str:
    text = _condition_text(spec, error)
    if text is None:
        return error.message
    try:
        parse_condition(text)
    except ConditionError as exc:
        return f"invalid {'warn ' if error.option_key == 'warn' else ''}condition '{text}': {exc.message}"
    return error.message


def _condition_text(spec: ProbeSpec, error: ProbeConfigError) -> str | None:
    """The condition an error is about, when it is about one that has text."""
    if error.column is None or error.index is None or error.option_key not in ("expect", "warn"):
        return None
    raw = spec.options.get(error.option_key)
    items = (raw,) if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or error.index >= len(items):
        return None
    text = items[error.index]
    return text if isinstance(text, str) else None
