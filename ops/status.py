"""`warroom status`: where the deployment stands, as JSON for scripts and as text for people."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from warroom.runbook.forecast import Actual, forecast
from warroom.runbook.model import CHECKLIST_NAMES, CHECKLIST_TITLES, Runbook
from warroom.store import Ledger, RunState
from warroom.untrusted import visible
from warroom.vocabulary import StepStatus


def actuals(state: RunState) -> dict[str, Actual]:
    return {sid: Actual(s.status, s.started_at, s.finished_at) for sid, s in state.steps.items()}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def status_document(runbook: Runbook, ledger: Ledger, now: datetime | None = None) -> dict:
    state = ledger.state()
    now = now or datetime.now(UTC)
    outlook = forecast(runbook, actuals(state), now)
    steps: list[dict[str, Any]] = []  # JSON objects, one per step
    for step in runbook.steps:
        s = state.step(step.id)
        steps.append(
            {
                "id": step.id,
                "title": step.title,
                "phase": step.phase,
                "owner": step.owner,
                "status": s.status,
                "planned_start": _iso(outlook.planned[step.id].start),
                "started_at": _iso(s.started_at),
                "finished_at": _iso(s.finished_at),
                "by": s.by,
                "note": s.note,
            }
        )
    return {
        "deployment": runbook.id,
        "title": runbook.title,
        "run": ledger.run,
        "runbook_sha256": runbook.sha256,
        "state_hash": ledger.state_hash(),
        "headline": outlook.headline,
        "forecast_end": _iso(outlook.expected_end),
        "window": {"start": _iso(runbook.window.start), "end": _iso(runbook.window.end)},
        "progress": {"done": sum(StepStatus(s["status"]).finished for s in steps), "total": len(steps)},
        "current": [s["id"] for s in steps if StepStatus(s["status"]).current],
        "next": next_steps(runbook, state),
        "steps": steps,
        "checklists": {
            name: [
                {
                    "id": item.id,
                    "text": item.text,
                    "category": item.category,
                    "ticked": state.check(item.id).ticked,
                    "by": state.check(item.id).by if state.check(item.id).ticked else None,
                    "at": _iso(state.check(item.id).at) if state.check(item.id).ticked else None,
                }
                for item in runbook.checklists[name].items
            ]
            for name in CHECKLIST_NAMES
        },
    }


def next_steps(runbook: Runbook, state: RunState) -> list[str]:
    """Pending steps whose dependencies are all finished: what can start now."""
    return [
        step.id
        for step in runbook.steps
        if state.step(step.id).status is StepStatus.PENDING
        and all(state.step(dep).status.finished for dep in step.after)
    ]


def status_text(doc: dict, runbook: Runbook) -> str:
    zone = runbook.window.zone
    hhmm = lambda iso: datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M") if iso else "–"  # noqa: E731
    # Several lines: what they quote from the runbook and the ledger is made visible here, one line each.
    titles = {s["id"]: visible(s["title"]) for s in doc["steps"]}
    lines = [
        f"{visible(doc['title'])} ({doc['deployment']}) · run {visible(doc['run'])}",
        f"{doc['progress']['done']}/{doc['progress']['total']} steps done · {doc['headline']} · "
        f"forecast end {hhmm(doc['forecast_end'])} (window ends {hhmm(doc['window']['end'])})",
    ]
    for label, ids in (("current", doc["current"]), ("next", doc["next"][:5])):
        for step_id in ids or ["–"]:
            status = next((s["status"] for s in doc["steps"] if s["id"] == step_id), "")
            shown_status = status if label == "current" else ""
            lines.append(f"  {label:8} {step_id} {titles.get(step_id, '')} {shown_status}".rstrip())
    for name in CHECKLIST_NAMES:
        items = doc["checklists"][name]
        if items:
            ticked = sum(i["ticked"] for i in items)
            lines.append(f"  {CHECKLIST_TITLES[name]:16} {ticked}/{len(items)} ticked")
    return "\n".join(lines)
