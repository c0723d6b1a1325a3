"""The probe board and the probe history screen under Textual's Pilot, plus their pure helpers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult
from textual.widgets import Static

from warroom.probes import ProbeStatus, ProbeState
from warroom.store import SampleRow
from warroom.tui.probe_history import ProbeHistory
from warroom.widgets.display import PROBE_GLYPH, theme_colour
from warroom.widgets.probe_board import (
    PROBE_WORD,
    ProbeBoard,
    count_states,
    fit_columns,
    sparkline,
    state_badge,
    uptime_text,
)

ZONE = timezone(timedelta(hours=1))
AT = datetime(2026, 11, 28, 9, 0, tzinfo=ZONE)
FAILING = {
    ProbeState.UP: None,
    ProbeState.DEGRADED: "[RESPONSE_TIME] < 300 (got 412)",
    ProbeState.PENDING: "[STATUS] == 200 (got 503)",
    ProbeState.DOWN: "connection refused",
    ProbeState.UNKNOWN: "this machine is offline",
}


def status(name: str, state: ProbeState = ProbeState.UP, latency: float = 40.0, **changes) -> ProbeStatus:
    fields = dict(
        name=name, kind="http", state=state, value="200 OK", response_time_ms=latency,
        failed_condition=FAILING[state], checked_at=AT, history=(30.0, None, latency),
        uptime_1h=99.8, uptime_24h=None,
    )
    return ProbeStatus(**(fields | changes))


class BoardApp(App):
    def __init__(self, statuses=()) -> None:
        super().__init__()
        self.initial = list(statuses)
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield ProbeBoard()

    def on_mount(self) -> None:
        board = self.query_one(ProbeBoard)
        board.update_statuses(self.initial)
        board.focus()

    def on_probe_board_probe_selected(self, message: ProbeBoard.ProbeSelected) -> None:
        self.selected.append(message.name)


def line_text(board: ProbeBoard, name: str) -> str:
    return board.render_line(board._rows[name] + 1 - board.scroll_offset.y).text


def record_paints(board: ProbeBoard) -> list[int]:
    painted: list[int] = []
    original = board.render_line
    board.render_line = lambda y: painted.append(y) or original(y)
    return painted


# --- pure helpers ----------------------------------------------------------------------------------


def test_sparkline_scales_from_zero_and_leaves_gaps_blank():
    assert sparkline([0, 50, 100, None], 4) == "▁▅█ "
    assert sparkline([5], 3) == "  █"  # newest on the right
    assert sparkline([], 3) == "   "
    assert sparkline([None, None], 2) == "  "
    assert sparkline([0, 0], 2) == "▁▁"
    assert sparkline(list(range(100)), 20) == sparkline(list(range(80, 100)), 20)  # only the last 20
    assert len(sparkline([1.0] * 60)) == 20


def test_uptime_badge_and_counts():
    assert uptime_text(None) == "–"
    assert uptime_text(100.0) == "100%"
    assert uptime_text(99.84) == "99.8%"
    assert uptime_text(99.99) == "99.9%"  # never rounds up to a clean 100
    counts = count_states([status("a"), status("b", ProbeState.DEGRADED), status("c", ProbeState.DOWN),
                           status("d", ProbeState.DEGRADED)])
    assert counts[ProbeState.UP] == 1 and counts[ProbeState.PENDING] == 0
    assert state_badge(counts) == "2▲1✖"
    assert state_badge(count_states([status("a")])) == ""


def test_narrow_columns_keep_state_name_and_failing_condition():
    keys, widths = fit_columns(79)
    assert {"state", "name", "why"} <= set(keys)
    assert len(keys) < 8
    wide_keys, wide = fit_columns(159)
    assert len(wide_keys) == 8 and wide["why"] > widths["why"] - 1


# --- the board -------------------------------------------------------------------------------------


async def test_every_state_reads_by_glyph_and_word():
    statuses = [status(f"probe-{state.value.lower()}", state) for state in ProbeState]
    app = BoardApp(statuses)
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.pause()
        board = app.query_one(ProbeBoard)
        assert board.render_line(0).text.split()[:2] == ["State", "Probe"]
        for item in statuses:
            text = line_text(board, item.name)
            assert f"{PROBE_GLYPH[item.state.value]} {PROBE_WORD[item.state]}" in text
            assert item.name in text and "99.8%" in text and "–" in text
            if item.state is not ProbeState.UP:
                assert item.failed_condition in text
        assert board.counts[ProbeState.DOWN] == 1 and len(board.counts) == len(ProbeState)


async def test_rows_are_coloured_from_the_theme():
    app = BoardApp([status("down", ProbeState.DOWN), status("up")])
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.pause()
        board = app.query_one(ProbeBoard)
        error = theme_colour(app.get_css_variables(), "error")
        assert error in str(board._cells["down"]["name"].spans[0].style)
        assert not board._cells["up"]["name"].spans  # an UP row stays quiet beyond its glyph
        app.theme = "nord"
        await pilot.pause()
        light_error = theme_colour(app.get_css_variables(), "error")
        assert light_error != error
        assert light_error in str(board._cells["down"]["name"].spans[0].style)


async def test_updating_one_probe_repaints_only_its_row():
    statuses = [status(f"p{n:02d}") for n in range(30)]
    app = BoardApp(statuses)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        board = app.query_one(ProbeBoard)
        before = {name: dict(cells) for name, cells in board._cells.items()}
        painted = record_paints(board)
        changed = replace(statuses[7], state=ProbeState.DOWN, failed_condition="connection refused",
                          history=statuses[7].history + (900.0,))
        board.update_statuses([*statuses[:7], changed, *statuses[8:]])  # one batch, one change
        await pilot.pause()
        assert set(painted) == {8}  # row 7 under the header line
        assert [n for n, cells in board._cells.items() if cells != before[n]] == ["p07"]
        assert "✖ DOWN" in line_text(board, "p07") and "connection refused" in line_text(board, "p07")
        assert board.counts[ProbeState.DOWN] == 1 and board.counts[ProbeState.UP] == 29


async def test_new_probes_are_appended_in_order_of_arrival():
    app = BoardApp([status("zulu"), status("alpha")])
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.pause()
        board = app.query_one(ProbeBoard)
        board.update_statuses([status("mike"), status("alpha", ProbeState.DOWN)])
        await pilot.pause()
        assert board._names == ["zulu", "alpha", "mike"]
        assert "mike" in board.render_line(3).text
        assert board.virtual_size.height == 4


async def test_a_thousand_probes_load_and_navigate():
    statuses = [status(f"probe-{n:04d}", ProbeState.DOWN if n % 97 == 0 else ProbeState.UP) for n in range(1000)]
    app = BoardApp(statuses)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        board = app.query_one(ProbeBoard)
        assert board.selected_probe == "probe-0000"
        await pilot.press("down", "j")
        assert board.selected_probe == "probe-0002"
        await pilot.press("k")
        assert board.selected_probe == "probe-0001"
        await pilot.press("pagedown")
        assert board.cursor > 40
        await pilot.press("end")
        assert board.selected_probe == "probe-0999"
        await pilot.pause()
        assert "probe-0999" in board.render_line(board.size.height - 1).text  # scrolled into view
        await pilot.press("pageup")
        assert board.cursor < 999
        await pilot.press("home")
        assert board.selected_probe == "probe-0000"
        assert board.counts[ProbeState.DOWN] == 11


async def test_enter_posts_probe_selected():
    app = BoardApp([status("api"), status("db", ProbeState.DOWN)])
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.selected == ["db"]


async def test_narrow_board_keeps_state_name_and_failing_condition():
    app = BoardApp([status("checkout-api", ProbeState.DOWN, failed_condition="[STATUS] == 200 (got 503)")])
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        board = app.query_one(ProbeBoard)
        text = line_text(board, "checkout-api")
        assert "✖ DOWN" in text and "checkout-api" in text and "[STATUS] == 200 (got 503)" in text
        assert len(board.render_line(1).text) <= 80


# --- the history screen ----------------------------------------------------------------------------


async def test_probe_history_opens_shows_failing_condition_and_closes():
    probe = status("payments", ProbeState.DOWN, history=(40.0, 50.0, None, 900.0))
    samples = [
        SampleRow("payments", AT, "UP", True, 40.0, "200 OK", None),
        SampleRow("payments", AT + timedelta(minutes=2), "DOWN", False, None, "", "connection refused"),
        SampleRow("payments", AT + timedelta(minutes=1), "PENDING", False, 900.0, "503", "[STATUS] == 200"),
    ]
    app = BoardApp([probe])
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(ProbeHistory(probe, samples, ZONE))
        await pilot.pause()
        assert isinstance(app.screen, ProbeHistory)
        shown = "\n".join(str(widget.render()) for widget in app.screen.query(Static))
        assert "connection refused" in shown and "✖ DOWN" in shown
        lines = [line for line in shown.splitlines() if line.startswith("09:0")]
        assert [line[:8] for line in lines] == ["09:02:00", "09:01:00", "09:00:00"]  # newest first
        await pilot.press("escape")
        assert not isinstance(app.screen, ProbeHistory)
        app.push_screen(ProbeHistory(probe, [], ZONE))
        await pilot.pause()
        await pilot.press("q")
        assert not isinstance(app.screen, ProbeHistory)


def test_a_narrow_board_never_scrolls_sideways():
    """In a narrow pane the failing condition gives way, so the row fits the pane."""
    from warroom.widgets.probe_board import CELL_PADDING

    for available in (40, 47, 60, 80, 120):
        keys, widths = fit_columns(available, longest_name=8)
        assert sum(widths[k] + CELL_PADDING for k in keys) <= available
        assert {"state", "name", "why"} <= set(keys)
