"""The console under Textual's Pilot: the main flows, restart, another process's writes, themes.

`console` (conftest.py) runs the app on a ledger of the test's own; `ui` is the running console,
read the way an operator reads it: `ui.step_line(step_id)` is the timeline's line as drawn.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

from support import WEB_CUTOVER, pure_env

from warroom.ops.describe import describe
from warroom.tui.main_screen import MainScreen
from warroom.tui.screens import StepDetail
from warroom.widgets.checklists import ChecklistPane
from warroom.widgets.timeline import Timeline


async def test_mark_done_start_and_see_it_on_the_row(console, web_cutover):
    first, second = web_cutover.steps[0].id, web_cutover.steps[1].id
    async with console.run() as ui:
        assert ui.timeline.selected_step == first
        await ui.press("d")
        await ui.until(lambda: "✔ done" in ui.step_line(first), "the first step to read done")
        await ui.press("j", "s")
        await ui.until(lambda: ui.status_of(second) == "in_progress")
        assert "▶ running" in ui.step_line(second)


async def test_fail_asks_for_a_note_and_escape_cancels(console, web_cutover):
    first = web_cutover.steps[0].id
    async with console.run() as ui:
        await ui.press("f")
        await ui.press("escape")
        await ui.pause(0.1)
        assert ui.status_of(first) == "pending"
        await ui.press("f")
        await ui.press("enter")  # an empty reason is refused
        await ui.pause(0.1)
        assert ui.status_of(first) == "pending"
        await ui.press(*"disk full", "enter")
        await ui.until(lambda: ui.status_of(first) == "failed")
        assert ui.screen.snapshot.state.step(first).note == "disk full"
        await ui.until(lambda: "✖ FAILED" in ui.step_line(first))


async def test_skip_note_tick_then_restart_finds_everything(console, web_cutover):
    first = web_cutover.steps[0].id
    item = web_cutover.checklists["pre_deployment"].items[0].id
    async with console.run() as ui:
        await ui.press("x", *"not needed", "enter")
        await ui.until(lambda: ui.status_of(first) == "skipped")
        await ui.press("n", *"bridge open", "enter")
        await ui.until(lambda: any("bridge open" in describe(e, web_cutover) for e in ui.screen.snapshot.recent))
        await ui.press("2", "space")
        await ui.until(lambda: ui.screen.snapshot.state.check(item).ticked)
        await ui.press("q")

    async with console.run() as again:
        state = again.screen.snapshot.state
        assert state.step(first).status == "skipped" and state.step(first).note == "not needed"
        assert state.check(item).ticked and state.check(item).by == "tester"
        assert [n.text for n in again.app.ledger.state().notes] == ["bridge open"]
        assert "↷ skipped" in again.step_line(first)
        pre = again.screen.query_one("#list-pre_deployment", ChecklistPane)
        assert pre.rows[0].ticked and pre.rows[0].by == "tester" and pre.ticked_count == 1


async def test_reopen_asks_first(console, web_cutover):
    first = web_cutover.steps[0].id
    async with console.run() as ui:
        await ui.press("d")
        await ui.until(lambda: ui.status_of(first) == "done")
        await ui.press("r", "n")
        await ui.pause(0.1)
        assert ui.status_of(first) == "done"
        await ui.press("r", "y")
        await ui.until(lambda: ui.status_of(first) == "pending")


async def test_enter_shows_step_detail_with_history(console, web_cutover):
    step = web_cutover.steps[0]
    async with console.run() as ui:
        await ui.press("s")
        await ui.until(lambda: ui.status_of(step.id) == "in_progress")
        await ui.press("enter")
        await ui.until(lambda: isinstance(ui.app.screen, StepDetail), "the step detail")
        text = " ".join(str(w.render()) for w in ui.app.screen.query("Static, Label"))
        assert step.title in text and "started" in text
        if step.command:
            assert step.command.splitlines()[0] in text
        await ui.press("escape")
        await ui.until(lambda: isinstance(ui.app.screen, MainScreen))


async def test_writes_from_another_process_appear(console, web_cutover, db_path):
    step = web_cutover.steps[0].id  # depends on nothing: a script may mark it done unasked
    async with console.run() as ui:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "warroom", "step", str(WEB_CUTOVER), step, "done",
            "--db", str(db_path), "--run", "rehearsal-1", "--operator", "script",
            env=pure_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert await proc.wait() == 0
        await ui.until(lambda: ui.status_of(step) == "done", timeout=3)
        assert ui.screen.snapshot.state.step(step).by == "script"


async def test_narrow_terminal_uses_tabs_and_keeps_working(console, web_cutover):
    first = web_cutover.steps[0].id
    async with console.run(size=(80, 24)) as ui:
        assert ui.screen.narrow and ui.screen.query("#panes")
        await ui.press("d")
        await ui.until(lambda: ui.status_of(first) == "done")
        await ui.press("6")
        assert ui.screen.query_one("#panes").active == "pane-activity"


async def test_command_palette_lists_step_actions(console):
    async with console.run() as ui:
        titles = [command.title for command in ui.app.get_system_commands(ui.app.screen)]
        assert any(title.startswith("Done (d)") for title in titles)
        assert any(title.startswith("Fail (f)") for title in titles)


# --- themes ----------------------------------------------------------------------------------------


def glyph_colour(timeline: Timeline, step_id: str, glyph: str) -> str:
    """The foreground colour the step's line is painted with where `glyph` is (via render_line)."""
    index = timeline.get_row_index(step_id)
    y = index + 1 - timeline.scroll_offset.y  # line 0 is the column titles
    segment = next(s for s in timeline.render_line(y) if glyph in s.text)
    return segment.style.color.get_truecolor().hex


async def test_switching_the_theme_repaints_the_timeline_in_it(console, web_cutover):
    """Command palette -> theme: every row takes the new theme's colours, not only new rows."""
    first = web_cutover.steps[0].id
    async with console.run() as ui:
        await ui.press("d")
        await ui.until(lambda: "✔ done" in ui.step_line(first))
        await ui.pause()
        before = glyph_colour(ui.timeline, first, "✔")
        assert before == ui.app.get_css_variables()["success"].lower()  # textual-dark's

        ui.app.theme = "nord"
        await ui.pause()
        after = glyph_colour(ui.timeline, first, "✔")
        assert after != before
        assert after == ui.app.get_css_variables()["success"].lower()  # nord's


async def test_switching_the_theme_recolours_the_checklist_ticks(console, web_cutover):
    item = web_cutover.checklists["pre_deployment"].items[0].id
    async with console.run() as ui:
        await ui.press("2", "space")
        await ui.until(lambda: ui.screen.snapshot.state.check(item).ticked)
        pane = ui.screen.query_one("#list-pre_deployment", ChecklistPane)
        await ui.until(lambda: pane.rows[0].ticked, "the tick on screen")
        await ui.pause()

        def tick_colour() -> str:
            y = next(i for i in range(pane.size.height) if "☑" in pane.render_line(i).text)
            tick = next(s for s in pane.render_line(y) if "☑" in s.text)
            return tick.style.color.get_truecolor().hex

        dark = tick_colour()
        ui.app.theme = "nord"
        await ui.pause()
        assert tick_colour() != dark
        assert tick_colour() == ui.app.get_css_variables()["success"].lower()
