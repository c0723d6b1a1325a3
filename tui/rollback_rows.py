"""The timeline's rows on the rollback branch: a title line, then each done step's rollback action,
the most recently finished step first, with its status, who and when (pure, like tui/rows.py)."""

from __future__ import annotations

from datetime import datetime

from warroom.ops.rollback import rollback_decision, rollback_ended_at, rollback_plan, rollback_time
from warroom.runbook import format_duration
from warroom.runbook.model import Runbook
from warroom.store import RunState
from warroom.tui.rows import gantt_column, no_return_column
from warroom.untrusted import for_screen
from warroom.vocabulary import StepStatus
from warroom.widgets.display import clock, span
from warroom.widgets.timeline import GanttBar, TimelineRow, TitleRow

ROLLBACK_GLYPH = "↶"
TITLE_KEY = "title:rollback"


def rollback_title(runbook: Runbook, state: RunState) -> str:
    """'↶ ROLLBACK - started 14:07 by ana · 1 of 3 undone · 25m to go'; once every action is done,
    '... · rolled back at 14:52'."""
    decision = rollback_decision(state)
    if decision is None:
        return f"{ROLLBACK_GLYPH} ROLLBACK not decided"
    zone = runbook.window.zone
    title = f"{ROLLBACK_GLYPH} ROLLBACK - started {clock(decision.at, zone)} by {for_screen(decision.operator)}"
    plan = rollback_plan(runbook, state)
    ended = rollback_ended_at(runbook, state)
    if ended is not None:
        return f"{title} · {'rolled back' if plan else 'nothing to undo'} at {clock(ended, zone)}"
    statuses = [state.rollback(step.id).status for step in plan]
    failed = statuses.count(StepStatus.FAILED)
    return (f"{title} · {statuses.count(StepStatus.DONE)} of {len(plan)} undone"
            + (f" · {failed} FAILED" if failed else "") + f" · {span(rollback_time(runbook, state))} to go")


def rollback_rows(runbook: Runbook, state: RunState, now: datetime) -> tuple[TitleRow | TimelineRow, ...]:
    """The title, then one row per rollback action; its plan runs the actions one after the other
    from the ROLLBACK decision."""
    zone = runbook.window.zone
    decision = rollback_decision(state)
    rows: list[TitleRow | TimelineRow] = [TitleRow(rollback_title(runbook, state), key=TITLE_KEY)]
    start = decision.at if decision is not None else now
    now_column, no_return = gantt_column(runbook, now), no_return_column(runbook)
    for step in rollback_plan(runbook, state):
        action = state.rollback(step.id)
        end = start + step.time_to_undo
        started = clock(action.started_at, zone) if action.started_at else ""
        finished = clock(action.finished_at, zone) if action.finished_at else ""
        actual = None
        if action.started_at is not None:
            actual = (gantt_column(runbook, action.started_at), gantt_column(runbook, action.finished_at or now))
        rows.append(TimelineRow(
            step_id=step.id,
            title=f"{ROLLBACK_GLYPH} {for_screen(step.title)}",
            owner=for_screen(action.by or step.owner or ""),
            status=action.status,
            plan=clock(start, zone),
            duration=format_duration(step.time_to_undo),
            actual=f"{started}–{finished}" if started or finished else "",
            drift="",
            late=False,
            gantt=GanttBar((gantt_column(runbook, start), gantt_column(runbook, end)), actual, now_column, no_return),
        ))
        start = end
    return tuple(rows)
