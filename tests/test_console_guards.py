"""Keys act where the operator looks, and nothing consequential happens unasked (issue 8, items 1,
2, 4 and 5): the step keys only in the timeline and the step's detail, the checklist keys on the
highlighted item, guards that ask and record the override, an action prepared on a state another
operator changed since, the line that says what runs now, and phase counts that keep skips apart.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.ops.actions import UsageProblem, record_step
from warroom.probes import ProbeState, ProbeStatus
from warroom.tui.main_screen import ProbesUpdated
from warroom.tui.screens import Confirm, KeysHelp, StepDetail, TextPrompt
from warroom.widgets.checklists import ChecklistPane
from warroom.widgets.now_next import NowNextLine
from warroom.widgets.timeline import PhaseRow


def footer_keys(ui) -> set[str]:
    """The keys the footer offers now."""
    return {key for key, active in ui.app.screen.active_bindings.items() if active.binding.show}


def events_of(ui, kind: str):
    return [e for e in ui.app.ledger.events() if e.kind == kind]


async def test_step_keys_do_nothing_outside_the_timeline_and_are_not_offered(console, web_cutover):
    go_no_go = "go-no-go"
    async with console.run() as ui:
        ui.timeline.select_step(go_no_go)
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("3")  # the Go/No-Go checklist
        await ui.until(lambda: isinstance(ui.app.focused, ChecklistPane), "the Go/No-Go list in focus")
        assert not {"s", "d", "f", "x", "r"} & footer_keys(ui)
        await ui.press("d", "s", "x", "f", "r")
        await ui.pause(0.2)
        assert not [e for e in ui.app.ledger.events() if e.kind.startswith("step.")]
        assert isinstance(ui.app.screen, type(ui.screen))  # no prompt opened either
        await ui.press("1")
        assert {"s", "d", "f", "x", "r"} <= footer_keys(ui)


async def test_in_a_checklist_space_ticks_and_n_notes_the_highlighted_item(console, web_cutover):
    items = web_cutover.checklists["pre_deployment"].items
    async with console.run(notifications=True) as ui:
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("2", "down", "space")
        await ui.until(lambda: ui.screen.snapshot.state.check(items[1].id).ticked)
        await ui.press("n")
        assert isinstance(ui.app.screen, TextPrompt)
        assert items[1].text in ui.app.screen.prompt_title
        await ui.press(*"signed by the CAB", "enter")
        await ui.until(lambda: events_of(ui, "note.added"))
        assert events_of(ui, "note.added")[0].subject == items[1].id


async def test_every_action_notice_names_its_target(console, web_cutover):
    first = web_cutover.steps[0]
    async with console.run(notifications=True) as ui:
        await ui.press("d")
        await ui.until(lambda: ui.status_of(first.id) == "done")
        await ui.until(lambda: any(n.message == f"Marked '{first.title}' done" for n in ui.app._notifications))


async def test_starting_before_the_dependencies_asks_names_them_and_records_the_override(console, web_cutover):
    async with console.run() as ui:
        ui.timeline.select_step("verify-green")  # needs no sign-off and no GO: only its dependencies stand in the way
        await ui.press("s")
        prompt = ui.app.screen
        assert isinstance(prompt, TextPrompt)
        assert "anyway" in prompt.prompt_title
        named = "\n".join(prompt.details)
        for dep in ("db-migrate", "update-config"):
            assert f"({dep}), still pending" in named
        await ui.press("escape")  # not going ahead: nothing recorded
        await ui.pause(0.1)
        assert ui.status_of("verify-green") == "pending"
        await ui.press("s", *"CAB said go", "enter")
        await ui.until(lambda: ui.status_of("verify-green") == "in_progress")
        started = events_of(ui, "step.started")[0]
        assert started.body["note"] == "CAB said go"
        assert "(db-migrate), still pending" in started.body["override"]
        await ui.until(lambda: any("OVERRIDE: depends on" in row.text for row in ui.screen.query_one("#activity").entries),
                       "the override in the activity log")


async def test_finishing_while_a_probe_it_validates_with_is_down_asks(console, web_cutover):
    step = web_cutover.step("health-check")  # validates with the web and db probes
    probe = next(v.probe for v in step.validate if v.probe)
    async with console.run() as ui:
        for dep in ("war-room-open", "checklist-review"):  # finished: only the probe stands in the way
            ui.app.ledger.append("step.done", dep)
        ui.app.load_snapshot()
        await ui.until(lambda: all(ui.status_of(dep) == "done" for dep in step.after))
        ui.screen.post_message(ProbesUpdated([ProbeStatus(probe, "http", ProbeState.DOWN)]))
        await ui.until(lambda: ui.screen.probe_states.get(probe) == "DOWN")
        ui.timeline.select_step(step.id)
        await ui.press("d")
        assert isinstance(ui.app.screen, TextPrompt)
        assert f"validates with probe '{probe}', which is DOWN" in "\n".join(ui.app.screen.details)
        await ui.press(*"known flake, db team on it", "enter")
        await ui.until(lambda: ui.status_of(step.id) == "done")
        assert "DOWN" in events_of(ui, "step.done")[-1].body["override"]


async def test_a_prompt_opened_before_another_operator_acted_is_not_applied_blindly(console, web_cutover, open_ledger):
    first = web_cutover.steps[0]
    async with console.run() as ui:
        other = open_ledger("lee", path=console.db_path, deployment=web_cutover.id, run="rehearsal-1")
        await ui.press("x")  # the skip prompt opens on the step as it is now: pending
        assert isinstance(ui.app.screen, TextPrompt)
        other.append("step.done", first.id)  # meanwhile lee marks it done
        await ui.press(*"not needed", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, Confirm), "the question: lee changed it")
        question = ui.app.screen.question
        assert "lee marked" in question and "done" in question and first.title in question
        assert [e.kind for e in ui.app.ledger.events() if e.kind.startswith("step.")] == ["step.done"]
        await ui.press("n")  # keep lee's
        await ui.pause(0.2)
        assert ui.app.ledger.state().step(first.id).status == "done"
        # Asked again and answered yes, the skip goes on top of what lee did.
        await ui.press("x", *"rolled back by hand", "enter")
        await ui.until(lambda: ui.app.ledger.state().step(first.id).status == "skipped")


async def test_step_keys_work_in_the_step_detail(console, web_cutover):
    first = web_cutover.steps[0].id
    async with console.run() as ui:
        await ui.press("enter")
        await ui.until(lambda: isinstance(ui.app.screen, StepDetail))
        await ui.press("d")
        await ui.until(lambda: ui.status_of(first) == "done")


async def test_it_opens_on_the_running_step_says_now_and_next_and_c_jumps_back(console, web_cutover, clock):
    running = web_cutover.steps[20]
    with console.app(clock=clock).ledger as ledger:
        ledger.append("step.started", running.id)
    clock.advance(running.duration + timedelta(minutes=7))  # now past its planned duration
    async with console.run(app=console.app(clock=clock), size=(80, 24)) as ui:
        assert ui.timeline.selected_step == running.id
        line = ui.screen.query_one(NowNextLine).render().plain
        assert running.title[:20] in line and "OVERRUN +7m" in line and "NEXT" in line
        assert "overrun" in ui.step_line(running.id)
        await ui.press("home")
        assert ui.timeline.selected_step == web_cutover.steps[0].id
        await ui.press("6", "c")
        assert ui.timeline.selected_step == running.id and ui.app.focused is ui.timeline


async def test_phase_rows_count_done_skipped_and_failed_apart(console, web_cutover):
    phase = web_cutover.steps[0].phase
    ids = [s.id for s in web_cutover.steps if s.phase == phase]
    with console.app().ledger as ledger:
        ledger.append("step.failed", ids[0], {"note": "x"})
        ledger.append("step.skipped", ids[1], {"note": "y"})
        ledger.append("step.skipped", ids[2], {"note": "z"})
    async with console.run() as ui:
        row = next(r for r in ui.timeline.rows if isinstance(r, PhaseRow) and r.phase == phase)
        assert (row.done, row.skipped, row.failed) == (0, 2, 1)
        line = ui.timeline.render_row(ui.timeline.get_row_index(row.key)).text
        assert f"0 done · 2 skipped · 1 failed of {len(ids)}" in line


async def test_help_lists_the_keys_of_the_focused_pane(console):
    async with console.run() as ui:
        await ui.press("question_mark")
        assert isinstance(ui.app.screen, KeysHelp)
        sections = dict(ui.app.screen.sections)
        assert ("d", "Mark the selected step as done") in sections["In the timeline"]
        await ui.until(lambda: ui.screen.side_ready)
        await ui.press("escape", "2", "question_mark")
        sections = dict(ui.app.screen.sections)
        assert "In this checklist" in sections
        assert not any(key == "d" for keys in sections.values() for key, _ in keys)


async def test_j_and_k_scroll_a_dialog_to_read(console, web_cutover):
    async with console.run(size=(80, 24)) as ui:
        await ui.press("question_mark")  # the keys: longer than 24 lines
        dialog = ui.app.screen
        assert isinstance(dialog, KeysHelp)
        scroller = dialog.query_one("VerticalScroll")
        await ui.until(lambda: scroller.max_scroll_y > 0, "a dialog taller than the screen")
        await ui.press("j", "j", "j")
        await ui.until(lambda: scroller.scroll_y == 3, "three lines down")
        await ui.press("k")
        await ui.until(lambda: scroller.scroll_y == 2, "one line back up")


def test_a_fail_a_skip_or_an_override_without_a_note_is_refused_by_the_shared_layer(open_ledger, web_cutover):
    """Whatever front end asks (the console's prompt, the command line, a script calling ops), a
    reason is owed: nothing is recorded without one, and a blank one is none."""
    ledger = open_ledger(deployment=web_cutover.id)
    for action, note, override in (("fail", None, None), ("skip", "  ", None), ("start", "", ["depends on x"])):
        with pytest.raises(UsageProblem, match="the note is empty"):
            record_step(ledger, web_cutover, ledger.state(), "war-room-open", action, note, override=override)
    assert ledger.events() == []
    assert record_step(ledger, web_cutover, ledger.state(), "war-room-open", "skip", "bridge was open") is not None
