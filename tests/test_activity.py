"""The activity log tells the truth: what matters first on a cut line, every entry whole on Enter,
filters by kind and by operator that say what they hide, and a flapping probe folded into one line.

The folding and the wording are pure (tui/activity_fold.py, ops/describe.py) and tested without the
screen; the log itself under Pilot, alone (`hosted`) and in the console (`console`).
"""

from __future__ import annotations

from datetime import timedelta

from support import DEPLOYMENT_ZONE

from warroom.ops.actions import add_note, record_step
from warroom.ops.describe import describe
from warroom.store import Ledger
from warroom.tui import rows
from warroom.tui.activity_entry import ActivityEntry
from warroom.tui.activity_fold import fold_repeats
from warroom.tui.main_screen import MainScreen
from warroom.vocabulary import EventKind
from warroom.widgets.activity import ActivityLog, ActivityRow, wrap_spans


def change(ledger: Ledger, probe: str, before: str, after: str, why: str | None = None):
    body = {"from": before, "to": after, "vantage": ledger.node, "failed_condition": why}
    return ledger.append(EventKind.PROBE_CHANGED, probe, body)


def flap(ledger: Ledger, clock, probe: str, times: int, every: timedelta = timedelta(seconds=40)) -> list:
    """`times` changes of `probe` between UP and DEGRADED, `every` apart; the events, oldest first."""
    made = []
    for n in range(times):
        clock.advance(every)
        made.append(change(ledger, probe, "UP", "DEGRADED", "cpu 93% > 90") if n % 2 == 0
                    else change(ledger, probe, "DEGRADED", "UP"))
    return made


# --- the words ------------------------------------------------------------------------------------


def test_a_probe_change_says_its_new_state_first(ledger, web_cutover):
    went_down = change(ledger, "api", "PENDING", "DOWN", "status 503")
    came_back = change(ledger, "api", "DOWN", "UP")
    assert describe(went_down, web_cutover) == "probe api DOWN (was PENDING): status 503"
    assert describe(came_back, web_cutover) == "probe api UP (was DOWN)"


# --- folding (pure) -------------------------------------------------------------------------------


def test_a_flapping_probe_folds_into_one_entry_where_its_newest_change_is(ledger, clock, web_cutover):
    clock.at("10:00")
    before = ledger.append(EventKind.STEP_STARTED, "backup")
    made = flap(ledger, clock, "host-cpu", 8)
    step = ledger.append(EventKind.STEP_DONE, "backup")  # between the changes: it does not break the run
    made += flap(ledger, clock, "host-cpu", 6)
    newest_first = ledger.events(newest_first=True)

    entries = fold_repeats(newest_first)
    assert [len(entry) for entry in entries] == [14, 1, 1]  # the fold, the step done, the step started
    assert entries[0] == tuple(reversed(made)) and entries[1] == (step,) and entries[2] == (before,)

    log = rows.activity_rows(newest_first, web_cutover, DEPLOYMENT_ZONE)
    assert log[0].text == "probe host-cpu UP ⇄ DEGRADED ×14 · 10:00–10:09"  # the newest state first
    assert log[0].kind == "probe" and log[0].events == tuple(e.id for e in reversed(made))
    assert log[0].at == "10:09" and log[0].key == made[-1].id
    assert log[1].text.startswith("done backup")


def test_what_is_not_a_close_run_of_one_probe_stays_apart(open_ledger, clock):
    ana = open_ledger("ana")
    clock.at("10:00")
    two = flap(ana, clock, "api", 2)  # down and up again: two lines read better than a fold
    clock.advance(timedelta(minutes=30))
    far = flap(ana, clock, "web", 3, every=timedelta(minutes=11))  # further apart than the gap
    clock.advance(timedelta(minutes=30))
    broken = flap(ana, clock, "db", 2) + [ana.append(EventKind.NOTE_ADDED, "db", {"text": "db is fine"})]
    broken += flap(ana, clock, "db", 2)  # a note about the probe between: it is part of the story
    clock.advance(timedelta(minutes=30))
    clock.advance(timedelta(minutes=30))
    story = [change(ana, "lb", "UNKNOWN", "PENDING"), change(ana, "lb", "PENDING", "DOWN"),
             change(ana, "lb", "DOWN", "UP")]  # close together, but no flapping: an outage, line by line
    clock.advance(timedelta(minutes=30))
    peer = open_ledger("probe@n2", node="n2")
    two_machines = [change(ana, "dns", "UP", "DOWN"), change(peer, "dns", "UP", "DOWN"),
                    change(ana, "dns", "DOWN", "UP")]  # each machine's view is its own story

    entries = fold_repeats(ana.events(newest_first=True))
    assert all(len(entry) == 1 for entry in entries)
    assert len(entries) == len(two + far + broken + story + two_machines)


def test_folding_follows_the_gap_and_the_threshold_it_is_given(ledger, clock):
    flap(ledger, clock, "api", 4, every=timedelta(minutes=3))
    events = ledger.events(newest_first=True)
    assert [len(e) for e in fold_repeats(events)] == [4]
    assert [len(e) for e in fold_repeats(events, gap=timedelta(minutes=2))] == [1, 1, 1, 1]
    assert [len(e) for e in fold_repeats(events, least=5)] == [1, 1, 1, 1]


# --- the log alone --------------------------------------------------------------------------------

ROWS = (
    ActivityRow("e5", "10:05", "probe@n1", "probe api DOWN (was PENDING): status 503 from /health", "probe"),
    ActivityRow("e4", "10:04", "ana", "note: the bridge is open", "note"),
    ActivityRow("e3", "10:03", "lee", "done backup · Pre-deployment database backup", "step"),
    ActivityRow("e2", "10:02", "ana", "ticked Pre-deployment: Rollback plan ready", "check"),
    ActivityRow("e1", "10:01", "ana", "started backup · Pre-deployment database backup", "step"),
)


async def test_filters_change_what_is_listed_and_say_so(hosted):
    async with hosted(ActivityLog(), size=(100, 12)) as (log, pilot):
        log.show(ROWS)
        await pilot.pause()
        assert [row.key for row in log.entries] == ["e5", "e4", "e3", "e2", "e1"]

        await pilot.press("e")
        assert [row.key for row in log.entries] == ["e3", "e1"]
        assert log.lines[0] == "steps only · 0 shows all"
        await pilot.press("e")
        assert [row.key for row in log.entries] == ["e2"]
        await pilot.press("e", "e")
        assert [row.key for row in log.entries] == ["e5"]
        await pilot.press("e", "e", "e")  # decisions, incidents, status updates: none here
        assert log.entries == () and log.lines[0].startswith("status updates only")
        await pilot.press("e")  # after the last kind, everything again
        assert len(log.entries) == 5 and not log.lines[0].startswith("probe changes only")

        await pilot.press("o")  # operators in alphabetical order: ana first
        assert [row.key for row in log.entries] == ["e4", "e2", "e1"]
        await pilot.press("e")
        assert [row.key for row in log.entries] == ["e1"]
        assert log.lines[0] == "steps only · by ana · 0 shows all"
        await pilot.press("o")  # lee: no steps of his... but one, the backup
        assert [row.key for row in log.entries] == ["e3"]
        await pilot.press("e")  # checks by lee: none, and the log says so
        assert log.entries == ()
        assert log.lines[1:] == ["no checks by lee among the 5 latest entries · 0 shows all"]

        await pilot.press("0")
        assert len(log.entries) == 5 and (log.kind_filter, log.operator_filter) == (None, None)
        assert log.lines[0].startswith("10:05")
        await pilot.press("o", "o", "o")  # ana, lee, probe@n1: a machine is an operator like any other
        assert [row.key for row in log.entries] == ["e5"]
        await pilot.press("escape")
        assert len(log.entries) == 5


async def test_a_probe_line_at_40_columns_still_says_the_new_state(hosted):
    async with hosted(ActivityLog(), size=(40, 12)) as (log, pilot):
        log.show(ROWS)
        await pilot.pause()
        first = log.lines[0]
        assert first.startswith("10:05  probe api DOWN"), first
        entry = " ".join(line.strip() for line in log.lines[:3])
        assert "(was PENDING)" in entry and "probe@n1" in entry  # wrapped, not cut
        assert all(len(line) <= 40 for line in log.lines)


async def test_a_long_entry_takes_three_lines_and_ends_in_an_ellipsis(hosted):
    note = ActivityRow("n", "10:06", "ana", "note: " + "word " * 400, "note")
    async with hosted(ActivityLog(), size=(60, 20)) as (log, pilot):
        log.show((note, *ROWS))
        await pilot.pause()
        assert log.lines[2].endswith("…") and log.lines[3].startswith("10:05")


async def test_the_cursor_moves_enter_selects_and_new_entries_leave_it_where_it_is(hosted):
    async with hosted(ActivityLog(), size=(100, 4)) as (log, pilot):
        log.show(ROWS)
        await pilot.pause()
        log.show((ActivityRow("e6", "10:06", "ana", "note: newer", "note"), *ROWS))
        assert log.highlighted.key == "e6"  # at the top, the log follows the newest entry
        await pilot.press("j", "j", "j", "enter")
        assert log.highlighted.key == "e3"
        assert log.lines[log.scroll_offset.y + 3].startswith("10:03")  # on the screen's last line
        log.show((ActivityRow("e7", "10:07", "ana", "note: later", "note"),
                  ActivityRow("e6", "10:06", "ana", "note: newer", "note"), *ROWS))
        await pilot.pause()
        await pilot.press("enter")
        assert log.highlighted.key == "e3"  # a new entry above moves neither the highlight...
        assert log.lines[log.scroll_offset.y + 3].startswith("10:03")  # ...nor the entry on screen
        await pilot.press("k")
        assert log.highlighted.key == "e4"
        await pilot.press("home")
        assert log.highlighted.key == "e7" and log.scroll_offset.y == 0
        selected = [m.event_ids for m in pilot.app.messages if isinstance(m, ActivityLog.EntrySelected)]
        assert selected == [("e3",), ("e3",)]


def test_wrapping_breaks_at_spaces_cuts_long_words_and_counts_wide_characters_as_two():
    assert wrap_spans("probe api DOWN (was PENDING)", 14) == [(0, 14), (15, 28)]
    text = "a " + "x" * 25
    assert [text[s:e] for s, e in wrap_spans(text, 10)] == ["a", "x" * 10, "x" * 10, "x" * 5]
    wide = "東京東京東京 ok"  # six characters, twelve cells
    assert [wide[s:e] for s, e in wrap_spans(wide, 5)] == ["東京", "東京", "東京", "ok"]
    assert wrap_spans("", 10) == [(0, 0)] and wrap_spans("abc", 0) == [(0, 1), (1, 2), (2, 3)]


# --- the log in the console -----------------------------------------------------------------------


def entry_text(ui) -> str:
    return "\n".join(str(widget.render()) for widget in ui.app.screen.query("Static, Label"))


async def test_enter_opens_an_entry_whole_and_escape_closes_it(console, web_cutover, db_path, clock):
    note = " ".join(f"word{n}" for n in range(300))[:2000]
    assert len(note) == 2000
    clock.at("10:00")
    async with console.run(clock=clock) as ui:
        await ui.press("n", *"short one", "enter")
        await ui.until(lambda: any("short one" in row.text for row in ui.screen.query_one(ActivityLog).rows))
        clock.advance(timedelta(seconds=75))
        with Ledger.open(db_path, web_cutover.id, "lee", run="rehearsal-1", node="lee-laptop", clock=clock) as other:
            add_note(other, "backup", note)
        log = ui.screen.query_one(ActivityLog)
        await ui.until(lambda: log.rows and log.rows[0].operator == "lee", "lee's note in the log")
        await ui.press("6", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, ActivityEntry), "the entry in full")
        await ui.pause()
        text = entry_text(ui)
        assert note in text  # all 2,000 characters
        assert "lee" in text and "lee-laptop" in text and "2026-11-28 10:01:15 UTC+01:00" in text
        assert "Pre-deployment database backup" in text  # the subject, by its name too
        await ui.press("escape")
        await ui.until(lambda: isinstance(ui.app.screen, MainScreen), "the main screen again")


async def test_a_flapping_probe_is_one_line_with_a_count_and_enter_lists_every_change(console, web_cutover,
                                                                                      db_path, clock):
    clock.at("10:00")
    with Ledger.open(db_path, web_cutover.id, "probe@n1", run="rehearsal-1", clock=clock) as probes:
        record_step(probes, web_cutover, probes.state(), "war-room-open", "start", None)
        flap(probes, clock, "host-cpu", 14, every=timedelta(seconds=8))
    async with console.run(clock=clock) as ui:
        log = ui.screen.query_one(ActivityLog)
        await ui.until(lambda: len(log.rows) == 2, "one folded line and the step")
        assert log.rows[0].text.startswith("probe host-cpu UP ⇄ DEGRADED ×14 · 10:00–10:01")
        await ui.press("6", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, ActivityEntry), "the folded changes")
        await ui.pause()
        text = entry_text(ui)
        assert text.count("● UP (was ▲ DEGRADED)") == 7 and text.count("▲ DEGRADED (was ● UP): cpu 93% > 90") == 7
        assert "14 changes" in text


async def test_j_and_k_scroll_an_entry_taller_than_the_screen(console, web_cutover, db_path, clock):
    clock.at("10:00")
    with Ledger.open(db_path, web_cutover.id, "probe@n1", run="rehearsal-1", clock=clock) as probes:
        flap(probes, clock, "host-cpu", 30, every=timedelta(seconds=8))
    async with console.run(size=(80, 24), clock=clock) as ui:
        log = ui.screen.query_one(ActivityLog)
        await ui.until(lambda: len(log.rows) == 1, "the folded line")
        await ui.press("6", "enter")
        await ui.until(lambda: isinstance(ui.app.screen, ActivityEntry), "the folded changes")
        scroller = ui.app.screen.query_one("VerticalScroll")
        await ui.until(lambda: scroller.max_scroll_y > 0, "an entry taller than the screen")
        await ui.press("j", "j")
        await ui.until(lambda: scroller.scroll_y == 2, "two lines down")
        await ui.press("k")
        await ui.until(lambda: scroller.scroll_y == 1, "one line back up")


async def test_our_own_event_joins_the_log_without_cutting_it(console, web_cutover, db_path, clock, monkeypatch):
    """The snapshot holds people's last ACTIVITY_ROWS events and the probe changes among them: an
    event of ours goes on top of all of them, and the next snapshot applies that one rule."""
    monkeypatch.setattr("warroom.tui.app.ACTIVITY_ROWS", 3)
    monkeypatch.setattr("warroom.tui.main_screen.ACTIVITY_ROWS", 3)
    clock.at("10:00")
    with Ledger.open(db_path, web_cutover.id, "lee", run="rehearsal-1", clock=clock) as other:
        for n in range(3):
            clock.advance(timedelta(seconds=10))
            add_note(other, "", f"note {n}")
        flap(other, clock, "host-cpu", 3, every=timedelta(seconds=10))
    async with console.run(clock=clock, follow_ledger=False) as ui:
        screen = ui.screen
        assert screen.snapshot is not None and len(screen.snapshot.recent) == 6
        with Ledger.open(db_path, web_cutover.id, "lee", run="rehearsal-1", clock=clock) as other:
            clock.advance(timedelta(seconds=10))
            ours = add_note(other, "", "ours")
        assert screen._fold_own_event(ours)
        assert [event.id for event in screen.snapshot.recent[:1]] == [ours.id]
        assert len(screen.snapshot.recent) == 7  # none of the six before it dropped


async def test_a_click_on_the_highlighted_entry_opens_it(console):
    async with console.run() as ui:
        await ui.press("n", *"clicked", "enter")
        log = ui.screen.query_one(ActivityLog)
        await ui.until(lambda: any("clicked" in row.text for row in log.entries))
        await ui.pilot.click(ActivityLog, offset=(2, 1))  # the first click focuses the log
        assert log.has_focus and not isinstance(ui.app.screen, ActivityEntry)
        await ui.pilot.click(ActivityLog, offset=(2, 1))
        await ui.until(lambda: isinstance(ui.app.screen, ActivityEntry), "the entry opened by a click")


async def test_the_filter_keys_belong_to_the_log_and_are_in_the_palette(console):
    async with console.run() as ui:
        log = ui.screen.query_one(ActivityLog)
        await ui.press("e")  # the timeline has focus: the log's keys are not its keys
        assert log.kind_filter is None
        commands = {command.title: command for command in ui.app.get_system_commands(ui.app.screen)}
        assert {"Activity: Read (enter)", "Activity: Kind (e)", "Activity: Who (o)"} <= set(commands)
        await commands["Activity: Kind (e)"].callback()
        assert log.kind_filter == "step" and log.lines[0] == "steps only · 0 shows all"


async def test_a_flapping_probe_never_pushes_the_steps_out_of_the_log(console, web_cutover):
    """150 probe changes after a step: the step is still in the log's events, beside the latest changes."""
    with console.app().ledger as ledger:
        ledger.append("step.done", web_cutover.steps[0].id)
        states = ("UP", "DOWN")
        ledger.append_observed([("probe.changed", "web", {"from": states[i % 2], "to": states[(i + 1) % 2],
                                                          "failed_condition": None, "vantage": ledger.node})
                                for i in range(150)])
    async with console.run() as ui:
        recent = ui.screen.snapshot.recent
        assert any(e.kind == "step.done" for e in recent)
        assert sum(e.kind == "probe.changed" for e in recent) == 100  # the latest of them
        assert recent == sorted(recent, key=lambda e: e.order_key, reverse=True)
