"""Checklists with outcomes (issue 10, item 6): a smoke test passes, fails (with what failed) or
cannot be run; any item can be waived with a reason, shown and counted apart from a tick; in the
console, on the command line and in `warroom status --json`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER

from warroom.ops.actions import UsageProblem, record_outcome
from warroom.tui.cli import main
from warroom.tui.incidents import IncidentForm
from warroom.tui.screens import Confirm, TextPrompt
from warroom.widgets.checklists import ChecklistPane, ChecklistRow, counts_text, prompt


def smoke(runbook, n: int = 0) -> str:
    return runbook.checklists["smoke_tests"].items[n].id


def pre(runbook, n: int = 0) -> str:
    return runbook.checklists["pre_deployment"].items[n].id


# --- ops -----------------------------------------------------------------------------------------


def test_a_smoke_test_fails_with_its_note_then_passes(ledger, web_cutover):
    item = smoke(web_cutover)
    event = record_outcome(ledger, web_cutover, ledger.state(), item, "failed", "  500 on /login ")
    assert event is not None and event.kind == "check.failed" and event.body["note"] == "500 on /login"
    check = ledger.state().check(item)
    assert (check.outcome, check.note, check.ticked, check.settled) == ("failed", "500 on /login", False, False)
    record_outcome(ledger, web_cutover, ledger.state(), item, "passed")
    check = ledger.state().check(item)
    assert (check.outcome, check.ticked, check.settled) == ("passed", True, True)


def test_the_same_outcome_and_note_again_records_nothing(ledger, web_cutover):
    item = smoke(web_cutover)
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "failed", "500") is not None
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "failed", "500") is None
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "failed", "502") is not None
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "passed") is not None
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "passed") is None
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "cleared") is not None
    assert record_outcome(ledger, web_cutover, ledger.state(), item, "cleared") is None


@pytest.mark.parametrize(("item", "outcome", "note", "said"), [
    (smoke, "failed", None, "say what failed"),
    (smoke, "failed", "   ", "say what failed"),
    (pre, "waived", "", "say why it is waived"),
    (pre, "failed", "it broke", "only a smoke test can be failed"),
    (pre, "blocked", None, "only a smoke test can be blocked"),
    (smoke, "exploded", None, "not an outcome"),
])
def test_bad_outcomes_are_refused_and_nothing_is_recorded(ledger, web_cutover, item, outcome, note, said):
    with pytest.raises(UsageProblem, match=said):
        record_outcome(ledger, web_cutover, ledger.state(), item(web_cutover), outcome, note)
    assert ledger.events() == []


def test_any_item_can_be_waived_and_blocked_needs_no_note(ledger, web_cutover):
    record_outcome(ledger, web_cutover, ledger.state(), pre(web_cutover), "waived", "CAB met yesterday")
    record_outcome(ledger, web_cutover, ledger.state(), smoke(web_cutover, 1), "blocked")
    state = ledger.state()
    assert (state.check(pre(web_cutover)).outcome, state.check(pre(web_cutover)).note) == ("waived",
                                                                                          "CAB met yesterday")
    assert (state.check(smoke(web_cutover, 1)).outcome, state.check(smoke(web_cutover, 1)).note) == ("blocked", None)


# --- the rows and counts -------------------------------------------------------------------------


def test_each_outcome_reads_by_glyph_and_word():
    failed = prompt(ChecklistRow("s/a", "Login works", outcome="failed", note="500", by="ana", at="08:04")).plain
    assert failed.startswith("✗ Login works") and "FAILED: 500" in failed and "ana 08:04" in failed
    assert prompt(ChecklistRow("s/b", "Search", outcome="blocked")).plain.startswith("⊘ Search  blocked")
    waived = prompt(ChecklistRow("s/c", "PDF", outcome="waived", note="no PDFs today")).plain
    assert waived.startswith("~ PDF  waived: no PDFs today")
    assert prompt(ChecklistRow("s/d", "Refund", ticked=True, outcome="passed")).plain.startswith("☑ Refund")
    assert prompt(ChecklistRow("s/e", "Tax")).plain == "☐ Tax"


def test_counts_keep_failures_and_waivers_apart_from_passes():
    rows = [ChecklistRow(str(n), "t", ticked=True, outcome="passed") for n in range(7)]
    rows += [ChecklistRow("f", "t", outcome="failed"), ChecklistRow("w", "t", outcome="waived"),
             ChecklistRow("o", "t")]
    assert counts_text(rows) == "7/10 ✓ · 1 ✗ · 1 waived"
    assert counts_text(rows, compact=True) == "7/10 ✗1 ~1"
    assert counts_text(rows[:7] + rows[-1:]) == "7/8"


# --- the console ---------------------------------------------------------------------------------


def footer_keys(ui) -> set[str]:
    return {key for key, active in ui.app.screen.active_bindings.items() if active.binding.show}


async def test_smoke_tests_fail_block_waive_and_pass_from_the_keyboard(console, web_cutover, clock):
    items = web_cutover.checklists["smoke_tests"].items
    async with console.run(app=console.app(clock=clock)) as ui:
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("5")
        pane = ui.screen.query_one("#list-smoke_tests", ChecklistPane)
        await ui.until(lambda: ui.app.focused is pane, "the smoke tests in focus")
        assert {"f", "b", "w", "space"} <= footer_keys(ui)

        await ui.press("f")
        assert isinstance(ui.app.screen, TextPrompt) and items[0].text in ui.app.screen.prompt_title
        await ui.press("enter")  # what failed is required: the prompt stays, nothing is recorded
        assert isinstance(ui.app.screen, TextPrompt)
        await ui.press(*"500 on login", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, Confirm), "the offer of an incident")
        assert "Open an incident for the failed smoke test" in ui.app.screen.question
        await ui.press("n")  # not this time
        await ui.until(lambda: ui.screen.snapshot.state.check(items[0].id).outcome == "failed")
        assert ui.screen.snapshot.state.check(items[0].id).note == "500 on login"

        await ui.press("down", "b", "enter")  # blocked: the reason is optional
        await ui.until(lambda: ui.screen.snapshot.state.check(items[1].id).outcome == "blocked")

        await ui.press("down", "w")
        assert isinstance(ui.app.screen, TextPrompt)
        await ui.press(*"no EU customers", "enter")
        await ui.until(lambda: ui.screen.snapshot.state.check(items[2].id).outcome == "waived")

        await ui.until(lambda: pane.rows[0].outcome == "failed" and pane.rows[2].outcome == "waived")
        assert "FAILED: 500 on login" in prompt(pane.rows[0]).plain
        label = str(ui.screen.query_one("#checklists").get_tab("pane-smoke_tests").label)
        assert label == "5 Smoke 0/10 ✓ · 1 ✗ · 1 ⊘ · 1 waived"

        await ui.press("up", "up", "space")  # the failed test, run again, passes
        await ui.until(lambda: ui.screen.snapshot.state.check(items[0].id).outcome == "passed")

        await ui.press("down", "down", "w")  # on a waived item: clear the waiver, asked first
        assert isinstance(ui.app.screen, Confirm) and "no EU customers" in ui.app.screen.question
        await ui.press("y")
        await ui.until(lambda: ui.screen.snapshot.state.check(items[2].id).outcome == "")
        kinds = [e.kind for e in ui.app.ledger.events() if e.kind.startswith("check.")]
        assert kinds == ["check.failed", "check.blocked", "check.waived", "check.ticked", "check.unticked"]


async def test_a_failed_smoke_test_becomes_an_incident_linked_to_it(console, web_cutover, clock):
    item = web_cutover.checklists["smoke_tests"].items[0]
    async with console.run(app=console.app(clock=clock)) as ui:
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("5")
        await ui.until(lambda: isinstance(ui.app.focused, ChecklistPane), "the smoke tests in focus")
        await ui.press("f", *"SSO 500", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, Confirm), "the offer of an incident")
        await ui.press("y")
        await ui.until(lambda: isinstance(ui.app.screen, IncidentForm), "the incident form")
        await ui.press("enter")  # prefilled: the title names the test, the description what failed
        await ui.until(lambda: ui.screen.snapshot.state.incidents, "the incident recorded")
        (incident,) = ui.screen.snapshot.state.incidents.values()
        assert (incident.title, incident.description, incident.item, incident.severity) == (
            f"Smoke test failed: {item.text}", "SSO 500", item.id, "P2")
        assert ui.screen.snapshot.state.check(item.id).outcome == "failed"


async def test_fail_and_blocked_are_only_for_smoke_tests_but_any_item_can_be_waived(console, web_cutover, clock):
    item = web_cutover.checklists["pre_deployment"].items[0]
    async with console.run(app=console.app(clock=clock)) as ui:
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("2")
        await ui.until(lambda: isinstance(ui.app.focused, ChecklistPane), "the pre-deployment list in focus")
        assert "w" in footer_keys(ui) and not {"f", "b"} & footer_keys(ui)
        await ui.press("f", "b")
        await ui.pause(0.1)
        assert not isinstance(ui.app.screen, TextPrompt)
        await ui.press("w")
        await ui.press("enter")  # the reason is required
        assert isinstance(ui.app.screen, TextPrompt)
        await ui.press(*"approved last week", "enter")
        await ui.until(lambda: ui.screen.snapshot.state.check(item.id).outcome == "waived")
        assert [e.kind for e in ui.app.ledger.events() if e.kind.startswith("check.")] == ["check.waived"]


# --- the command line ----------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def checklist_items(db) -> dict[str, dict]:
    result = run("status", WEB_CUTOVER, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    return {item["id"]: item for items in doc["checklists"].values() for item in items}


def test_cli_records_each_outcome_and_status_json_reports_it(db_path, web_cutover):
    failed, blocked, waived = smoke(web_cutover, 0), smoke(web_cutover, 1), pre(web_cutover, 0)
    assert run("check", WEB_CUTOVER, failed, "--fail", "--note", "500 on login", "--db", db_path).exit_code == 0
    assert run("check", WEB_CUTOVER, blocked, "--blocked", "--db", db_path).exit_code == 0
    result = run("check", WEB_CUTOVER, waived, "--waive", "--note", "CAB met", "--db", db_path)
    assert result.exit_code == 0 and "waived" in result.output
    items = checklist_items(db_path)
    assert (items[failed]["outcome"], items[failed]["note"], items[failed]["ticked"]) == ("failed", "500 on login",
                                                                                        False)
    assert (items[blocked]["outcome"], items[blocked]["note"]) == ("blocked", None)
    assert (items[waived]["outcome"], items[waived]["note"]) == ("waived", "CAB met")
    assert (items[smoke(web_cutover, 2)]["outcome"], items[smoke(web_cutover, 2)]["note"]) == ("", None)

    text = run("status", WEB_CUTOVER, "--db", db_path).output
    assert "[F]" in text and "FAILED: 500 on login" in text and "0/10 ticked · 1 failed · 1 blocked" in text

    assert run("check", WEB_CUTOVER, failed, "--db", db_path).exit_code == 0  # run again: passed
    assert checklist_items(db_path)[failed]["outcome"] == "passed"
    assert run("check", WEB_CUTOVER, waived, "--untick", "--db", db_path).exit_code == 0
    assert checklist_items(db_path)[waived]["outcome"] == ""


@pytest.mark.parametrize(("args", "said"), [
    (("--fail",), "say what failed: add --note"),
    (("--waive",), "say why it is waived: add --note"),
    (("--fail", "--waive", "--note", "x"), "exclude each other"),
])
def test_cli_refuses_an_outcome_without_its_reason(db_path, web_cutover, args, said):
    result = run("check", WEB_CUTOVER, smoke(web_cutover), *args, "--db", db_path)
    assert result.exit_code == 2 and said in result.output
    assert checklist_items(db_path)[smoke(web_cutover)]["outcome"] == ""


def test_cli_refuses_to_fail_an_item_that_is_not_a_smoke_test(db_path, web_cutover):
    result = run("check", WEB_CUTOVER, pre(web_cutover), "--fail", "--note", "broke", "--db", db_path)
    assert result.exit_code == 2 and "only a smoke test can be failed" in result.output
    assert "Traceback" not in result.output
    assert checklist_items(db_path)[pre(web_cutover)]["outcome"] == ""
