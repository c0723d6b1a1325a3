"""Loading a runbook fully checked: the plan itself, and its probes' options and conditions.

The one load function the command line, the console and the tests use, so a runbook that a
command accepts is one the console can run, and every problem is reported at its file:line:col.
"""

from __future__ import annotations

from pathlib import Path

from warroom.runbook import RunbookError, load
from warroom.runbook.model import Runbook

from .probe_validation import probe_problems


def load_runbook(path: str | Path) -> Runbook:
    runbook = load(path)
    problems = probe_problems(runbook)
    if problems:
        raise RunbookError(problems)
    return runbook
