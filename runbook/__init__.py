"""THE PLAN: a runbook YAML file -> frozen typed model, validation and lint.

A pure package: no textual, no sqlite. Everything the other packages need is exported here.
"""

from .lint import lint
from .loader import load, loads
from .names import slugify, suggest
from .problems import Problem, RunbookError
from .schedule import plan
from .timeparse import format_duration, parse_duration

__all__ = [
    "Problem",
    "RunbookError",
    "format_duration",
    "lint",
    "load",
    "loads",
    "parse_duration",
    "plan",
    "slugify",
    "suggest",
]
