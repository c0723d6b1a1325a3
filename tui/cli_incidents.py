"""`warroom incident RUNBOOK open|update|list`: the incident log from the command line (registered
on the `warroom` group by tui/cli.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from warroom.ops.incident_report import countdown, incidents_document
from warroom.ops.incidents import in_order, open_incident, update_incident
from warroom.ops.loading import load_runbook
from warroom.store import WITHOUT_NOTES, Incident
from warroom.tui.cli import guarded, ledger_options, main, open_ledger, runbook_argument, say
from warroom.untrusted import json_text, visible
from warroom.vocabulary import SEVERITIES, IncidentStatus

UPDATE_STATUSES = [s.value for s in IncidentStatus if s is not IncidentStatus.NEW]


@main.group()
@runbook_argument
@click.pass_context
def incident(context: click.Context, runbook_path: str) -> None:
    """Open, move along and list the incidents of RUNBOOK's run: `warroom incident RUNBOOK open|update|list`."""
    context.obj = runbook_path


@incident.command(name="open")
@click.option("--severity", required=True, metavar="P1|P2|P3|P4", help=f"One of {', '.join(SEVERITIES)}.")
@click.option("--title", required=True, help="What is wrong, in a few words.")
@click.option("--description", default=None, help="More detail.")
@click.option("--owner", default=None, help="Who works on it (default: whoever opens it).")
@click.option("--step", "step_id", default=None, help="The step it happened on.")
@click.option("--item", "item_id", default=None, help="The smoke test (checklist item) whose failure it is.")
@ledger_options
@guarded
@click.pass_obj
def incident_open(runbook_path: str, severity: str, title: str, description: str | None, owner: str | None,
                  step_id: str | None, item_id: str | None, db, operator, run) -> None:
    """Open an incident (status new); prints its id."""
    runbook = load_runbook(runbook_path)
    with open_ledger(runbook, db, operator, run) as ledger:
        event = open_incident(ledger, runbook, ledger.state(skip=WITHOUT_NOTES), severity, title,
                              description=description, owner=owner or ledger.operator, step_id=step_id,
                              item_id=item_id)
    say(f"{event.subject} opened · {event.body['severity']} {event.body['title']}")


@incident.command(name="update")
@click.argument("incident_id", metavar="ID")
@click.option("--status", type=click.Choice(UPDATE_STATUSES), default=None,
              help="active (being worked on), resolved (needs --note: the resolution) or closed.")
@click.option("--note", default=None, help="A note; when resolving, the resolution.")
@click.option("--severity", default=None, metavar="P1|P2|P3|P4", help="Change the severity.")
@click.option("--owner", default=None, help="Hand it to someone else.")
@ledger_options
@guarded
@click.pass_obj
def incident_update(runbook_path: str, incident_id: str, status: str | None, note: str | None,
                    severity: str | None, owner: str | None, db, operator, run) -> None:
    """Move an incident along, change its severity or owner, or add a note."""
    runbook = load_runbook(runbook_path)
    with open_ledger(runbook, db, operator, run) as ledger:
        event = update_incident(ledger, ledger.state(skip=WITHOUT_NOTES), incident_id, status=status, note=note,
                                severity=severity, owner=owner)
    changes = [f"{name} {event.body[name]}" for name in ("status", "severity", "owner") if name in event.body]
    say(f"{event.subject} updated" + (f" · {' · '.join(changes)}" if changes else " · note added"))


@incident.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@ledger_options
@guarded
@click.pass_obj
def incident_list(runbook_path: str, as_json: bool, db, operator, run) -> None:
    """Every incident: open ones first, by severity, then age, with the countdown to the next target."""
    runbook = load_runbook(runbook_path)
    now = datetime.now(UTC)
    with open_ledger(runbook, db, operator, run) as ledger:
        state = ledger.state(skip=WITHOUT_NOTES)
    if as_json:
        click.echo(json_text(incidents_document(state, runbook, now)))
        return
    incidents = in_order(state.incidents)
    if not incidents:
        say("no incidents")
    for shown in incidents:
        say(incident_line(shown, runbook, now))


def incident_line(incident: Incident, runbook, now: datetime) -> str:
    """`INC-3fa2c1  P1  active    Checkout 500s  · owner ana · opened 10:02 · ⚠ OVERDUE resolve 4m`."""
    opened = incident.opened_at.astimezone(runbook.window.zone).strftime("%H:%M")
    due = countdown(incident, runbook, now)
    parts = [f"owner {visible(incident.owner or '–')}", f"opened {opened}"]
    parts += [due.text] if due else [f"resolution: {visible(incident.resolution)}"] if incident.resolution else []
    return f"{incident.id}  {incident.severity}  {incident.status.value:9} {visible(incident.title)}  · " \
           + " · ".join(parts)
