"""The console under Textual's Pilot: the main flows, restart, and another process's writes."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from warroom.runbook import load
from warroom.store import Ledger
from support import WEB_CUTOVER, pure_env
from warroom.tui.app import WarroomApp
from warroom.tui.main_screen import MainScreen
from warroom.ops.actions import describe as describe_event
from warroom.widgets.timeline import Timeline

RUNBOOK = load(WEB_CUTOVER)


def describe(event) -> str:
    return describe_event(event, RUNBOOK)


def make_app(db_path, operator: str = "tester") -> WarroomApp:
    ledger = Ledger.open(db_path, RUNBOOK.id, operator, run="rehearsal-1", runbook_sha256=RUNBOOK.sha256)
    return WarroomApp(RUNBOOK, ledger, probes=False)  # probes have tests of their own


async def until(pilot, condition, timeout: float = 5.0) -> None:
    """Let the app work until `condition()` holds; fail the test if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the screen never reached the expected state"
        await pilot.pause(0.02)


def screen(app) -> MainScreen:
    """The main screen, even while a dialog is open above it."""
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def status_of(app, step_id: str) -> str:
    snapshot = screen(app).snapshot
    return snapshot.state.step(step_id).status if snapshot else "pending"


def row_text(app, step_id: str) -> str:
    return screen(app).query_one(Timeline)._cells[step_id]["state"].plain


async def test_mark_done_start_and_see_it_on_the_row(db_path):
    app = make_app(db_path)
    first = RUNBOOK.steps[0].id
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        assert screen(app).query_one(Timeline).selected_step == first
        await pilot.press("d")
        await until(pilot, lambda: "done" in row_text(app, first))
        await pilot.press("j", "s")
        second = RUNBOOK.steps[1].id
        await until(pilot, lambda: status_of(app, second) == "in_progress")
        assert "running" in row_text(app, second)
    app.ledger.close()


async def test_fail_asks_for_a_note_and_escape_cancels(db_path):
    app = make_app(db_path)
    first = RUNBOOK.steps[0].id
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        await pilot.press("f")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert status_of(app, first) == "pending"
        await pilot.press("f")
        await pilot.press("enter")  # an empty reason is refused
        await pilot.pause(0.1)
        assert status_of(app, first) == "pending"
        await pilot.press(*"disk full", "enter")
        await until(pilot, lambda: status_of(app, first) == "failed")
        assert screen(app).snapshot.state.step(first).note == "disk full"
        assert "FAILED" in row_text(app, first)
    app.ledger.close()


async def test_skip_note_tick_then_restart_finds_everything(db_path):
    app = make_app(db_path)
    first = RUNBOOK.steps[0].id
    item = RUNBOOK.checklists["pre_deployment"].items[0].id
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        await pilot.press("x", *"not needed", "enter")
        await until(pilot, lambda: status_of(app, first) == "skipped")
        await pilot.press("n", *"bridge open", "enter")
        await until(pilot, lambda: any("bridge open" in describe(e) for e in screen(app).snapshot.recent))
        await pilot.press("2", "space")
        await until(pilot, lambda: screen(app).snapshot.state.check(item).ticked)
        await pilot.press("q")
    app.ledger.close()

    again = make_app(db_path)
    async with again.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(again).snapshot is not None)
        state = screen(again).snapshot.state
        assert state.step(first).status == "skipped" and state.step(first).note == "not needed"
        assert state.check(item).ticked and state.check(item).by == "tester"
        assert [n.text for n in again.ledger.state().notes] == ["bridge open"]
        assert "skipped" in row_text(again, first)
    again.ledger.close()


async def test_reopen_asks_first(db_path):
    app = make_app(db_path)
    first = RUNBOOK.steps[0].id
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        await pilot.press("d")
        await until(pilot, lambda: status_of(app, first) == "done")
        await pilot.press("r", "n")
        await pilot.pause(0.1)
        assert status_of(app, first) == "done"
        await pilot.press("r", "y")
        await until(pilot, lambda: status_of(app, first) == "pending")
    app.ledger.close()


async def test_enter_shows_step_detail_with_history(db_path):
    app = make_app(db_path)
    step = RUNBOOK.steps[0]
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        await pilot.press("s")
        await until(pilot, lambda: status_of(app, step.id) == "in_progress")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "StepDetail")
        text = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert step.title in text and "started" in text
        if step.command:
            assert step.command.splitlines()[0] in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_writes_from_another_process_appear(db_path):
    app = make_app(db_path)
    step = RUNBOOK.steps[2].id
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "warroom", "step", str(WEB_CUTOVER), step, "done",
            "--db", str(db_path), "--run", "rehearsal-1", "--operator", "script",
            env=pure_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert await proc.wait() == 0
        await until(pilot, lambda: status_of(app, step) == "done", timeout=3)
        assert screen(app).snapshot.state.step(step).by == "script"
    app.ledger.close()


async def test_narrow_terminal_uses_tabs_and_keeps_working(db_path):
    app = make_app(db_path)
    first = RUNBOOK.steps[0].id
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        assert screen(app).narrow and screen(app).query("#panes")
        await pilot.press("d")
        await until(pilot, lambda: status_of(app, first) == "done")
        await pilot.press("6")
        assert screen(app).query_one("#panes").active == "pane-activity"
    app.ledger.close()


async def test_command_palette_lists_step_actions(db_path):
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: screen(app).snapshot is not None)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert any(title.startswith("Done (d)") for title in titles)
        assert any(title.startswith("Fail (f)") for title in titles)
    app.ledger.close()
