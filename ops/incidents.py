"""Incidents: opening one, moving it along, and the response and resolution targets each open
one is measured against (the runbook's `severity:`, else the hypercare guide's defaults)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.runbook.model import DEFAULT_SEVERITY, Runbook
from warroom.store import Event, Incident, Ledger, RunState
from warroom.vocabulary import SEVERITIES, EventKind, IncidentStatus

from .actions import UsageProblem, did_you_mean, find_item, find_step

ID_PREFIX = "INC-"


def new_incident_id(taken: Iterable[str] = ()) -> str:
    """A fresh id: random, so that operators opening incidents apart (offline) never pick the
    same one, and kept as it is by sync (it is the events' subject). Six hex digits: a clash
    between two laptops is about one in 16 million per pair, and a local one is drawn again."""
    taken = set(taken)
    while True:
        candidate = f"{ID_PREFIX}{secrets.token_hex(3)}"
        if candidate not in taken:
            return candidate


def parse_severity(word: str) -> str:
    severity = word.strip().upper()
    if severity not in SEVERITIES:
        raise UsageProblem(f"'{word}' is not a severity; use P1 (critical), P2, P3 or P4.")
    return severity


def open_incident(ledger: Ledger, runbook: Runbook, state: RunState, severity: str, title: str, *,
                  description: str | None = None, owner: str | None = None, step_id: str | None = None,
                  item_id: str | None = None) -> Event:
    """Open an incident (status New). The title is required; step and item, when given, must be
    the runbook's."""
    severity = parse_severity(severity)
    title = title.strip()
    if not title:
        raise UsageProblem("the incident has no title; say in a few words what is wrong.")
    body: dict[str, str] = {"severity": severity, "title": title}
    extras = {"description": description, "owner": owner,
              "step": find_step(runbook, step_id).id if step_id else None,
              "item": find_item(runbook, item_id).id if item_id else None}
    body.update({name: value.strip() for name, value in extras.items() if value and value.strip()})
    return ledger.append(EventKind.INCIDENT_OPENED, new_incident_id(state.incidents), body)


def find_incident(state: RunState, wanted: str) -> Incident:
    """By its id, with or without the INC- prefix, in any case, or by the start of it when only
    one incident's id starts so."""
    key = wanted.strip().lower().removeprefix(ID_PREFIX.lower())
    incidents = state.incidents
    matches = [i for i in incidents.values() if i.id.lower().removeprefix(ID_PREFIX.lower()).startswith(key)]
    exact = [i for i in matches if i.id.lower().removeprefix(ID_PREFIX.lower()) == key]
    if exact:
        return exact[0]
    if len(matches) == 1 and key:
        return matches[0]
    if len(matches) > 1 and key:
        raise UsageProblem(f"'{wanted}' matches several incidents ({', '.join(sorted(i.id for i in matches))}); "
                           "give more of the id.")
    hint = did_you_mean(wanted, incidents) if incidents else ""
    raise UsageProblem(f"there is no incident '{wanted}'{hint}; 'warroom incident RUNBOOK list' lists them.")


def update_incident(ledger: Ledger, state: RunState, incident_id: str, *, status: str | None = None,
                    note: str | None = None, severity: str | None = None, owner: str | None = None) -> Event:
    """Move an incident to a status, change its severity or owner, or add a note. Resolving needs
    the resolution (the note)."""
    incident = find_incident(state, incident_id)
    note = (note or "").strip() or None
    body: dict[str, str] = {}
    if status is not None:
        if status not in IncidentStatus.__members__.values():
            raise UsageProblem(f"'{status}' is not an incident status; use active, resolved or closed.")
        if status == IncidentStatus.RESOLVED and not note:
            raise UsageProblem("resolving needs the resolution: say what fixed it as the note.")
        body["status"] = status
    if severity is not None:
        body["severity"] = parse_severity(severity)
    if owner is not None and owner.strip():
        body["owner"] = owner.strip()
    if note:
        body["note"] = note
    if not body:
        raise UsageProblem("nothing to change; give a status, a severity, an owner or a note.")
    return ledger.append(EventKind.INCIDENT_UPDATED, incident.id, body)


@dataclass(frozen=True)
class Target:
    """The next target an open incident is measured against."""
    what: str  # "respond" or "resolve"
    due: datetime

    def left(self, now: datetime) -> timedelta:
        """Time to the target; negative once overdue."""
        return self.due - now


def targets(runbook: Runbook, severity: str) -> tuple[timedelta, timedelta]:
    """(respond within, resolve within) for a severity."""
    target = runbook.severity.get(severity)
    if target is not None:
        return target.respond, target.resolve
    return DEFAULT_SEVERITY.get(severity, DEFAULT_SEVERITY["P4"])


def next_target(incident: Incident, runbook: Runbook) -> Target | None:
    """New: the response target; Active: the resolution target; resolved or closed: none."""
    if not incident.open:
        return None
    respond, resolve = targets(runbook, incident.severity)
    if incident.responded_at is None:
        return Target("respond", incident.opened_at + respond)
    return Target("resolve", incident.opened_at + resolve)


def in_order(incidents: Mapping[str, Incident] | Iterable[Incident]) -> list[Incident]:
    """Open ones first, then by severity (P1 first), then by age (oldest first)."""
    values = incidents.values() if isinstance(incidents, Mapping) else incidents
    return sorted(values, key=lambda i: (not i.open, i.severity, i.opened_at, i.id))


def open_counts(state: RunState) -> dict[str, int]:
    """Severity -> how many incidents of it are open (only severities that have any)."""
    counts: dict[str, int] = {}
    for incident in state.incidents.values():
        if incident.open:
            counts[incident.severity] = counts.get(incident.severity, 0) + 1
    return dict(sorted(counts.items()))
