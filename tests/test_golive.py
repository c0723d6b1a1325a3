"""The go-live decision in the console (issue 10, item 3): PROCEED offered plainly only when every
smoke test passed and no P1 is open, otherwise as an override with its reason; ROLLBACK asked first,
then the timeline walks the rollback branch newest first; `d` on the go-live step decides it; the
rollback deadline asks for the decision when no step does. Time is the injected clock's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import Consoles
from support import SAMPLES, ManualClock

from warroom.ops.actions import record_outcome, record_step
from warroom.ops.decisions import record_decision
from warroom.ops.incidents import open_incident
from warroom.ops.loading import load_runbook
from warroom.runbook.model import SMOKE_TESTS
from warroom.tui.golive import GoLiveDialog
from warroom.tui.screens import Confirm, TextPrompt
from warroom.vocabulary import Decision, EventKind
from warroom.widgets.timeline import TimelineRow, TitleRow

RUN = "rehearsal-1"


@pytest.fixture
def bob(open_ledger, web_cutover):
    """A second operator on the console's ledger file, writing what the console must notice."""
    return open_ledger("bob", deployment=web_cutover.id, run=RUN)


def pass_smoke_tests(ledger, runbook) -> None:
    for item in runbook.checklists[SMOKE_TESTS].items:
        record_outcome(ledger, runbook, ledger.state(), item.id, "passed")


def decisions(ui) -> list:
    return [e for e in ui.app.ledger.events() if e.kind == EventKind.DECISION_RECORDED]


def finish(ledger, runbook, clock: ManualClock, *step_ids: str) -> None:
    """Start and finish each step, ten minutes apart, in the order given."""
    for step_id in step_ids:
        for action in ("start", "done"):
            clock.advance(timedelta(minutes=5))
            record_step(ledger, runbook, ledger.state(), step_id, action)


async def test_a_failed_smoke_test_offers_proceed_only_as_an_override_with_its_reason(console, web_cutover, bob, clock):
    pass_smoke_tests(bob, web_cutover)
    failed = web_cutover.checklists[SMOKE_TESTS].items[4]
    bob.append(EventKind.CHECK_FAILED, failed.id, {"note": "card declined by the sandbox"})
    async with console.run(console.app(clock=clock)) as ui:
        await ui.until(lambda: ui.screen.snapshot.state.check(failed.id).outcome == "failed")
        await ui.press("L")
        dialog = ui.app.screen
        assert isinstance(dialog, GoLiveDialog)
        assert dialog.facts.blockers == (f"smoke test '{failed.text}' failed",)
        await ui.press("p")
        prompt = ui.app.screen
        assert isinstance(prompt, TextPrompt)
        assert "override" in prompt.prompt_title
        assert any(failed.text in line for line in prompt.details)
        await ui.press("enter")  # no reason: refused, still asking
        assert isinstance(ui.app.screen, TextPrompt)
        assert not decisions(ui)
        await ui.press(*"sandbox only", "enter")
        await ui.until(lambda: decisions(ui), "the PROCEED recorded")
        (event,) = decisions(ui)
        assert event.body["decision"] == "proceed"
        assert event.body["note"] == "sandbox only"
        assert failed.text in event.body["override"]


async def test_an_open_p1_holds_proceed_back_and_escape_records_nothing(console, web_cutover, bob, clock):
    pass_smoke_tests(bob, web_cutover)
    open_incident(bob, web_cutover, bob.state(), "P1", "Payments time out")
    async with console.run(console.app(clock=clock)) as ui:
        await ui.until(lambda: ui.screen.snapshot.state.incidents, "the incident on screen")
        await ui.press("L")
        dialog = ui.app.screen
        assert isinstance(dialog, GoLiveDialog)
        (blocker,) = dialog.facts.blockers
        assert blocker.startswith("P1 ") and "'Payments time out' is open" in blocker
        await ui.press("p")
        assert isinstance(ui.app.screen, TextPrompt)
        await ui.press("escape")
        await ui.pause(0.2)
        assert not decisions(ui)


async def test_proceed_is_plain_when_every_smoke_test_passed(console, web_cutover, bob, clock):
    pass_smoke_tests(bob, web_cutover)
    async with console.run(console.app(clock=clock)) as ui:
        await ui.until(lambda: all(ui.screen.snapshot.state.check(i.id).outcome == "passed"
                                   for i in web_cutover.checklists[SMOKE_TESTS].items), "every smoke test passed")
        await ui.press("L")
        assert isinstance(ui.app.screen, GoLiveDialog)
        assert ui.app.screen.facts.blockers == ()
        await ui.press("p")
        await ui.until(lambda: decisions(ui), "the PROCEED recorded")
        (event,) = decisions(ui)
        assert event.body["decision"] == "proceed"
        assert "override" not in event.body
        assert not isinstance(ui.app.screen, (TextPrompt, Confirm, GoLiveDialog))


async def test_d_on_the_go_live_step_decides_and_then_marks_it_done(console, web_cutover, bob, open_ledger, clock):
    pass_smoke_tests(bob, web_cutover)
    bob.append("signoff.given", "go-live-decision")
    async with console.run(console.app(clock=clock)) as ui:
        ui.timeline.select_step("go-live-decision")
        await ui.press("d")  # one sign-off of the two it needs: the decision is not asked for yet
        assert not isinstance(ui.app.screen, GoLiveDialog)
        open_ledger("lee", deployment=web_cutover.id, run=RUN).append("signoff.given", "go-live-decision")
        await ui.until(lambda: len(ui.screen.snapshot.state.signoffs("go-live-decision")) == 2, "the second sign-off")
        await ui.press("d")
        assert isinstance(ui.app.screen, GoLiveDialog)
        assert ui.status_of("go-live-decision") == "pending"
        await ui.press("p")
        await ui.until(lambda: ui.status_of("go-live-decision") == "done", "the go-live step done")
        (event,) = decisions(ui)
        assert event.body["decision"] == "proceed"
        done = [e for e in ui.app.ledger.events() if e.kind == EventKind.STEP_DONE]
        assert [e.subject for e in done] == ["go-live-decision"]
        assert "PROCEED" in done[0].body["note"]


async def test_rollback_asks_first_then_walks_the_branch_newest_first_to_its_end(console, web_cutover, bob, clock):
    clock.at("09:00")
    finish(bob, web_cutover, clock, "deploy-green", "db-migrate", "update-config", "verify-green")
    async with console.run(console.app(clock=clock), notifications=True) as ui:
        await ui.until(lambda: ui.status_of("verify-green") == "done")
        clock.at("13:10")
        await ui.press("L", "r")
        assert isinstance(ui.app.screen, Confirm)
        await ui.press("n")  # not yet: nothing recorded, the plan stays
        await ui.pause(0.2)
        assert not decisions(ui)
        await ui.press("L", "r", "y")
        assert isinstance(ui.app.screen, TextPrompt)  # the reason, optional
        await ui.press(*"error rate 4%", "enter")
        await ui.until(lambda: isinstance(ui.timeline.rows[0], TitleRow), "the rollback branch shown")
        (event,) = decisions(ui)
        assert (event.body["decision"], event.body["note"]) == ("rollback", "error rate 4%")
        # verify-green needs no rollback; the others, the last finished first.
        branch = [row.step_id for row in ui.timeline.rows if isinstance(row, TimelineRow)]
        assert branch == ["update-config", "db-migrate", "deploy-green"]
        assert ui.timeline.rows[0].text.startswith("↶ ROLLBACK - started 13:10 by tester · 0 of 3 undone")
        assert ui.timeline.selected_step == "update-config"
        assert "ROLLBACK" in str(ui.timeline.border_title)

        clock.advance(timedelta(minutes=2))
        await ui.press("s")
        await ui.until(lambda: ui.screen.snapshot.state.rollback("update-config").status == "in_progress")
        clock.advance(timedelta(minutes=10))
        await ui.press("d")
        await ui.until(lambda: ui.screen.snapshot.state.rollback("update-config").status == "done")
        assert "✔ done" in ui.step_line("update-config")
        title = web_cutover.step("update-config").title
        await ui.until(lambda: any(n.message == f"Rolled back '{title}'" for n in ui.app._notifications))
        assert "13:12–13:22" in ui.step_line("update-config")
        await ui.press("down", "s")
        await ui.until(lambda: ui.screen.snapshot.state.rollback("db-migrate").status == "in_progress")
        await ui.press("f")
        prompt = ui.app.screen
        assert isinstance(prompt, TextPrompt) and "db-migrate" in prompt.prompt_title
        await ui.press(*"down migration locked", "enter")
        await ui.until(lambda: ui.screen.snapshot.state.rollback("db-migrate").status == "failed")
        assert "1 FAILED" in ui.timeline.rows[0].text
        await ui.press("d", "down", "s", "d")
        clock.at("13:52")
        await ui.until(lambda: ui.screen.snapshot.state.rollback("deploy-green").status == "done")
        await ui.until(lambda: "rolled back at" in ui.timeline.rows[0].text, "the branch's end in its title")
        # The plan itself never moved: the rollback is recorded beside it.
        assert ui.status_of("update-config") == "done"
        assert [e.kind for e in ui.app.ledger.events() if e.kind.startswith("rollback.")] == [
            "rollback.started", "rollback.done", "rollback.started", "rollback.failed", "rollback.done",
            "rollback.started", "rollback.done"]


async def test_v_switches_between_the_branch_and_the_plan_and_skip_means_nothing_there(console, web_cutover, bob,
                                                                                      clock):
    finish(bob, web_cutover, clock, "deploy-green")
    async with console.run(console.app(clock=clock), notifications=True) as ui:
        await ui.until(lambda: ui.status_of("deploy-green") == "done")
        await ui.press("v")  # not rolling back: the key does nothing
        assert not isinstance(ui.timeline.rows[0], TitleRow)
        await ui.press("L", "r", "y", "enter")
        await ui.until(lambda: isinstance(ui.timeline.rows[0], TitleRow), "the rollback branch shown")
        await ui.press("x")
        await ui.until(lambda: any("s starts, d finishes" in n.message for n in ui.app._notifications))
        await ui.press("v")
        await ui.until(lambda: not isinstance(ui.timeline.rows[0], TitleRow), "the plan shown again")
        assert ui.timeline.get_row_index("war-room-open") is not None
        await ui.press("v")
        await ui.until(lambda: isinstance(ui.timeline.rows[0], TitleRow), "the branch shown again")
        assert not [e for e in ui.app.ledger.events() if e.kind.startswith("rollback.")]


async def test_a_console_opened_while_rolling_back_shows_the_branch(console, web_cutover, bob, clock):
    finish(bob, web_cutover, clock, "deploy-green", "db-migrate")
    record_decision(bob, web_cutover, bob.state(), Decision.ROLLBACK, None)
    async with console.run(console.app(clock=clock)) as ui:
        await ui.until(lambda: isinstance(ui.timeline.rows[0], TitleRow), "the rollback branch shown")
        assert "by bob" in ui.timeline.rows[0].text
        assert [row.step_id for row in ui.timeline.rows[1:]] == ["db-migrate", "deploy-green"]


async def test_the_header_tells_the_rollback_time_as_steps_complete(console, web_cutover, bob, clock):
    async with console.run(console.app(clock=clock)) as ui:
        header = ui.screen.query_one("#header")
        assert "↶" not in header.lines[1]  # nothing done: nothing to undo
        finish(bob, web_cutover, clock, "deploy-green")
        await ui.until(lambda: "↶ 20m fits" in header.lines[1], "20m to undo deploy-green")
        finish(bob, web_cutover, clock, "db-migrate", "verify-green")  # verify-green needs no rollback
        await ui.until(lambda: "↶ 40m fits" in header.lines[1], "and 20m more for db-migrate")
        clock.at("17:45")
        ui.screen.show_snapshot()
        await ui.until(lambda: "↶ 40m ✗ too late" in header.lines[1], "too late 15 minutes before the end")


async def test_without_a_go_live_step_the_deadline_asks_for_the_decision_once(db_path):
    runbook = load_runbook(SAMPLES / "db-migration.yaml")  # no step has gate: go-live; deadline 02:30 UTC
    assert not any(step.gate == "go-live" for step in runbook.steps)
    clock = ManualClock(datetime(2026, 12, 6, 2, 20, tzinfo=UTC), zone=UTC)
    consoles = Consoles(db_path, runbook)
    try:
        async with consoles.run(consoles.app(clock=clock), notifications=True) as ui:
            due = lambda: [n for n in ui.app._notifications if "Go-live decision due: press L" in n.message]  # noqa: E731
            ui.screen.show_snapshot()
            await ui.pause(0.1)
            assert not due()
            clock.at("02:31")
            ui.screen.show_snapshot()
            await ui.until(due, "the decision asked for")
            ui.screen.show_snapshot()
            await ui.pause(0.1)
            assert len(due()) == 1
    finally:
        consoles.close()
