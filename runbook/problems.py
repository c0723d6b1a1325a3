"""What went wrong, and where: the one error type the runbook package raises."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about a runbook file; `line` and `col` are 1-based."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" (from load) or "warning" (from lint)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    # Stable sort: problems found at the same place keep the order they were found in.
    return sorted(problems, key=lambda p: (p.line, p.col))


class RunbookError(Exception):
    """The runbook could not be loaded; `problems` lists every error found, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sort_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
