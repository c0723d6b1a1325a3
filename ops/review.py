"""The go/no-go readiness review: what the room looks at before it decides GO, CONDITIONAL GO or
NO-GO. The go/no-go checklist by category, the open P1/P2 incidents, the probes that are DOWN, the
steps overdue against the plan, and the decision recorded last. Pure: the console draws it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.runbook.forecast import Forecast
from warroom.runbook.model import GO_NO_GO, GO_NO_GO_CATEGORIES, Runbook
from warroom.store import DecisionEntry, Incident, RunState
from warroom.vocabulary import DecisionPoint, StepStatus

SERIOUS = ("P1", "P2")  # the incidents a go/no-go review weighs
UNCATEGORISED = "other"
GRACE = timedelta(minutes=1)  # a step seconds past its slot is not overdue yet


@dataclass(frozen=True)
class ReviewItem:
    text: str
    outcome: str  # "" (open), passed, waived, failed or blocked
    by: str | None
    at: datetime | None
    note: str | None  # why waived, what failed


@dataclass(frozen=True)
class CategoryReview:
    name: str
    items: tuple[ReviewItem, ...]

    @property
    def ticked(self) -> int:
        return sum(item.outcome == "passed" for item in self.items)

    @property
    def waived(self) -> int:
        return sum(item.outcome == "waived" for item in self.items)

    @property
    def count_text(self) -> str:
        """'technical 3/5 · 1 waived': a waiver counted apart, never as a tick."""
        waived = f" · {self.waived} waived" if self.waived else ""
        return f"{self.name} {self.ticked}/{len(self.items)}{waived}"


@dataclass(frozen=True)
class OverdueStep:
    step_id: str
    title: str
    status: StepStatus
    late_by: timedelta  # past its planned end (running) or its planned start (pending)


@dataclass(frozen=True)
class Readiness:
    categories: tuple[CategoryReview, ...]
    incidents: tuple[Incident, ...]  # open P1 and P2, the most severe first
    down: tuple[str, ...]  # probes DOWN now
    overdue: tuple[OverdueStep, ...]  # the latest first
    latest: DecisionEntry | None  # the go/no-go decision recorded last

    @property
    def ticked(self) -> int:
        return sum(category.ticked for category in self.categories)

    @property
    def waived(self) -> int:
        return sum(category.waived for category in self.categories)

    @property
    def total(self) -> int:
        return sum(len(category.items) for category in self.categories)


def readiness(runbook: Runbook, state: RunState, outlook: Forecast, now: datetime,
              probe_states: Mapping[str, str]) -> Readiness:
    """The review as of `now`; `probe_states`: probe name -> UP, DOWN, ... as the console shows them."""
    by_category: dict[str, list[ReviewItem]] = {}
    for item in runbook.checklists[GO_NO_GO].items:
        check = state.check(item.id)
        settled = bool(check.outcome)
        by_category.setdefault(item.category or UNCATEGORISED, []).append(
            ReviewItem(item.text, check.outcome, check.by if settled else None, check.at if settled else None,
                       check.note))
    incidents = sorted((i for i in state.incidents.values() if i.open and i.severity in SERIOUS),
                       key=lambda i: (i.severity, i.opened_at))
    # The guide's order (functional ... governance), then any other category as the runbook has it.
    order = [name for name in GO_NO_GO_CATEGORIES if name in by_category]
    order += [name for name in by_category if name not in order]
    return Readiness(
        categories=tuple(CategoryReview(name, tuple(by_category[name])) for name in order),
        incidents=tuple(incidents),
        down=tuple(sorted(name for name, probe_state in probe_states.items() if probe_state == "DOWN")),
        overdue=overdue_steps(runbook, state, outlook, now),
        latest=state.latest_decision(DecisionPoint.GO_NO_GO),
    )


def overdue_steps(runbook: Runbook, state: RunState, outlook: Forecast, now: datetime) -> tuple[OverdueStep, ...]:
    """Steps running past their planned end, or still pending past their planned start, by how late."""
    found = []
    for step in runbook.steps:
        status = state.step(step.id).status
        planned = outlook.planned[step.id]
        if status is StepStatus.IN_PROGRESS and now - planned.end >= GRACE:
            found.append(OverdueStep(step.id, step.title, status, now - planned.end))
        elif status is StepStatus.PENDING and now - planned.start >= GRACE:
            found.append(OverdueStep(step.id, step.title, status, now - planned.start))
    return tuple(sorted(found, key=lambda o: o.late_by, reverse=True))
