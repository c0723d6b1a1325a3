"""Status updates to stakeholders: the draft in the template the teams already use, filled from
live state; posting one (an event, then a line in the updates file when one is named); and when
the next one is due (`status_update_every` after the last, or after the window opens).

The template (from the deployment guide):

    Status Update - [Time]
    Current Activity / Progress / Status / Issues / Next Steps / ETA
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from warroom.runbook.forecast import Forecast
from warroom.runbook.model import Runbook
from warroom.store import Event, Ledger, RunState
from warroom.vocabulary import EventKind, StepStatus

from .actions import UsageProblem
from .incidents import in_order
from .progress import next_steps, progress

ON_TRACK, DELAYED, BLOCKED = "On Track", "Delayed", "Blocked"
BLOCKING_SEVERITIES = ("P1", "P2")
NEXT_STEPS_SAID = 3  # the next steps an update names; stakeholders want the gist


def overall_status(outlook: Forecast, state: RunState, probe_states: Mapping[str, str]) -> str:
    """On Track / Delayed / Blocked. The schedule's part is the forecast's own headline (the header's
    rule: a failed step blocks, a forecast end past the plan's delays); a probe DOWN or an open
    P1/P2 incident blocks too."""
    incident_blocks = any(i.open and i.severity in BLOCKING_SEVERITIES for i in state.incidents.values())
    if outlook.headline == "BLOCKED" or incident_blocks or "DOWN" in probe_states.values():
        return BLOCKED
    return DELAYED if outlook.headline == "DELAYED" else ON_TRACK


def draft_update(runbook: Runbook, state: RunState, outlook: Forecast, probe_states: Mapping[str, str],
                 now: datetime) -> str:
    """The template filled from live state, for the operator to edit before posting."""
    zone = runbook.window.zone
    hhmm = lambda moment: moment.astimezone(zone).strftime("%H:%M")  # noqa: E731
    sections = {
        f"Status Update - {hhmm(now)}": None,
        "Current Activity:": _current_activity(runbook, state, outlook, hhmm),
        "Progress:": _progress(runbook, state),
        "Status:": overall_status(outlook, state, probe_states),
        "Issues:": _issues(runbook, state, probe_states),
        "Next Steps:": "\n".join(runbook.step(step_id).title
                                 for step_id in next_steps(runbook, state)[:NEXT_STEPS_SAID]) or "None",
        "ETA:": hhmm(outlook.expected_end),
    }
    return "\n\n".join(heading if body is None else f"{heading}\n{body}" for heading, body in sections.items())


def _current_activity(runbook: Runbook, state: RunState, outlook: Forecast,
                      hhmm: Callable[[datetime], str]) -> str:
    running = [step for step in runbook.steps if state.step(step.id).status.current]
    if running:
        return "\n".join(step.title + (" (FAILED)" if state.step(step.id).status is StepStatus.FAILED else "")
                         for step in running)
    ready = next_steps(runbook, state)
    if not ready:
        return "All steps finished" if all(state.step(s.id).status.finished for s in runbook.steps) else "None"
    upcoming = min(ready, key=lambda step_id: outlook.expected[step_id].start)
    return f"Waiting for {runbook.step(upcoming).title} at {hhmm(outlook.expected[upcoming].start)}"


def _progress(runbook: Runbook, state: RunState) -> str:
    counts = progress([state.step(s.id).status for s in runbook.steps])
    apart = [f"{counts[word]} {word}" for word in ("skipped", "failed") if counts[word]]
    return f"{counts['done']} of {counts['total']} steps completed" + (f" ({', '.join(apart)})" if apart else "")


def _issues(runbook: Runbook, state: RunState, probe_states: Mapping[str, str]) -> str:
    """Open incidents first (by severity, then age), then what else holds the day up: failed steps,
    probes DOWN."""
    lines = [f"{i.id} {i.severity} {i.title} ({i.status.value})" for i in in_order(state.incidents) if i.open]
    lines += [f"Step failed: {step.title}" for step in runbook.steps
              if state.step(step.id).status is StepStatus.FAILED]
    lines += [f"Probe {name} is DOWN" for name, probe_state in sorted(probe_states.items()) if probe_state == "DOWN"]
    return "\n".join(lines) or "None"


def updates_path(runbook: Runbook, updates_file: str | Path | None = None) -> Path | None:
    """Where posted updates are appended: `updates_file` as given, else the runbook's `updates_file`
    relative to the runbook's folder; None when neither names one."""
    if updates_file:
        return Path(updates_file).expanduser()
    if runbook.updates_file:
        return Path(runbook.path or ".").parent / Path(runbook.updates_file).expanduser()
    return None


def post_update(ledger: Ledger, text: str, runbook: Runbook, updates_file: str | Path | None = None, *,
                on_warning: Callable[[str], None] | None = None) -> Event:
    """Record the update (status.posted), then append it to the updates file when one is named, a
    blank line between updates. A file that cannot be written does not undo the event: its
    warning sentence goes to `on_warning`."""
    text = text.strip()
    if not text:
        raise UsageProblem("the status update is empty; write what stakeholders should know.")
    event = ledger.append(EventKind.STATUS_POSTED, "", {"text": text})
    path = updates_path(runbook, updates_file)
    if path is not None:
        try:
            blank = "\n" if path.exists() and path.stat().st_size else ""
            with path.open("a", encoding="utf-8") as file:
                file.write(f"{blank}{text}\n")
        except OSError as error:
            if on_warning is not None:
                on_warning(f"The update is recorded, but {path} could not be written "
                           f"({error.strerror or error}); copy it from the activity log.")
    return event


def next_update_due(runbook: Runbook, state: RunState) -> datetime:
    """`status_update_every` after the last update posted, or after the window opens before any."""
    last = state.updates[-1].at if state.updates else runbook.window.start
    return last + runbook.status_update_every
