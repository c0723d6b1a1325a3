"""Incidents (issue 10, item 4): ids that never collide between operators working apart, the
countdown to each open one's next target, the command line (`warroom incident RUNBOOK
open|update|list`, with --json and exit 2 on bad input), and the console: `i` opens the form, the
pane lists them, the countdown crosses its target and shows overdue, resolving asks the resolution."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from rich.style import Style
from support import WEB_CUTOVER
from textual.widgets import Input, Label, TabbedContent

from warroom.ops.incident_report import countdown
from warroom.ops.incidents import open_incident, update_incident
from warroom.ops.progress import actuals
from warroom.runbook.forecast import forecast
from warroom.tui import day_rows, rows
from warroom.tui.cli import main
from warroom.tui.incidents import IncidentDetail, IncidentForm
from warroom.tui.screens import TextPrompt
from warroom.widgets.header import DeploymentHeader
from warroom.widgets.incidents import IncidentsPane

# --- ids and countdowns ----------------------------------------------------------------------------


def test_ids_from_two_operators_offline_never_collide_and_survive_an_import(open_ledger, web_cutover, tmp_path):
    ana = open_ledger("ana", path=tmp_path / "ana.sqlite", deployment=web_cutover.id, node="n1")
    lee = open_ledger("lee", path=tmp_path / "lee.sqlite", deployment=web_cutover.id, node="n2")
    for number in range(20):
        open_incident(ana, web_cutover, ana.state(), "P3", f"ana's {number}")
        open_incident(lee, web_cutover, lee.state(), "P3", f"lee's {number}")
    ana_ids, lee_ids = set(ana.state().incidents), set(lee.state().incidents)
    assert len(ana_ids) == len(lee_ids) == 20 and not ana_ids & lee_ids
    ana.import_events(lee.events())
    lee.import_events(ana.events())
    assert set(ana.state().incidents) == set(lee.state().incidents) == ana_ids | lee_ids
    assert ana.state().incidents == lee.state().incidents  # same titles, owners, times on both sides


def test_the_countdown_moves_from_respond_to_resolve_and_turns_overdue(ledger, web_cutover, clock):
    open_incident(ledger, web_cutover, ledger.state(), "P1", "Checkout 500s")
    [incident] = ledger.state().incidents.values()
    due = countdown(incident, web_cutover, clock.now() + timedelta(minutes=3))
    assert (due.text, due.overdue) == ("respond in 12m", False)
    late = countdown(incident, web_cutover, clock.now() + timedelta(minutes=19))
    assert (late.text, late.overdue) == ("⚠ OVERDUE respond 4m", True)
    update_incident(ledger, ledger.state(), incident.id, status="active")
    [incident] = ledger.state().incidents.values()
    assert countdown(incident, web_cutover, clock.now() + timedelta(minutes=20)).text == "resolve in 3h40m"
    update_incident(ledger, ledger.state(), incident.id, status="resolved", note="rolled the pod")
    assert countdown(ledger.state().incidents[incident.id], web_cutover, clock.now()) is None


# --- the command line ------------------------------------------------------------------------------


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def incident(db, *args: object):
    return run("incident", WEB_CUTOVER, *args, "--db", db)


def listed(db) -> list[dict]:
    result = incident(db, "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_opens_lists_in_order_and_moves_an_incident_along(db_path):
    assert incident(db_path, "open", "--severity", "P3", "--title", "Slow search").exit_code == 0
    opened = incident(db_path, "open", "--severity", "p1", "--title", "Checkout 500s", "--step", "deploy-green",
                      "--description", "every third request")
    assert opened.exit_code == 0, opened.output
    new_id = re.match(r"(INC-[0-9a-f]{6}) opened", opened.output).group(1)
    first, second = listed(db_path)
    assert (first["id"], first["severity"], first["status"], first["step"]) == (new_id, "P1", "new", "deploy-green")
    assert first["owner"] == first["opened_by"] == "tester"
    assert first["next_target"]["what"] == "respond" and first["next_target"]["overdue"] is False
    assert second["title"] == "Slow search"
    text = incident(db_path, "list").output.splitlines()
    assert text[0].startswith(f"{new_id}  P1  new") and re.search(r"respond in 1[45]m$", text[0])
    moved = incident(db_path, "update", new_id.lower().removeprefix("inc-"), "--status", "active", "--owner", "lee")
    assert moved.exit_code == 0, moved.output
    assert listed(db_path)[0]["status"] == "active" and listed(db_path)[0]["owner"] == "lee"
    assert listed(db_path)[0]["next_target"]["what"] == "resolve"
    resolved = incident(db_path, "update", new_id, "--status", "resolved", "--note", "rolled back the pod")
    assert resolved.exit_code == 0
    done = next(i for i in listed(db_path) if i["id"] == new_id)
    assert (done["status"], done["resolution"], done["next_target"]) == ("resolved", "rolled back the pod", None)
    assert listed(db_path)[0]["title"] == "Slow search"  # open ones first
    status = json.loads(run("status", WEB_CUTOVER, "--json", "--db", db_path).output)
    assert [i["id"] for i in status["incidents"]] == [i["id"] for i in listed(db_path)]


@pytest.mark.parametrize(("args", "said"), [
    (("open", "--severity", "P1", "--title", "  "), "no title"),
    (("open", "--severity", "P7", "--title", "Checkout"), "not a severity"),
    (("open", "--severity", "P2", "--title", "Checkout", "--step", "deploy-gren"), "did you mean 'deploy-green'"),
    (("update", "INC-000000", "--status", "active"), "no incident"),
])
def test_cli_bad_input_is_one_sentence_exit_2_and_records_nothing(db_path, args, said):
    result = incident(db_path, *args)
    assert result.exit_code == 2
    assert said in result.output and "Traceback" not in result.output
    assert listed(db_path) == []


def test_cli_resolving_without_a_note_is_refused(db_path):
    incident(db_path, "open", "--severity", "P2", "--title", "Checkout 500s")
    [opened] = listed(db_path)
    result = incident(db_path, "update", opened["id"], "--status", "resolved")
    assert result.exit_code == 2 and "resolution" in result.output
    assert listed(db_path)[0]["status"] == "new"


# --- the console -----------------------------------------------------------------------------------


def incidents_pane(ui) -> IncidentsPane:
    return ui.screen.query_one(IncidentsPane)


async def test_i_opens_the_form_and_the_countdown_crosses_its_target_rings_once_and_shows_overdue(console, clock):
    rung: list[int] = []
    async with console.run(app=console.app(clock=clock), notifications=True) as ui:
        ui.app.bell = lambda: rung.append(1)
        ui.timeline.select_step("deploy-green")
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("i")
        form = ui.app.screen
        assert isinstance(form, IncidentForm)
        assert form.query_one("#incident-step", Input).value == "deploy-green"
        assert form.query_one("#incident-owner", Input).value == "tester"
        await ui.press(*"Checkout 500s", "shift+tab", "left", "space", "ctrl+s")  # P2 -> P1
        await ui.until(lambda: ui.app.ledger.state().incidents, "the incident recorded")
        [incident] = ui.app.ledger.state().incidents.values()
        assert (incident.severity, incident.title, incident.step, incident.owner) == (
            "P1", "Checkout 500s", "deploy-green", "tester")
        await ui.until(lambda: incidents_pane(ui).rows, "the incident in the pane")
        assert incidents_pane(ui).rows[0].countdown == "respond in 15m"
        assert not incidents_pane(ui).rows[0].overdue
        header = ui.screen.query_one(DeploymentHeader)
        await ui.until(lambda: "P1×1" in header.lines[0], "the header counting it")
        clock.advance(timedelta(minutes=19))
        await ui.until(lambda: incidents_pane(ui).rows[0].overdue, "the countdown crossing its target")
        assert "⚠ OVERDUE respond 4m" in incidents_pane(ui).lines[0]
        assert "OVERDUE" in incidents_pane(ui).border_title
        await ui.pause(1.2)  # another tick of the countdowns: no second ring
        assert rung == [1]
        assert any(f"{incident.id} (P1) is past its response target" in n.message for n in ui.app._notifications)


async def test_an_empty_title_keeps_the_form_open_with_one_message(console):
    async with console.run() as ui:
        await ui.press("i", "enter")
        form = ui.app.screen
        assert isinstance(form, IncidentForm)
        assert "title" in str(form.query_one("#incident-problem", Label).render())
        await ui.press("escape")
        assert not isinstance(ui.app.screen, IncidentForm)
        assert ui.app.ledger.state().incidents == {}


async def test_resolving_from_the_detail_needs_the_resolution(console, clock):
    app = console.app(clock=clock)
    open_incident(app.ledger, console.runbook, app.ledger.state(), "P2", "Checkout 500s")
    async with console.run(app=app) as ui:
        await ui.until(lambda: ui.screen.side_ready and incidents_pane(ui).rows)
        await ui.press("8", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, IncidentDetail), "the incident's detail")
        await ui.press("v")
        await ui.until(lambda: isinstance(ui.app.screen, TextPrompt), "the resolution asked")
        await ui.press("enter")  # no resolution: refused, still asking
        await ui.pause(0.2)
        assert isinstance(ui.app.screen, TextPrompt)
        assert [e.kind for e in ui.app.ledger.events()].count("incident.updated") == 0
        await ui.press(*"restarted the pods", "enter")
        await ui.until(lambda: ui.app.ledger.state().incidents and
                       next(iter(ui.app.ledger.state().incidents.values())).status == "resolved")
        [incident] = ui.app.ledger.state().incidents.values()
        assert incident.resolution == "restarted the pods"
        await ui.until(lambda: incidents_pane(ui).rows[0].status == "resolved")
        assert incidents_pane(ui).rows[0].countdown == ""


async def test_at_80_columns_8_goes_to_the_incidents_tab_and_the_lead_can_prefill_the_form(console, web_cutover):
    item = web_cutover.checklists["smoke_tests"].items[2]
    async with console.run(size=(80, 24)) as ui:
        await ui.press("8")
        tabs = ui.screen.query_one("#panes", TabbedContent)
        assert tabs.active == "pane-incidents"
        assert str(tabs.get_tab("pane-incidents").label) == "8 Inc"
        ui.screen.open_incident_form(severity="P1", title="Smoke test failed", item_id=item.id)
        await ui.until(lambda: isinstance(ui.app.screen, IncidentForm) and ui.app.screen.query("#incident-step"))
        assert ui.app.screen.query_one("#incident-step", Input).value == ""
        await ui.press("ctrl+s")
        await ui.until(lambda: ui.app.ledger.state().incidents, "the incident recorded")
        [incident] = ui.app.ledger.state().incidents.values()
        assert (incident.severity, incident.title, incident.item) == ("P1", "Smoke test failed", item.id)


# --- the header ------------------------------------------------------------------------------------


async def test_at_80_columns_the_header_keeps_the_open_incidents_and_an_overdue_update(hosted, clock, web_cutover,
                                                                                       open_ledger):
    ledger = open_ledger("ana", deployment=web_cutover.id, runbook_sha256=web_cutover.sha256)
    open_incident(ledger, web_cutover, ledger.state(), "P1", "Checkout 500s")
    open_incident(ledger, web_cutover, ledger.state(), "P3", "Slow search")
    open_incident(ledger, web_cutover, ledger.state(), "P3", "Typo on the invoice")
    clock.advance(timedelta(minutes=20))  # the P1's response is 5m overdue; no update since 08:00
    state = ledger.state()
    outlook = forecast(web_cutover, actuals(state), clock.now())
    header = DeploymentHeader(clock.now)
    header.info = rows.header_info(web_cutover, state, outlook, "rehearsal-1", "ana")
    header.day = day_rows.day_info(web_cutover, state, clock.now())
    async with hosted(header, size=(80, 4)) as (header, _):
        top, bottom = header.lines
        assert "P1×1 P3×2" in top and "OVERDUE" in top
        assert "⚠ upd 1h5m overdue" in bottom  # its short form, glyph and word kept
        failure = header.get_component_rich_style("deployment-header--failure", partial=True)
        line = header.render().split("\n")[0]
        at = line.plain.index("P1×1")
        assert any(span.style.color == failure.color for span in line.spans if span.start <= at < span.end
                   and isinstance(span.style, Style))


async def test_the_detail_changes_severity_and_owner_and_refuses_an_unknown_severity(console, clock):
    app = console.app(clock=clock)
    open_incident(app.ledger, console.runbook, app.ledger.state(), "P3", "Slow search")
    incident = lambda: next(iter(app.ledger.state().incidents.values()))  # noqa: E731
    async with console.run(app=app, notifications=True) as ui:
        await ui.until(lambda: ui.screen.side_ready and incidents_pane(ui).rows)
        for keys, changed in ((("p", *"P7", "enter"), None), (("p", *"p1", "enter"), ("P1", None)),
                              (("o", *"lee", "enter"), ("P1", "lee"))):
            await ui.press("8", "enter")
            await ui.until(lambda: isinstance(ui.app.screen, IncidentDetail), "the incident's detail")
            await ui.press(keys[0])
            await ui.until(lambda: isinstance(ui.app.screen, TextPrompt))
            await ui.press(*keys[1:])
            if changed is None:
                await ui.until(lambda: any("not a severity" in n.message for n in ui.app._notifications))
                assert incident().severity == "P3"
            else:
                await ui.until(lambda wanted=changed: (incident().severity, incident().owner) == wanted, f"{changed}")
