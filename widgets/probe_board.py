"""The probe board: one row per probe with its state, latency sparkline, uptime and why it fails.

It shows plain row values (`ProbeRow`, built by tui/rows.py from the probe thread's statuses).
Rows keep the order in which probes first arrive (the runbook's order), so a probe never moves
under the operator's eyes while they read. `update_rows()` repaints only the on-screen lines whose
row changed; like the timeline, only visible lines are ever rendered, and colours are component
classes of the theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from warroom.widgets.display import PROBE_GLYPH, PROBE_STATES, probe_state_css
from warroom.widgets.line_table import CELL_PADDING, LineTable, Palette

# Probe states (probes.ProbeState values) read by glyph AND word; colour only reinforces it. Glyphs
# are shared with the timeline's checks column (widgets/display.py); the words live here.
PROBE_WORD = {"UP": "up", "DEGRADED": "degraded", "PENDING": "pending", "DOWN": "DOWN", "UNKNOWN": "unknown"}
# For these states the whole row takes the state's colour, not just the glyph and word.
ROW_COLOURED = {"DEGRADED", "DOWN", "UNKNOWN"}
BADGE_ORDER = ("DEGRADED", "PENDING", "DOWN", "UNKNOWN")  # UP is the quiet case

SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 20
NAME_MIN, NAME_MAX = 16, 32


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
    Column("elsewhere", "Elsewhere", 20, 1),
    Column("why", "Failing", 24, 0),
)
RIGHT_ALIGNED = {c.key for c in COLUMNS if c.right}
WHY_MIN = 8  # the failing condition's narrowest, once the board is narrower than its columns


def fit_columns(available: int, longest_name: int = NAME_MAX,
                elsewhere: bool = False) -> tuple[list[str], dict[str, int]]:
    """The column keys that fit in `available` cells, by priority, and every column's width.

    The name grows to fit the longest name (up to NAME_MAX); the failing condition takes the rest,
    because on a bad day it is the column people read. The Elsewhere column (other machines'
    view) is there only when some probe is seen from elsewhere, and only if it fits.
    """
    used = sum(c.width + CELL_PADDING for c in COLUMNS if c.priority == 0)
    chosen = {c.key for c in COLUMNS if c.priority == 0}
    optional = (c for c in COLUMNS if c.priority and (elsewhere or c.key != "elsewhere"))
    for column in sorted(optional, key=lambda c: c.priority):
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


def state_text(state: str) -> str:
    """'✖ DOWN': a probe state (a probes.ProbeState or its value) by glyph and word."""
    return f"{PROBE_GLYPH[state]} {PROBE_WORD[state]}"


def state_badge(counts: dict[str, int]) -> str:
    """What is not UP, for a tab label: '5▲1✖' (5 degraded, 1 down); '' when all is well."""
    return "".join(f"{counts[state]}{PROBE_GLYPH[state]}" for state in BADGE_ORDER if counts.get(state))


# --- the rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeRow:
    """One probe's line, as shown."""

    name: str  # the probe's name, as the runbook gives it: the row's key
    label: str  # the name as shown (control characters made visible)
    kind: str
    state: str  # UP | DEGRADED | PENDING | DOWN | UNKNOWN
    latency: str  # the sparkline of the last checks
    last: str  # the last value, else the last latency
    up_1h: str
    up_24h: str
    failing: str  # why it is not UP; "" when it is
    elsewhere: str = ""  # other machines' view of it: "DOWN from bob, UP from carl"


# Probe state -> the component class that colours it.
STATE_CLASS = {state: f"probe-board--{state.lower()}" for state in PROBE_STATES}


def row_cells(row: ProbeRow, palette: Palette) -> dict[str, Text]:
    """Every column's text for one probe; `palette` maps the board's component classes to styles."""
    colour = palette[STATE_CLASS[row.state]]
    state_style = colour + palette["probe-board--alarm"] if row.state == "DOWN" else colour
    row_style = colour if row.state in ROW_COLOURED else ""
    return {
        "state": Text(state_text(row.state), style=state_style),
        "name": Text(row.label, style=row_style),
        "kind": Text(row.kind, style=row_style),
        "spark": Text(row.latency, style=row_style),
        "last": Text(row.last, style=row_style),
        "up_1h": Text(row.up_1h, style=row_style),
        "up_24h": Text(row.up_24h, style=row_style),
        "why": Text(row.failing, style=row_style),
        "elsewhere": Text(row.elsewhere),
    }


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
    ROW_STYLES = (*STATE_CLASS.values(), "probe-board--alarm")
    COMPONENT_CLASSES = set(ROW_STYLES)
    DEFAULT_CSS = """
    ProbeBoard > .probe-board--alarm { text-style: bold; }
    """ + probe_state_css("ProbeBoard > .probe-board--")

    class ProbeSelected(Message):
        """Enter (or a double click) on a probe."""

        def __init__(self, board: ProbeBoard, name: str) -> None:
            super().__init__()
            self.board = board
            self.name = name

        @property
        def control(self) -> ProbeBoard:
            return self.board

    # --- what is shown and selected ------------------------------------------------------------

    @staticmethod
    def row_key(row: ProbeRow) -> str:
        return row.name

    @property
    def names(self) -> tuple[str, ...]:
        """The probes in the order shown."""
        return tuple(row.name for row in self._rows)

    @property
    def selected_probe(self) -> str | None:
        return self._rows[self.cursor].name if self._rows else None

    def select_probe(self, name: str) -> None:
        index = self.get_row_index(name)
        if index is not None:
            self.cursor = index

    @property
    def counts(self) -> dict[str, int]:
        """How many probes are in each state, every state present (zero included)."""
        counts = Counter(row.state for row in self._rows)
        return {state: counts.get(state, 0) for state in PROBE_STATES}

    # --- layout and painting -------------------------------------------------------------------

    def update_rows(self, rows: Iterable[ProbeRow]) -> None:
        """As LineTable's, laying the columns out again when the Elsewhere column comes or goes."""
        had = any(row.elsewhere for row in self._rows)
        super().update_rows(rows)
        if any(row.elsewhere for row in self._rows) != had:
            self._fit()

    def _rows_added(self) -> None:
        if not self._fit():  # a longer name moves the columns; else only the height grew
            self._resize_virtual()
            self.refresh()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> bool:
        """Lay the columns out for the current width; True when that changed (and was repainted)."""
        longest_name = max((len(row.label) for row in self._rows), default=0)
        elsewhere = any(row.elsewhere for row in self._rows)
        keys, widths = fit_columns(self.size.width - 1, longest_name, elsewhere)  # -1: the scrollbar
        if (keys, widths) == (self._column_keys, self._widths):
            return False
        self._column_keys, self._widths = keys, widths
        self._resize_virtual()
        self.refresh()
        return True

    def _header_cells(self) -> dict[str, Text]:
        return {c.key: Text(c.label) for c in COLUMNS}

    def _cells(self, row: ProbeRow, palette: Palette) -> dict[str, Text]:
        return row_cells(row, palette)

    # --- moving --------------------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        if self._rows:
            self.cursor = min(max(index, 0), len(self._rows) - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(self.size.height - 2, 1))

    def action_jump(self, direction: int) -> None:
        self._move_to(0 if direction < 0 else len(self._rows) - 1)

    def action_select(self) -> None:
        if self.selected_probe is not None:
            self.post_message(self.ProbeSelected(self, self.selected_probe))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain == 2:
                self.action_select()
            self.cursor = index
