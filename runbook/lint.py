"""Warnings about a runbook that loads fine but is probably not what the team meant."""

from __future__ import annotations

from .model import Runbook
from .names import did_you_mean
from .problems import Problem, sort_problems
from .schedule import plan
from .timeparse import format_moment

WARNING = "warning"


def lint(runbook: Runbook) -> list[Problem]:
    """Every warning, sorted by position (severity "warning"; load() does not raise for these)."""
    file = runbook.path or "<string>"
    window = runbook.window
    at = window.start  # reference day for showing times
    found: list[Problem] = []

    def warn(line: int, col: int, message: str) -> None:
        found.append(Problem(file, line, col, message, WARNING))

    slots = plan(runbook)
    roles = {member.role for member in runbook.team}
    for step in runbook.steps:
        slot = slots.get(step.id)
        if slot and slot.end.timestamp() > window.end.timestamp():  # instants, whatever the zones
            warn(step.line, step.col, f"step '{step.id}' is planned to end at {format_moment(slot.end, at)}, "
                                      f"after the window closes at {format_moment(window.end, at)}")
        if step.command and not step.rollback:
            warn(step.line, step.col, f"step '{step.id}' has a command but no rollback; "
                                      f"add rollback: (or \"none needed\")")
        if step.owner and roles and step.owner not in roles:
            warn(step.line, step.col, f"step '{step.id}' owner '{step.owner}' is not a team role"
                                      f"{did_you_mean(step.owner, roles)}")

    deadline = window.rollback_deadline
    if deadline and not window.start.timestamp() <= deadline.timestamp() <= window.end.timestamp():
        warn(window.line, window.col, f"rollback deadline {format_moment(deadline, at)} is outside the window "
                                      f"({format_moment(window.start, at)} to {format_moment(window.end, at)})")
    return sort_problems(found)
