"""`warroom status`: where the deployment stands, as JSON for scripts and as text for people.

Every time in the JSON is ISO 8601 to the second with the UTC offset of the runbook's window zone
(`2026-12-01T22:05:00+01:00`), whatever machine or zone recorded it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, tzinfo
from typing import Any

from warroom.runbook.forecast import forecast
from warroom.runbook.model import CHECKLIST_NAMES, CHECKLIST_TITLES, Runbook
from warroom.store import WITHOUT_NOTES, DecisionEntry, Ledger, RunState
from warroom.untrusted import visible
from warroom.vocabulary import DecisionPoint, StepStatus, outcome_counts

from .actions import short_item_id
from .incident_report import incidents_document
from .progress import actuals, iso, next_steps, progress
from .rollback import rollback_decision, rollback_ended_at, rollback_fits, rollback_plan, rollback_time
from .updates import next_update_due
from .version import VersionReport, read_version_report


def status_document(runbook: Runbook, ledger: Ledger, now: datetime | None = None) -> dict:
    state = ledger.state(skip=WITHOUT_NOTES)  # status shows no notes; they grow all day
    now = now or datetime.now(UTC)
    zone = runbook.window.zone
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
                "planned_start": iso(outlook.planned[step.id].start, zone),
                "started_at": iso(s.started_at, zone),
                "finished_at": iso(s.finished_at, zone),
                "by": s.by,
                "note": s.note,
            }
        )
    return {
        "deployment": runbook.id,
        "title": runbook.title,
        "run": ledger.run,
        "runbook_sha256": runbook.sha256,
        "runbook_version": version_document(read_version_report(runbook, ledger, state), zone),
        "state_hash": ledger.state_hash(),
        "headline": outlook.headline,
        "forecast_end": iso(outlook.expected_end, zone),
        "window": {"start": iso(runbook.window.start, zone), "end": iso(runbook.window.end, zone)},
        "progress": progress([StepStatus(s["status"]) for s in steps]),
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
                    "at": iso(state.check(item.id).at, zone) if state.check(item.id).ticked else None,
                    # "", passed, failed, blocked or waived; the note says what failed, why blocked or waived
                    "outcome": state.check(item.id).outcome,
                    "note": state.check(item.id).note,
                }
                for item in runbook.checklists[name].items
            ]
            for name in CHECKLIST_NAMES
        },
        **decisions_document(runbook, state, zone),
        "rollback": rollback_document(runbook, state, now),
        **day_document(runbook, state, now),
    }


def day_document(runbook: Runbook, state: RunState, now: datetime) -> dict[str, Any]:
    """The incidents (as `warroom incident list --json`) and the status updates: how often, the last
    one, when the next is due and whether it is overdue, and every one posted."""
    zone = runbook.window.zone
    due = next_update_due(runbook, state)
    return {
        "incidents": incidents_document(state, runbook, now),
        "updates": {
            "every_seconds": int(runbook.status_update_every.total_seconds()),
            "last_posted_at": iso(state.updates[-1].at, zone) if state.updates else None,
            "next_due_at": iso(due, zone),
            "overdue": now >= due,
            "posted": [{"at": iso(u.at, zone), "operator": u.operator, "text": u.text} for u in state.updates],
        },
    }


def rollback_document(runbook: Runbook, state: RunState, now: datetime) -> dict[str, Any]:
    """The rollback branch: whether ROLLBACK is decided, its start (the decision) and end (its last
    action done), how long rolling back would take from now and whether that fits the window, and
    each action of the plan, newest step first."""
    zone = runbook.window.zone
    decision = rollback_decision(state)
    steps = []
    for step in rollback_plan(runbook, state):
        action = state.rollback(step.id)
        steps.append({"id": step.id, "status": action.status, "by": action.by,
                      "started_at": iso(action.started_at, zone), "finished_at": iso(action.finished_at, zone)})
    return {
        "decided": decision is not None,
        "started_at": iso(decision.at, zone) if decision else None,
        "ended_at": iso(rollback_ended_at(runbook, state), zone),
        "time_needed_seconds": int(rollback_time(runbook, state).total_seconds()),
        "fits": rollback_fits(runbook, state, now),
        "steps": steps,
    }


def decisions_document(runbook: Runbook, state: RunState, zone: tzinfo) -> dict[str, Any]:
    """The sign-offs on each step that needs `approval:`, every decision (oldest first), and the
    latest at each decision point (null until one is recorded)."""
    decisions = [decision_document(entry, zone) for entry in state.decisions]
    latest = {point.value: next((d for d in reversed(decisions) if d["point"] == point.value), None)
              for point in DecisionPoint}
    return {
        "signoffs": {
            step.id: {"needed": step.approval,
                      "by": [{"operator": s.operator, "role": s.role, "at": iso(s.at, zone)}
                             for s in state.signoffs(step.id)]}
            for step in runbook.steps if step.approval
        },
        "decisions": decisions,
        "latest_decision": latest,
    }


def decision_document(entry: DecisionEntry, zone: tzinfo) -> dict[str, Any]:
    return {"point": entry.point.value, "decision": entry.decision.value, "label": entry.label,
            "operator": entry.operator, "role": entry.role, "note": entry.note,
            "override": entry.override, "at": iso(entry.at, zone)}


def version_document(report: VersionReport, zone: tzinfo) -> dict[str, Any]:
    """The runbook in hand against the ones the run recorded, and what no longer maps to it."""
    return {
        "sha256": report.sha256,
        "recorded_sha256": report.recorded.sha256 if report.recorded else None,
        "changed": report.changed,
        "mixed": report.mixed,
        "operators": [{"operator": u.operator, "sha256": u.sha256, "at": iso(u.at, zone)} for u in report.uses],
        "not_in_runbook": {
            "steps": [{"id": s.id, "status": s.status, "by": s.by, "at": iso(s.at, zone)} for s in report.steps],
            "ticks": [{"id": t.id, "by": t.by, "at": iso(t.at, zone)} for t in report.ticks],
        },
        "summary": report.summary(),
        "warnings": report.lines(),
    }




def status_text(doc: dict, runbook: Runbook) -> str:
    zone = runbook.window.zone
    hhmm = lambda iso: datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M") if iso else "–"  # noqa: E731
    # Several lines: what they quote from the runbook and the ledger is made visible here, one line each.
    titles = {s["id"]: visible(s["title"]) for s in doc["steps"]}
    counts = doc["progress"]
    lines = [
        f"{visible(doc['title'])} ({doc['deployment']}) · run {visible(doc['run'])}",
        outcome_counts(counts["done"], counts["skipped"], counts["failed"], counts["total"]) +
        f" · {doc['headline']} · forecast end {hhmm(doc['forecast_end'])} (window ends {hhmm(doc['window']['end'])})",
    ]
    lines += [f"warning: {visible(line)}" for line in doc["runbook_version"]["warnings"]]
    decided = [decision_line(d, hhmm) for d in doc["latest_decision"].values() if d]
    if decided:
        lines.append("decided: " + " · ".join(decided))
    for label, ids in (("current", doc["current"]), ("next", doc["next"][:5])):
        for step_id in ids or ["–"]:
            status = next((s["status"] for s in doc["steps"] if s["id"] == step_id), "")
            shown_status = status if label == "current" else ""
            lines.append(f"  {label:8} {step_id} {titles.get(step_id, '')} {shown_status}".rstrip())
    # Items by the short id `warroom check` accepts (the part after '/'), the full one where that is ambiguous.
    every_item = [item["id"] for name in CHECKLIST_NAMES for item in doc["checklists"][name]]
    shorts = Counter(short_item_id(item_id) for item_id in every_item)
    for name in CHECKLIST_NAMES:
        items = doc["checklists"][name]
        if items:
            lines.append(f"  {CHECKLIST_TITLES[name]:16} {checklist_counts([i['outcome'] for i in items])}")
            lines += [_item_line(item, shorts[short_item_id(item["id"])] == 1) for item in items]
    return "\n".join(lines)


# How `warroom status` marks each outcome of an item: `[x]` passed, `[F]` failed, ...
OUTCOME_MARKS = {"passed": "x", "failed": "F", "blocked": "B", "waived": "~", "": " "}


def checklist_counts(outcomes: list[str]) -> str:
    """'7/10 ticked · 1 failed · 1 waived': the passes of all, and each other outcome apart (a
    waiver is not a pass), the ones that did not happen left out."""
    counted = Counter(outcomes)
    others = [f"{counted[word]} {word}" for word in ("failed", "blocked", "waived") if counted[word]]
    return " · ".join([f"{counted['passed']}/{len(outcomes)} ticked", *others])


def decision_line(decision: dict, hhmm) -> str:
    """'go/no-go CONDITIONAL GO by ana (Deployment Lead) 08:52: rollback plan re-read at 13:00'."""
    point = "go/no-go" if decision["point"] == DecisionPoint.GO_NO_GO else decision["point"]
    role = f" ({visible(decision['role'])})" if decision["role"] else ""
    note = f": {visible(decision['note'])}" if decision["note"] else ""
    return f"{point} {decision['label']} by {visible(decision['operator'])}{role} {hhmm(decision['at'])}{note}"


def _item_line(item: dict, short: bool) -> str:
    """`[x] cab · CAB approved (governance)`: the id to pass to `warroom check`, and the item's text;
    a failure, a block or a waiver in words, with its note."""
    shown = short_item_id(item["id"]) if short else item["id"]
    category = f" ({item['category']})" if item["category"] else ""
    outcome, said = item["outcome"], ""
    if outcome not in ("", "passed"):
        said = f" · {outcome.upper()}" + (f": {visible(item['note'])}" if item["note"] else "")
    return f"    [{OUTCOME_MARKS.get(outcome, '?')}] {visible(shown)} · {visible(item['text'])}{category}{said}"
