"""The sentence that confirms an operator's own action, naming what it acted on:
"Marked 'Deploy to green' done". The activity log says the same for everyone (ops/describe.py);
this is the answer to the key just pressed."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from warroom.runbook.model import Runbook
from warroom.store import Event
from warroom.vocabulary import EventKind

from .describe import headline

if TYPE_CHECKING:  # not at start-up: sync (and its cryptography) loads only with an export
    from warroom.sync.round import RoundReport, SyncStatus

# The sentence for each step and check action, the subject's name in the braces.
ACTION_SENTENCES: dict[str, str] = {
    EventKind.STEP_STARTED: "Started '{}'",
    EventKind.STEP_DONE: "Marked '{}' done",
    EventKind.STEP_FAILED: "Marked '{}' failed",
    EventKind.STEP_SKIPPED: "Skipped '{}'",
    EventKind.STEP_REOPENED: "Set '{}' back to pending",
    EventKind.CHECK_TICKED: "Ticked '{}'",
    EventKind.CHECK_UNTICKED: "Unticked '{}'",
    EventKind.CHECK_FAILED: "Marked '{}' failed",
    EventKind.CHECK_BLOCKED: "Marked '{}' blocked",
    EventKind.CHECK_WAIVED: "Waived '{}'",
    EventKind.STEP_CONFLICT_RESOLVED: "Kept the standing version of '{}'",
    EventKind.CHECK_CONFLICT_RESOLVED: "Kept the standing version of '{}'",
    EventKind.SIGNOFF_GIVEN: "Signed off '{}'",
    EventKind.SIGNOFF_WITHDRAWN: "Withdrew the sign-off on '{}'",
    EventKind.ROLLBACK_STARTED: "Started the rollback of '{}'",
    EventKind.ROLLBACK_DONE: "Rolled back '{}'",
    EventKind.ROLLBACK_FAILED: "Marked the rollback of '{}' failed",
    EventKind.INCIDENT_OPENED: "Opened incident {}",
    EventKind.INCIDENT_UPDATED: "Updated incident {}",
    EventKind.STATUS_POSTED: "Posted the status update",
}


def subject_name(subject: str, runbook: Runbook) -> str:
    """A step's title, a checklist item's text, or the subject itself when the runbook has neither."""
    if runbook.has_step(subject):
        return runbook.step(subject).title
    if runbook.has_item(subject):
        return runbook.item(subject).text
    return subject


def action_notice(event: Event, runbook: Runbook) -> str:
    name = subject_name(event.subject, runbook)
    if event.kind == EventKind.NOTE_ADDED:
        return f"Noted on '{name}'" if event.subject else "Noted in the log"
    if event.kind == EventKind.DECISION_RECORDED:  # its subject is the decision point, not a step
        return f"Recorded the {headline(event, runbook)}"
    template = ACTION_SENTENCES.get(event.kind)  # an EventKind is its plain word
    sentence = template.format(name) if template else f"Recorded {event.kind} on '{name}'"
    override = event.body.get("override")
    return f"{sentence}, going ahead although it {override}" if override else sentence


def who_did_what(event: Event, runbook: Runbook, zone: tzinfo) -> str:
    """"ana marked 'Deploy to green' done at 10:42:13": another operator's action, told to this one."""
    sentence = action_notice(event, runbook)
    return f"{event.operator} {sentence[0].lower()}{sentence[1:]} at {event.at.astimezone(zone):%H:%M:%S}"


def sync_notices(before: SyncStatus | None, report: RoundReport | None,
                 after: SyncStatus | None) -> list[tuple[str, str]]:
    """What a finished sync round tells the room once, as (sentence, severity): the export becoming
    unreachable or coming back, an alarm, segments quarantined or refused. The header keeps saying
    the lasting part (since when, how many)."""
    told: list[tuple[str, str]] = []
    was_down = before is not None and before.unreachable_since is not None
    if after is not None:
        if after.unreachable_since is not None and not was_down:
            told.append((f"Sync: {after.error or 'the export cannot be reached'}", "warning"))
        elif after.unreachable_since is None and was_down:
            told.append((f"Sync: the export {after.export} is reachable again; sync resumed.", "information"))
    if report is None:
        return told
    quarantined = 0
    for problem in report.problems:
        if problem.alarm:
            told.append((f"ALARM: {problem.reason} ({problem.path}); Q to review", "error"))
        elif problem.key:
            quarantined += 1
        else:
            told.append((f"Sync refused {problem.path}: {problem.reason}", "warning"))
    if quarantined:
        segments = "a segment" if quarantined == 1 else f"{quarantined} segments"
        told.append((f"Sync quarantined {segments} signed by keys not trusted here; Q to review", "warning"))
    return told
