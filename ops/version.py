"""Which runbook a run was recorded with, and what the ledger holds that the runbook in hand lacks.

A runbook edited between runs changes ids: a reworded checklist item gets a new id (unless it has
an `id:`), a renamed step is a new step. The ledger keeps every event, but what it recorded under
the old ids no longer shows anywhere. And two laptops holding different files write to one run
without either noticing. Each operator's first write with a new file records `runbook.loaded` with
its SHA-256; this report compares those with the file in hand and says what no longer maps.
Nothing is dropped: the events stay in the log and in the state.

Pure: no Textual. The command line and the console print its `lines()`; a header takes `summary()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from warroom.runbook.model import Runbook
from warroom.store import WITHOUT_NOTES, Event, Ledger, RunState
from warroom.vocabulary import StepStatus

SHORT_SHA = 12  # hex digits: enough to tell versions apart at a glance, short enough for one line


def short(sha256: str) -> str:
    return sha256[:SHORT_SHA] or "(none)"


@dataclass(frozen=True)
class RunbookUse:
    """The runbook an operator last wrote with, in this run."""

    operator: str
    sha256: str
    at: datetime


@dataclass(frozen=True)
class UnmappedStep:
    """A step the ledger has a status for whose id is not in the runbook in hand."""

    id: str
    status: StepStatus
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class UnmappedTick:
    """A tick on a checklist item whose id is not in the runbook in hand."""

    id: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class VersionReport:
    sha256: str  # the runbook in hand
    uses: tuple[RunbookUse, ...]  # each operator's latest runbook.loaded in the run, oldest first
    steps: tuple[UnmappedStep, ...]
    ticks: tuple[UnmappedTick, ...]

    @property
    def recorded(self) -> RunbookUse | None:
        """The runbook the run last recorded (the newest runbook.loaded of any operator)."""
        return self.uses[-1] if self.uses else None

    @property
    def changed(self) -> bool:
        """The file in hand is not the one the run last recorded."""
        return bool(self.recorded and self.sha256 and self.recorded.sha256 != self.sha256)

    @property
    def versions(self) -> dict[str, list[str]]:
        """sha256 -> the operators whose latest write used it, in the order of those writes."""
        found: dict[str, list[str]] = {}
        for use in self.uses:
            found.setdefault(use.sha256, []).append(use.operator)
        return found

    @property
    def mixed(self) -> bool:
        """Operators of this run last wrote with different runbooks."""
        return len(self.versions) > 1

    @property
    def unmapped(self) -> bool:
        return bool(self.steps or self.ticks)

    @property
    def warns(self) -> bool:
        return self.changed or self.mixed or self.unmapped

    def _version_list(self) -> str:
        return " · ".join(f"{short(sha)} ({', '.join(operators)}{'; this file' if sha == self.sha256 else ''})"
                          for sha, operators in self.versions.items())

    def summary(self) -> str:
        """One line, for a header; empty when there is nothing to say."""
        parts = []
        if self.mixed:
            parts.append(f"{len(self.versions)} runbook versions in this run: {self._version_list()}")
        elif self.changed and self.recorded:
            parts.append(f"runbook changed: the run recorded {short(self.recorded.sha256)}, "
                         f"this file is {short(self.sha256)}")
        if self.unmapped:
            counted = [_count(len(self.steps), "step"), _count(len(self.ticks), "tick")]
            parts.append(f"{' and '.join(c for c in counted if c)} recorded not in this runbook")
        return "; ".join(parts)

    def lines(self, *, compact: bool = False) -> list[str]:
        """What an operator needs to know, one line each (outside text not yet made visible).
        `compact`: the unmapped steps and ticks on one line, for a notice."""
        lines = []
        if self.changed and self.recorded:
            recorded = self.recorded
            lines.append(f"this runbook ({short(self.sha256)}) is not the one the run last recorded "
                         f"({short(recorded.sha256)}, by {recorded.operator})")
        if self.mixed:
            lines.append(f"operators use different runbooks: {self._version_list()}")
        if not self.unmapped:
            return lines
        if compact:
            listed = [f"step {s.id} ({s.status}{f', {s.by}' if s.by else ''})" for s in self.steps]
            listed += [f"item {t.id} (ticked{f', {t.by}' if t.by else ''})" for t in self.ticks]
            return [*lines, f"recorded, not in this runbook: {' · '.join(listed)}",
                    "kept in the ledger; 'warroom status' lists them"]
        for step in self.steps:
            by = f", by {step.by}" if step.by else ""
            lines.append(f"step '{step.id}' is recorded {step.status}{by}, and this runbook has no such step")
        for tick in self.ticks:
            by = f" by {tick.by}" if tick.by else ""
            lines.append(f"item '{tick.id}' is ticked{by}, and this runbook has no such item")
        lines.append("those events are kept in the ledger ('warroom log' shows them); restore the ids, "
                     "or give checklist items an id: so that rewording keeps their ticks")
        return lines


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"1 {noun}" if n == 1 else f"{n} {noun}s"


def version_report(runbook: Runbook, state: RunState, loads: Iterable[Event]) -> VersionReport:
    """`loads`: each operator's latest runbook.loaded event of the run, oldest first, as
    Ledger.runbook_loads returns them (`VersionReport.recorded` is the last)."""
    uses = tuple(
        RunbookUse(event.operator, str(event.body.get("sha256", "")), event.at)  # a peer's body may hold anything
        for event in loads
    )
    steps = tuple(
        UnmappedStep(step_id, s.status, s.by, s.finished_at or s.started_at)
        for step_id, s in sorted(state.steps.items(), key=lambda kv: kv[1].hlc)
        if not runbook.has_step(step_id) and s.status is not StepStatus.PENDING  # pending: nothing to lose
    )
    ticks = tuple(
        UnmappedTick(item_id, c.by, c.at)
        for item_id, c in sorted(state.checks.items(), key=lambda kv: kv[1].hlc)
        if not runbook.has_item(item_id) and c.ticked
    )
    return VersionReport(runbook.sha256, uses, steps, ticks)


def read_version_report(runbook: Runbook, ledger: Ledger, state: RunState | None = None) -> VersionReport:
    """The report for the ledger's run; `state` when the caller has just read it."""
    return version_report(runbook, ledger.state(skip=WITHOUT_NOTES) if state is None else state,
                          ledger.runbook_loads())
