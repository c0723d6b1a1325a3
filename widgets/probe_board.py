"""The probe board: one row per probe with its state, latency sparkline, uptime and why it fails.

Rows keep the order in which probes first arrive (the runbook's order), so a probe never moves
under the operator's eyes while they read. `update_statuses()` rebuilds only the rows whose shown
inputs changed and repaints only those lines that are on screen; like the timeline, only visible
lines are ever rendered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message

from warroom.probes import ProbeStatus, ProbeState
from warroom.widgets.display import PROBE_COLOUR, PROBE_GLYPH, theme_colour
from warroom.widgets.line_table import LineTable

# ProbeState reads by glyph AND word; colour only reinforces it. Glyphs and colours are shared with
# the timeline's checks column (widgets/display.py, keyed by ProbeState value); the words live here.
PROBE_WORD = {
    ProbeState.UP: "up",
    ProbeState.DEGRADED: "degraded",
    ProbeState.PENDING: "pending",
    ProbeState.DOWN: "DOWN",
    ProbeState.UNKNOWN: "unknown",
}
# For these states the whole row takes the state's colour, not just the glyph and word.
ROW_COLOURED = {ProbeState.DEGRADED, ProbeState.DOWN, ProbeState.UNKNOWN}
BADGE_ORDER = (ProbeState.DEGRADED, ProbeState.PENDING, ProbeState.DOWN, ProbeState.UNKNOWN)  # UP is the quiet case

SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 20
NAME_MIN, NAME_MAX = 16, 32
WHY_MIN = 24
CELL_PADDING = 2  # one space either side of each cell


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    priority: int  # lower survives longer when the board is narrow; 0 always stays
    right: bool = False  # numbers line up on the right


# Left-to-right order; see fit_columns() for how the name and failing condition share the rest.
COLUMNS = (
    Column("state", "State", 10, 0),
    Column("name", "Probe", NAME_MIN, 0),
    Column("kind", "Kind", 7, 4),
    Column("spark", "Latency", SPARK_WIDTH, 2),
    Column("last", "Last", 14, 1),
    Column("up_1h", "Up 1h", 6, 5, right=True),
    Column("up_24h", "Up 24h", 6, 3, right=True),
    Column("why", "Failing", WHY_MIN, 0),
)
RIGHT_ALIGNED = {c.key for c in COLUMNS if c.right}


WHY_MIN = 8


def fit_columns(available: int, longest_name: int = NAME_MAX) -> tuple[list[str], dict[str, int]]:
    """The column keys that fit in `available` cells, by priority, and every column's width.

    The name grows to fit the longest name (up to NAME_MAX); the failing condition takes the rest,
    because on a bad day it is the column people read.
    """
    used = sum(c.width + CELL_PADDING for c in COLUMNS if c.priority == 0)
    chosen = {c.key for c in COLUMNS if c.priority == 0}
    for column in sorted((c for c in COLUMNS if c.priority), key=lambda c: c.priority):
        if used + column.width + CELL_PADDING <= available:
            chosen.add(column.key)
            used += column.width + CELL_PADDING
    spare = max(available - used, 0)
    name_extra = min(spare, min(max(longest_name, NAME_MIN), NAME_MAX) - NAME_MIN)
    widths = {c.key: c.width for c in COLUMNS}
    widths["name"] += name_extra
    widths["why"] += spare - name_extra
    # Narrower than even the essential columns: the failing condition gives way (it ends in an
    # ellipsis and the history shows it whole) rather than the board scrolling sideways.
    shortfall = max(used - available, 0)
    widths["why"] = max(widths["why"] - shortfall, WHY_MIN)
    return [c.key for c in COLUMNS if c.key in chosen], widths


# --- pure text helpers ---------------------------------------------------------------------------


def sparkline(values: Sequence[float | None], width: int = SPARK_WIDTH) -> str:
    """The last `width` values as bars, newest on the right, a blank for a missing value.

    Bars scale from zero to the largest value, so jitter around a steady latency stays small
    instead of filling the whole height.
    """
    recent = list(values)[-width:] if width > 0 else []
    top = max((v for v in recent if v is not None), default=0)
    bars = []
    for value in recent:
        if value is None:
            bars.append(" ")
        elif top <= 0:
            bars.append(SPARK_BARS[0])
        else:
            level = round(max(value, 0) / top * (len(SPARK_BARS) - 1))
            bars.append(SPARK_BARS[level])
    return "".join(bars).rjust(width)


def uptime_text(percent: float | None) -> str:
    if percent is None:
        return "–"
    return "100%" if percent >= 100 else f"{min(percent, 99.9):.1f}%"  # 99.97 must not read 100


def latency_text(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def state_text(state: ProbeState) -> str:
    return f"{PROBE_GLYPH[state.value]} {PROBE_WORD[state]}"


def count_states(statuses: Iterable[ProbeStatus]) -> dict[ProbeState, int]:
    counts = Counter(status.state for status in statuses)
    return {state: counts.get(state, 0) for state in ProbeState}


def state_badge(counts: dict[ProbeState, int]) -> str:
    """What is not UP, for a tab label: '5▲1✖' (5 degraded, 1 down); '' when all is well."""
    return "".join(f"{counts[state]}{PROBE_GLYPH[state.value]}" for state in BADGE_ORDER if counts.get(state))


def _cell(plain: str, style: str = "") -> Text:
    text = Text(plain)
    if style and plain:
        text.stylize(style)  # a span, not the base style, so Text equality sees colour changes
    return text


def row_cells(status: ProbeStatus, colours: dict[str, str]) -> dict[str, Text]:
    """Every column's text for one probe; `colours` are the running theme's CSS variables."""
    colour = theme_colour(colours, PROBE_COLOUR[status.state.value])
    row = colour if status.state in ROW_COLOURED else ""
    failing = status.failed_condition if status.state is not ProbeState.UP else None
    return {
        "state": _cell(state_text(status.state), f"bold {colour}" if status.state is ProbeState.DOWN else colour),
        "name": _cell(status.name, row),
        "kind": _cell(status.kind, row),
        "spark": _cell(sparkline(status.history), row),
        "last": _cell(status.value or latency_text(status.response_time_ms), row),
        "up_1h": _cell(uptime_text(status.uptime_1h), row),
        "up_24h": _cell(uptime_text(status.uptime_24h), row),
        "why": _cell(failing or "", row),
    }


def _shown_inputs(status: ProbeStatus) -> tuple:
    """Everything a row shows; when equal, the row's cells need not be rebuilt."""
    return (status.kind, status.state, status.value, status.response_time_ms, status.failed_condition,
            status.history[-SPARK_WIDTH:], status.uptime_1h, status.uptime_24h)


# --- the widget ----------------------------------------------------------------------------------


class ProbeBoard(LineTable):
    """One row per probe under a fixed header row; the least important columns go first when narrow."""

    RIGHT_ALIGNED = frozenset(RIGHT_ALIGNED)
    BINDINGS = [
        Binding("enter", "select", "History", id="board.detail", tooltip="The selected probe's history"),
        Binding("down,j", "cursor_down", "Down", show=False, id="board.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="board.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="board.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="board.page_up"),
        Binding("home", "jump(-1)", "First", show=False, id="board.first"),
        Binding("end", "jump(1)", "Last", show=False, id="board.last"),
    ]


    class ProbeSelected(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._names: list[str] = []  # row order: first appearance
        self._rows: dict[str, int] = {}  # name -> row index
        self._statuses: dict[str, ProbeStatus] = {}
        self._inputs: dict[str, tuple] = {}  # what each row was last built from
        self._cells: dict[str, dict[str, Text]] = {}  # every column, shown or not
        self._counts: Counter[ProbeState] = Counter()
        self._longest_name = 0

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._recolour, init=False)

    # --- what is shown and selected ------------------------------------------------------------

    @property
    def selected_probe(self) -> str | None:
        return self._names[self.cursor] if self._names else None

    def select_probe(self, name: str) -> None:
        if name in self._rows:
            self.cursor = self._rows[name]

    def status(self, name: str) -> ProbeStatus | None:
        return self._statuses.get(name)

    @property
    def counts(self) -> dict[ProbeState, int]:
        """How many probes are in each state, every state present (zero included)."""
        return {state: self._counts.get(state, 0) for state in ProbeState}

    # --- data ----------------------------------------------------------------------------------

    def update_statuses(self, statuses: Iterable[ProbeStatus]) -> None:
        """Take the latest statuses (keyed by name; new names are appended) in one pass and repaint
        only the on-screen lines whose cells changed."""
        colours = self.app.get_css_variables()  # once per batch, not per row
        first_new = len(self._names)
        changed: set[int] = set()
        for status in statuses:
            name = status.name
            old = self._statuses.get(name)
            self._statuses[name] = status
            if old is None:
                self._rows[name] = len(self._names)
                self._names.append(name)
            else:
                self._counts[old.state] -= 1
            self._counts[status.state] += 1
            inputs = _shown_inputs(status)
            if self._inputs.get(name) == inputs:
                continue
            self._inputs[name] = inputs
            cells = row_cells(status, colours)
            if cells != self._cells.get(name):
                self._cells[name] = cells
                changed.add(self._rows[name])
        if len(self._names) > first_new:
            self._longest_name = max(self._longest_name, *(len(n) for n in self._names[first_new:]))
            if self._fit():  # a longer name moved the columns: every line changed
                return
            self._resize_virtual()
        self._repaint_rows(changed)

    def _recolour(self) -> None:
        """A new theme: every row's colours come from it."""
        colours = self.app.get_css_variables()
        for name, status in self._statuses.items():
            self._cells[name] = row_cells(status, colours)
        self.refresh()

    # --- layout and painting -------------------------------------------------------------------

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> bool:
        """Lay the columns out for the current width; True when that changed (and was repainted)."""
        keys, widths = fit_columns(self.size.width - 1, self._longest_name)  # -1: the scrollbar
        if (keys, widths) == (self._column_keys, self._widths):
            return False
        self._column_keys, self._widths = keys, widths
        self._resize_virtual()
        self.refresh()
        return True

    def _resize_virtual(self) -> None:
        width = sum(self._widths[key] + CELL_PADDING for key in self._column_keys)
        self.virtual_size = Size(width, len(self._names) + 1)  # +1: the header line

    def _repaint_rows(self, rows: Iterable[int]) -> None:
        top = self.scroll_offset.y
        bottom = top + max(self.size.height - 1, 0)
        for row in rows:
            if top <= row < bottom:  # off-screen rows are painted when scrolled to
                self.refresh_line(row + 1)

    def _header_cells(self) -> dict[str, Text]:
        return {c.key: Text(c.label) for c in COLUMNS}

    def _row_count(self) -> int:
        return len(self._names)

    def _row_cells(self, index: int) -> dict[str, Text]:
        return self._cells[self._names[index]]

    # --- moving --------------------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        if self._names:
            self.cursor = min(max(index, 0), len(self._names) - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(self.size.height - 2, 1))

    def action_jump(self, direction: int) -> None:
        self._move_to(0 if direction < 0 else len(self._names) - 1)

    def action_select(self) -> None:
        if self.selected_probe is not None:
            self.post_message(self.ProbeSelected(self.selected_probe))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._names):
            if index == self.cursor and event.chain == 2:
                self.action_select()
            self.cursor = index
