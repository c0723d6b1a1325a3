"""The probe board and the probe history screen under Textual's Pilot, plus their pure helpers.

The board shows `ProbeRow`s; `rows.probe_row` makes one from a probe's status, as the console does.
`hosted` (conftest.py) runs one widget alone under Pilot.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Static

from warroom.probes import ProbeState, ProbeStatus
from warroom.store import SampleRow
from warroom.tui.probe_history import ProbeHistory
from warroom.tui.rows import probe_row
from warroom.widgets.display import PROBE_GLYPH
from warroom.widgets.probe_board import PROBE_WORD, ProbeBoard, fit_columns, sparkline, state_badge, uptime_text

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


def board_with(statuses, **options) -> ProbeBoard:
    board = ProbeBoard(**options)
    board.update_rows(map(probe_row, statuses))
    return board


def line_text(board: ProbeBoard, name: str) -> str:
    return board.render_row(board.get_row_index(name)).text


def colour_of(board: ProbeBoard, name: str, text: str) -> str | None:
    """The foreground colour of `text` on the probe's line as painted on screen (via render_line)."""
    y = board.get_row_index(name) + 1 - board.scroll_offset.y  # line 0 is the column titles
    segment = next(s for s in board.render_line(y) if text in s.text)
    return segment.style.color.get_truecolor().hex if segment.style and segment.style.color else None


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


def test_uptime_text():
    assert uptime_text(None) == "–"
    assert uptime_text(100.0) == "100%"
    assert uptime_text(99.84) == "99.8%"
    assert uptime_text(99.99) == "99.9%"  # never rounds up to a clean 100


async def test_the_board_counts_its_states_for_the_badge(hosted):
    statuses = [status("a"), status("b", ProbeState.DEGRADED), status("c", ProbeState.DOWN),
                status("d", ProbeState.DEGRADED)]
    async with hosted(board_with(statuses), size=(160, 20)) as (board, _):
        assert board.counts[ProbeState.UP] == 1 and board.counts[ProbeState.PENDING] == 0
        assert state_badge(board.counts) == "2▲1✖"
    async with hosted(board_with([status("a")]), size=(160, 20)) as (board, _):
        assert state_badge(board.counts) == ""


def test_a_row_says_what_the_line_shows():
    row = probe_row(status("api", ProbeState.DOWN, latency=312.0, value=""))
    assert (row.name, row.kind, row.state, row.last) == ("api", "http", "DOWN", "312 ms")
    assert row.failing == "connection refused" and row.up_1h == "99.8%" and row.up_24h == "–"
    assert row.latency == sparkline((30.0, None, 312.0))
    assert probe_row(status("web")).failing == ""  # an UP probe has nothing failing


def test_narrow_columns_keep_state_name_and_failing_condition():
    keys, widths = fit_columns(79)
    assert {"state", "name", "why"} <= set(keys)
    assert len(keys) < 8
    wide_keys, wide = fit_columns(159)
    assert len(wide_keys) == 8 and wide["why"] > widths["why"] - 1


# --- the board -------------------------------------------------------------------------------------


async def test_every_state_reads_by_glyph_and_word(hosted):
    statuses = [status(f"probe-{state.value.lower()}", state) for state in ProbeState]
    async with hosted(board_with(statuses), size=(160, 20)) as (board, pilot):
        assert board.render_line(0).text.split()[:2] == ["State", "Probe"]
        for item in statuses:
            text = line_text(board, item.name)
            assert f"{PROBE_GLYPH[item.state.value]} {PROBE_WORD[item.state]}" in text
            assert item.name in text and "99.8%" in text and "–" in text
            if item.state is not ProbeState.UP:
                assert item.failed_condition in text
        assert board.counts[ProbeState.DOWN] == 1 and len(board.counts) == len(ProbeState)


async def test_rows_are_coloured_from_the_theme_and_follow_a_new_one(hosted):
    async with hosted(board_with([status("db", ProbeState.DOWN), status("web")]), size=(160, 20)) as (board, pilot):
        success, error = (pilot.app.get_css_variables()[name].lower() for name in ("success", "error"))
        assert colour_of(board, "db", "✖ DOWN") == error
        assert colour_of(board, "db", "db") == error  # a DOWN row is red throughout
        assert colour_of(board, "web", "● up") == success
        assert colour_of(board, "web", "web") != success  # an UP row stays quiet beyond its glyph and word
        pilot.app.theme = "nord"
        await pilot.pause()
        nord_error = pilot.app.get_css_variables()["error"].lower()
        assert nord_error != error
        assert colour_of(board, "db", "✖ DOWN") == nord_error
        assert colour_of(board, "db", "db") == nord_error


async def test_updating_one_probe_repaints_only_its_row(hosted):
    statuses = [status(f"p{n:02d}") for n in range(30)]
    async with hosted(board_with(statuses), size=(160, 40)) as (board, pilot):
        before = board.rows
        painted = record_paints(board)
        changed = replace(statuses[7], state=ProbeState.DOWN, failed_condition="connection refused",
                          history=statuses[7].history + (900.0,))
        board.update_rows(map(probe_row, [*statuses[:7], changed, *statuses[8:]]))  # one batch, one change
        await pilot.pause()
        assert set(painted) == {8}  # row 7 under the header line
        assert [row.name for row, old in zip(board.rows, before, strict=True) if row != old] == ["p07"]
        assert "✖ DOWN" in line_text(board, "p07") and "connection refused" in line_text(board, "p07")
        assert board.counts[ProbeState.DOWN] == 1 and board.counts[ProbeState.UP] == 29


async def test_new_probes_are_appended_in_order_of_arrival(hosted):
    async with hosted(board_with([status("zulu"), status("alpha")]), size=(160, 20)) as (board, pilot):
        board.update_rows(map(probe_row, [status("mike"), status("alpha", ProbeState.DOWN)]))
        await pilot.pause()
        assert board.names == ("zulu", "alpha", "mike")
        assert "mike" in board.render_line(3).text
        assert board.virtual_size.height == 4


async def test_a_thousand_probes_load_and_navigate(hosted):
    statuses = [status(f"probe-{n:04d}", ProbeState.DOWN if n % 97 == 0 else ProbeState.UP) for n in range(1000)]
    async with hosted(board_with(statuses), size=(160, 50)) as (board, pilot):
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


async def test_enter_posts_probe_selected_from_the_board(hosted):
    async with hosted(board_with([status("api"), status("db", ProbeState.DOWN)])) as (board, pilot):
        await pilot.press("down", "enter")
        await pilot.pause()
        [message] = [m for m in pilot.app.messages if isinstance(m, ProbeBoard.ProbeSelected)]
        assert message.name == "db" and message.control is board


class TwoBoards(App):
    """Handlers pick a board by its id: `@on(ProbeBoard.ProbeSelected, "#edge")`."""

    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield board_with([status("cdn")], id="edge").set_styles("height: 5;")
        yield board_with([status("db")], id="core").set_styles("height: 5;")

    @on(ProbeBoard.ProbeSelected, "#edge")
    def edge_probe(self, message: ProbeBoard.ProbeSelected) -> None:
        self.chosen.append(("edge", message.name))

    @on(ProbeBoard.ProbeSelected, "#core")
    def core_probe(self, message: ProbeBoard.ProbeSelected) -> None:
        self.chosen.append(("core", message.name))


async def test_messages_carry_their_board_for_selectors():
    app = TwoBoards()
    async with app.run_test(size=(120, 12)) as pilot:
        app.query_one("#core").focus()
        await pilot.press("enter")
        app.query_one("#edge").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen == [("core", "db"), ("edge", "cdn")]


async def test_narrow_board_keeps_state_name_and_failing_condition(hosted):
    probe = status("checkout-api", ProbeState.DOWN, failed_condition="[STATUS] == 200 (got 503)")
    async with hosted(board_with([probe]), size=(80, 20)) as (board, pilot):
        text = line_text(board, "checkout-api")
        assert "✖ DOWN" in text and "checkout-api" in text and "[STATUS] == 200 (got 503)" in text
        assert len(board.render_line(1).text) <= 80


# --- the history screen ----------------------------------------------------------------------------


async def test_probe_history_opens_shows_failing_condition_and_closes(hosted):
    probe = status("payments", ProbeState.DOWN, history=(40.0, 50.0, None, 900.0))
    samples = [
        SampleRow("payments", AT, "UP", True, 40.0, "200 OK", None),
        SampleRow("payments", AT + timedelta(minutes=2), "DOWN", False, None, "", "connection refused"),
        SampleRow("payments", AT + timedelta(minutes=1), "PENDING", False, 900.0, "503", "[STATUS] == 200"),
    ]
    async with hosted(board_with([probe]), size=(120, 40)) as (board, pilot):
        app = pilot.app
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
