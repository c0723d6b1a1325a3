"""People and roles (issue 10, item 7): roles declared per run (`--role`, or a picker on first
`warroom open`, never in the demo), the roster with who holds each role and whether seen, `m` for
my steps, the owner's name and phone in a step's detail, and steps whose owner role nobody holds."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER

from warroom.ops.actions import UsageProblem
from warroom.ops.people import declare_roles, holders, roles_of, roster, unheld_roles
from warroom.store import Ledger
from warroom.tui import cli
from warroom.tui.roster import NOT_SEEN, SEEN, RolePicker, Roster
from warroom.tui.screens import StepDetail
from warroom.widgets.timeline import TimelineRow

# --- ops -----------------------------------------------------------------------------------------


def test_declared_roles_are_recorded_once_and_unknown_ones_refused(ledger, web_cutover):
    assert declare_roles(ledger, web_cutover, ledger.state(), ["DBA", "dba", " DevOps "]) is not None
    assert roles_of(web_cutover, ledger.state(), "ana") == ("DBA", "DevOps")
    assert declare_roles(ledger, web_cutover, ledger.state(), ["DBA", "DevOps"]) is None  # the same: nothing new
    with pytest.raises(UsageProblem, match="'Janitor' is not a role.*Deployment Lead, Technical Lead"):
        declare_roles(ledger, web_cutover, ledger.state(), ["DBA", "Janitor"])
    assert [e.kind for e in ledger.events()] == ["roles.declared"]


def test_a_role_is_held_by_who_declared_it_or_by_its_team_member_once_seen(ledger, web_cutover):
    declare_roles(ledger, web_cutover, ledger.state(), ["DBA"])
    state = ledger.state()
    assert holders(web_cutover, state, "DBA", frozenset()) == ("ana",)
    assert holders(web_cutover, state, "DevOps", frozenset()) == ()
    # Priya records as "Priya Nair" (the team's default operator name): once she wrote, she holds DevOps.
    assert holders(web_cutover, state, "DevOps", frozenset({"Priya Nair"})) == ("Priya Nair",)
    assert "DevOps" in unheld_roles(web_cutover, state, frozenset())
    assert "DevOps" not in unheld_roles(web_cutover, state, frozenset({"Priya Nair"}))
    lines = {entry.role: entry for entry in roster(web_cutover, state, frozenset())}
    assert (lines["DBA"].name, lines["DBA"].phone, lines["DBA"].holders) == ("Lee Park", "+34 600 000 002", ("ana",))


# --- the console ---------------------------------------------------------------------------------


def declared(ui) -> list[list[str]]:
    return [e.body["roles"] for e in ui.app.ledger.events() if e.kind == "roles.declared"]


async def test_first_open_asks_for_roles_and_records_them(console, clock):
    async with console.run(app=console.app(clock=clock, ask_roles=True)) as ui:
        await ui.until(lambda: isinstance(ui.app.screen, RolePicker), "the role picker")
        picker = ui.app.screen
        assert picker.roles[:2] == ("Deployment Lead", "Technical Lead")
        await ui.press("down", "down", "space", "down", "down", "space")  # DevOps and Security
        assert picker.chosen == ("DevOps", "Security")
        await ui.press("enter")
        await ui.until(lambda: declared(ui) == [["DevOps", "Security"]])
        await ui.until(lambda: roles_of(ui.app.runbook, ui.screen.snapshot.state, "tester") == ("DevOps", "Security"))
        assert not isinstance(ui.app.screen, RolePicker)


async def test_escape_skips_the_picker_and_records_nothing(console, clock):
    async with console.run(app=console.app(clock=clock, ask_roles=True)) as ui:
        await ui.until(lambda: isinstance(ui.app.screen, RolePicker), "the role picker")
        await ui.press("escape")
        await ui.pause(0.2)
        assert declared(ui) == [] and not isinstance(ui.app.screen, RolePicker)


async def test_no_picker_once_roles_are_held_nor_without_asking(console, clock, db_path, web_cutover):
    with Ledger.open(db_path, web_cutover.id, "tester", run="rehearsal-1", runbook_sha256=web_cutover.sha256) as ledger:
        declare_roles(ledger, web_cutover, ledger.state(), ["DBA"])
    async with console.run(app=console.app(clock=clock, ask_roles=True)) as ui:
        await ui.pause(0.3)
        assert not isinstance(ui.app.screen, RolePicker)
    async with console.run(app=console.app(clock=clock, operator="nobody")) as ui:  # ask_roles off: the fixtures
        await ui.pause(0.3)
        assert not isinstance(ui.app.screen, RolePicker)


async def test_the_roster_shows_who_holds_each_role_and_whether_seen(console, clock, db_path, web_cutover):
    with Ledger.open(db_path, web_cutover.id, "lee", run="rehearsal-1", runbook_sha256=web_cutover.sha256) as ledger:
        declare_roles(ledger, web_cutover, ledger.state(), ["DBA"])
    async with console.run(app=console.app(clock=clock)) as ui:
        await ui.press("t")
        await ui.until(lambda: isinstance(ui.app.screen, Roster), "the roster")
        entries = {entry.role: entry for entry in ui.app.screen.entries}
        assert entries["DBA"].holders == ("lee",) and entries["DevOps"].holders == ()
        shown = str(ui.app.screen.query_one("#roster-lines").render())
        dba = shown.split("DBA · Lee Park · +34 600 000 002")[1].split("\n")[1]
        devops = shown.split("DevOps · Priya Nair")[1].split("\n")[1]
        assert "held by lee" in dba and SEEN in dba
        assert "nobody holds it" in devops and NOT_SEEN in devops

        await ui.press("r")  # from the roster: change my own roles
        await ui.until(lambda: isinstance(ui.app.screen, RolePicker), "the role picker")
        await ui.press("space", "enter")  # the first role: Deployment Lead
        await ui.until(lambda: ["Deployment Lead"] in declared(ui))


async def test_m_shows_only_my_steps_and_back(console, clock, web_cutover):
    devops = {s.id for s in web_cutover.steps if s.owner == "DevOps"}
    async with console.run(app=console.app(clock=clock)) as ui:
        def shown_steps() -> set[str]:
            return {row.step_id for row in ui.timeline._rows if isinstance(row, TimelineRow)}

        assert len(shown_steps()) == len(web_cutover.steps)
        await ui.press("m")  # no role held yet: nothing changes
        await ui.pause(0.1)
        assert len(shown_steps()) == len(web_cutover.steps) and ui.timeline.border_title == "Timeline"

        ui.screen.ask_roles()
        await ui.until(lambda: isinstance(ui.app.screen, RolePicker), "the role picker")
        await ui.press("down", "down", "space", "enter")  # DevOps
        await ui.until(lambda: roles_of(web_cutover, ui.screen.snapshot.state, "tester") == ("DevOps",))
        await ui.press("m")
        await ui.until(lambda: shown_steps() == devops, "only the DevOps steps")
        assert ui.timeline.border_title == "Timeline · my steps (DevOps)"
        assert ui.timeline.selected_step in devops
        await ui.press("m")
        await ui.until(lambda: len(shown_steps()) == len(web_cutover.steps), "every step again")
        assert ui.timeline.border_title == "Timeline"


async def test_a_step_whose_owner_nobody_holds_is_flagged_with_the_owners_phone(console, clock, web_cutover):
    dba_step = next(s for s in web_cutover.steps if s.owner == "DBA")
    async with console.run(app=console.app(clock=clock)) as ui:
        assert "?" not in ui.step_line(dba_step.id)  # nobody holds any role: a flag on every step says nothing
        ui.screen.ask_roles()
        await ui.until(lambda: isinstance(ui.app.screen, RolePicker), "the role picker")
        await ui.press("space", "enter")  # Deployment Lead, the first role
        await ui.until(lambda: "? DBA" in ui.step_line(dba_step.id), "DBA flagged once roles are in use")
        ui.timeline.select_step(dba_step.id)
        await ui.press("enter")
        await ui.until(lambda: isinstance(ui.app.screen, StepDetail), "the step detail")
        detail = ui.app.screen
        assert [m.name for m in detail.owners] == ["Lee Park"] and detail.owner_unheld
        owner = str(detail._owner_text())
        assert "Owner DBA: Lee Park +34 600 000 002" in owner and "nobody here holds DBA" in owner
        await ui.press("escape")

        ui.screen.ask_roles()
        await ui.until(lambda: isinstance(ui.app.screen, RolePicker), "the role picker")
        await ui.press("down", "down", "down", "space", "enter")  # DBA as well
        await ui.until(lambda: "? DBA" not in ui.step_line(dba_step.id), "the flag gone once DBA is held")


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def app_runs(monkeypatch):
    """Instead of the full-screen console: what `_run_app` was given, and the roles in the ledger then."""
    runs: list[dict] = []

    def run_app(runbook, ledger, demo=None, bell=True, syncer=None, ask_roles=False, updates_file=None):
        with ledger:
            runs.append({"ask_roles": ask_roles, "roles": dict(ledger.state().roles), "operator": ledger.operator})

    monkeypatch.setattr(cli, "_run_app", run_app)
    return runs


def test_open_with_roles_records_them_and_does_not_ask(db_path, app_runs):
    result = CliRunner().invoke(cli.main, ["open", str(WEB_CUTOVER), "--db", str(db_path), "--role", "dba",
                                           "--role", "DevOps"])
    assert result.exit_code == 0, result.output
    assert app_runs == [{"ask_roles": False, "roles": {"tester": ("DBA", "DevOps")}, "operator": "tester"}]


def test_open_without_roles_asks_in_the_console(db_path, app_runs):
    result = CliRunner().invoke(cli.main, ["open", str(WEB_CUTOVER), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert app_runs[0]["ask_roles"] is True and app_runs[0]["roles"] == {}


def test_open_with_an_unknown_role_exits_2_listing_the_roles(db_path, app_runs):
    result = CliRunner().invoke(cli.main, ["open", str(WEB_CUTOVER), "--db", str(db_path), "--role", "Janitor"])
    assert result.exit_code == 2
    assert "'Janitor' is not a role" in result.output and "DBA, Security, Test Lead, Communications" in result.output
    assert app_runs == [] and not db_path.exists()


def test_the_demo_declares_its_operator_the_deployment_lead_and_never_asks(app_runs):
    result = CliRunner().invoke(cli.main, ["demo"])
    assert result.exit_code == 0, result.output
    assert app_runs == [{"ask_roles": False, "roles": {"tester": ("Deployment Lead",)}, "operator": "tester"}]
