"""The runbook timeline: steps grouped by phase, planned vs actual, drift and a Gantt strip.

It shows plain row values (`PhaseRow`, `TimelineRow`: what each line says, already formatted);
tui/rows.py builds them from the plan and the ledger. `show()` diffs the rows against what is on
screen and repaints only the lines that changed; colours are component classes of the theme.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from warroom.vocabulary import StepStatus, outcome_counts
from warroom.widgets.display import PROBE_GLYPH, STEP_GLYPH, STEP_WORD, probe_state_css
from warroom.widgets.line_table import CELL_PADDING, SPAN, LineTable, Palette

PHASE_PREFIX = "phase:"
TITLE_MIN, TITLE_COMFORT, TITLE_MAX = 18, 30, 44
CONFLICT_MARK = "⚡ conflict "
UNHELD_MARK = "?"  # before the owner: nobody here holds that role
OPTIONAL_FROM = 6  # priorities from here are dropped before the title shrinks below comfort


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    priority: int  # lower survives longer when the table is narrow


# Left-to-right order; the title column takes whatever width is left.
COLUMNS = (
    Column("state", "State", 9, 0),
    Column("id", "Id", 16, 7),
    Column("title", "Step", TITLE_MIN, 0),
    Column("owner", "Owner", 15, 5),
    Column("plan", "Plan", 5, 1),
    Column("dur", "Dur", 5, 8),
    Column("actual", "Actual", 11, 2),
    Column("drift", "Drift", 7, 3),
    Column("checks", "Checks", 10, 4),
    Column("gantt", "Window", 24, 6),
)
GANTT = next(c.width for c in COLUMNS if c.key == "gantt")
NO_RETURN_GLYPH = "┊"  # the rollback deadline in the Gantt strip, in every row and the column's title
NO_RETURN_WORD = "no return"


def fit_columns(available: int) -> tuple[list[str], int]:
    """The column keys that fit in `available` cells, by priority, and the title's width.

    The timing columns may squeeze the title to its minimum; the optional ones (owner, id, duration)
    only appear while the title keeps a comfortable width.
    """
    used = sum(c.width + CELL_PADDING for c in COLUMNS if c.priority == 0)
    chosen = {c.key for c in COLUMNS if c.priority == 0}
    for column in sorted((c for c in COLUMNS if c.priority), key=lambda c: c.priority):
        title_reserve = TITLE_COMFORT - TITLE_MIN if column.priority >= OPTIONAL_FROM else 0
        if used + column.width + CELL_PADDING + title_reserve <= available:
            chosen.add(column.key)
            used += column.width + CELL_PADDING
    title = min(TITLE_MAX, TITLE_MIN + max(available - used, 0))
    return [c.key for c in COLUMNS if c.key in chosen], title


# --- the rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseRow:
    """A phase's header line: its name, its steps counted by outcome (never a skip as done), its drift."""

    phase: str
    done: int
    total: int
    drift: str  # signed, e.g. "+12m"
    skipped: int = 0
    failed: int = 0

    @property
    def key(self) -> str:
        return PHASE_PREFIX + self.phase


@dataclass(frozen=True)
class GanttBar:
    """A step across the deployment window, in cells of the Gantt strip (0..GANTT-1 is inside it;
    spans run [start, end) and may lie partly outside, which the strip cuts)."""

    planned: tuple[int, int]
    actual: tuple[int, int] | None  # the actual or forecast span, once the step has started
    now: int  # the now-marker
    no_return: int | None = None  # the rollback deadline's cell: the point of no return


@dataclass(frozen=True)
class TimelineRow:
    """One step's line, as shown."""

    step_id: str
    title: str
    owner: str
    status: StepStatus
    plan: str  # planned start, HH:MM
    duration: str  # planned duration, e.g. "15m"
    actual: str  # "08:00–08:14", "08:40–" or ""
    drift: str  # signed, e.g. "+5m"
    late: bool  # drifting enough to stand out
    gantt: GanttBar
    checks: tuple[tuple[str, str], ...] = ()  # (probe name, its state) for each probe it validates with
    overrun: bool = False  # running past its planned duration
    conflict: bool = False  # a concurrent change displaced another version, not resolved yet
    owner_unheld: bool = False  # nobody here holds the role that owns it (and it is not finished)
    signoffs: str = ""  # sign-off progress while the step waits for them: '✍1/2'

    @property
    def key(self) -> str:
        return self.step_id


@dataclass(frozen=True)
class TitleRow:
    """A line across the columns that names what the rows below are (the rollback branch's
    title); the cursor never rests on it."""

    text: str
    key: str = "title:"


# Step state -> the component class that colours it.
STEP_CLASS = {
    StepStatus.PENDING: "timeline--pending",
    StepStatus.IN_PROGRESS: "timeline--running",
    StepStatus.DONE: "timeline--done",
    StepStatus.FAILED: "timeline--failed",
    StepStatus.SKIPPED: "timeline--skipped",
}
# Probe state (probes.ProbeState value) -> the component class of its glyph in the Checks column.
PROBE_CLASS = {state: f"timeline--probe-{state.lower()}" for state in PROBE_GLYPH}


class Timeline(LineTable):
    """One row per step and one header row per phase; the cursor never rests on a phase row.

    Only the visible lines are rendered (Textual's line API), so a 500-step runbook costs what the
    screen shows. The columns follow the widget's width: the least important go first, the title
    absorbs the rest.
    """

    BINDINGS = [
        Binding("enter", "select", "Detail", id="timeline.detail", tooltip="The selected step in full"),
        Binding("down,j", "cursor_down", "Down", show=False, id="timeline.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="timeline.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.page_up"),
        Binding("home", "jump(-1)", "First", show=False, id="timeline.first"),
        Binding("end", "jump(1)", "Last", show=False, id="timeline.last"),
    ]
    ROW_STYLES = (*STEP_CLASS.values(), "timeline--late", "timeline--now", "timeline--conflict",
                  "timeline--unheld", "timeline--signoffs", "timeline--no-return", *PROBE_CLASS.values())
    COMPONENT_CLASSES = {"timeline--phase", "timeline--title", *ROW_STYLES}
    DEFAULT_CSS = """
    Timeline > .timeline--phase { text-style: bold; }
    Timeline > .timeline--pending { color: $foreground-muted; }
    Timeline > .timeline--running { color: $accent; }
    Timeline > .timeline--done { color: $success; }
    Timeline > .timeline--failed { color: $error; }
    Timeline > .timeline--skipped { color: $warning; }
    Timeline > .timeline--late { color: $warning; }
    Timeline > .timeline--now { text-style: bold; }
    Timeline > .timeline--conflict { color: $warning; text-style: bold; }
    Timeline > .timeline--unheld { color: $warning; text-style: bold; }
    Timeline > .timeline--signoffs { color: $accent; }
    Timeline > .timeline--no-return { color: $error; }
    Timeline > .timeline--title { text-style: bold; color: $error; }
    """ + probe_state_css("Timeline > .timeline--probe-")

    class StepSelected(Message):
        """Enter (or a double click) on a step."""

        def __init__(self, timeline: Timeline, step_id: str) -> None:
            super().__init__()
            self.timeline = timeline
            self.step_id = step_id

        @property
        def control(self) -> Timeline:
            return self.timeline

    # --- what is selected ----------------------------------------------------------------------

    @property
    def selected_step(self) -> str | None:
        if not self._rows:
            return None
        row = self._rows[self.cursor]
        return row.step_id if isinstance(row, TimelineRow) else None

    def select_step(self, step_id: str) -> None:
        index = self.get_row_index(step_id)
        if index is not None:
            self.cursor = index

    # --- data ----------------------------------------------------------------------------------

    @staticmethod
    def row_key(row: PhaseRow | TimelineRow | TitleRow) -> str:
        return row.key

    def show(self, rows: Sequence[PhaseRow | TimelineRow | TitleRow]) -> None:
        """Every row, in order; repaints only the lines whose row changed."""
        if [row.key for row in rows] == list(self._index):
            self.update_rows(rows)
            return
        first_fill = not self._rows
        self._replace_rows(rows)
        if first_fill:
            self.cursor = self._next_step_row(0, +1)

    def update_rows(self, rows: Iterable[PhaseRow | TimelineRow | TitleRow]) -> None:
        """Some rows, already shown (e.g. one step's row and its phase row after a keystroke);
        rows not shown yet are left to `show()`, which knows their place."""
        super().update_rows(row for row in rows if row.key in self._index)

    # --- layout and painting -------------------------------------------------------------------

    def on_resize(self) -> None:
        keys, title_width = fit_columns(self.size.width - 1)
        widths = {c.key: c.width for c in COLUMNS} | {"title": title_width}
        if (keys, widths) != (self._column_keys, self._widths):
            self._column_keys, self._widths = keys, widths
            self._resize_virtual()
            self.refresh()

    def _header_cells(self) -> dict[str, Text]:
        no_return = next((row.gantt.no_return for row in self._rows if isinstance(row, TimelineRow)), None)
        return {c.key: Text(c.label) for c in COLUMNS} | {"gantt": gantt_title(no_return)}

    def _row_class(self, row: PhaseRow | TimelineRow | TitleRow) -> str | None:
        if isinstance(row, TitleRow):
            return "timeline--title"
        return "timeline--phase" if isinstance(row, PhaseRow) else None

    def _cells(self, row: PhaseRow | TimelineRow | TitleRow, palette: Palette) -> dict[str, Text]:
        if isinstance(row, TitleRow):
            return {SPAN: Text(row.text)}
        if isinstance(row, PhaseRow):
            # One line across the columns, so that its counts are whole at any width.
            counts = outcome_counts(row.done, row.skipped, row.failed, row.total)
            return {SPAN: Text(f"▼ {row.phase} · {counts} · drift {row.drift}")}
        colour = palette[STEP_CLASS[row.status]]
        state = f"{STEP_GLYPH[row.status]} {'overrun' if row.overrun else STEP_WORD[row.status]}"
        return {
            "state": Text(state, style=palette["timeline--failed"] if row.overrun else colour),
            "id": Text(row.step_id),
            "title": self._title_text(row, palette),
            # the mark first, so that a long role cut at the column's edge keeps it
            "owner": Text.assemble((f"{UNHELD_MARK} ", palette["timeline--unheld"]), row.owner)
            if row.owner_unheld else Text(row.owner),
            "plan": Text(row.plan),
            "dur": Text(row.duration),
            "actual": Text(row.actual),
            "drift": Text(row.drift, style=palette["timeline--late"] if row.late else ""),
            "checks": probe_checks_text(row.checks, palette),
            "gantt": gantt_text(row.gantt, colour, palette["timeline--now"], palette["timeline--no-return"]),
        }

    def _title_text(self, row: TimelineRow, palette: Palette) -> Text:
        """The title, led by the conflict marker ('⚡ conflict' while the title keeps a comfortable
        width, '⚡' alone when it does not) and by the sign-off progress ('✍1/2')."""
        text = Text()
        if row.conflict:
            wide = self._widths.get("title", TITLE_MIN) >= TITLE_COMFORT
            text.append(CONFLICT_MARK if wide else "⚡ ", palette["timeline--conflict"])
        if row.signoffs:
            text.append(f"{row.signoffs} ", palette["timeline--signoffs"])
        text.append(row.title)
        return text

    # --- moving --------------------------------------------------------------------------------

    def _next_step_row(self, start: int, direction: int) -> int:
        """The nearest step row from `start` in `direction`, or the current cursor if none."""
        index = start
        while 0 <= index < len(self._rows):
            if isinstance(self._rows[index], TimelineRow):
                return index
            index += direction
        return self.cursor

    def action_cursor_down(self) -> None:
        self.cursor = self._next_step_row(self.cursor + 1, +1)

    def action_cursor_up(self) -> None:
        self.cursor = self._next_step_row(self.cursor - 1, -1)

    def action_page(self, direction: int) -> None:
        target = min(max(self.cursor + direction * max(self.size.height - 2, 1), 0), len(self._rows) - 1)
        self.cursor = self._next_step_row(target, direction) if self._rows else 0

    def action_jump(self, direction: int) -> None:
        if self._rows:
            self.cursor = self._next_step_row(0 if direction < 0 else len(self._rows) - 1, -direction)

    def action_select(self) -> None:
        if self.selected_step:
            self.post_message(self.StepSelected(self, self.selected_step))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._rows) and isinstance(self._rows[index], TimelineRow):
            if index == self.cursor and event.chain == 2:
                self.action_select()
            self.cursor = index


def gantt_title(no_return: int | None, label: str = "Window") -> Text:
    """The Gantt column's title: its label, and the point of no return's glyph in its cell with the
    legend's word beside it (after it, or before it when there is no room after)."""
    cells = list(label.ljust(GANTT))
    if no_return is None or not 0 <= no_return < GANTT:
        return Text("".join(cells).rstrip())
    cells[no_return] = NO_RETURN_GLYPH
    after = next((word for word in (f" {NO_RETURN_WORD}", NO_RETURN_WORD) if no_return + len(word) < GANTT), None)
    before = next((word for word in (f"{NO_RETURN_WORD} ", NO_RETURN_WORD) if no_return - len(word) > len(label)),
                  None)
    if after:
        cells[no_return + 1: no_return + 1 + len(after)] = after
    elif before:
        cells[no_return - len(before): no_return] = before
    return Text("".join(cells).rstrip())


def gantt_text(bar: GanttBar, colour, now_style, no_return_style=None) -> Text:
    """Planned span '░', actual or forecast span '█' (in the state's colour), now '│', and the
    point of no return '┊' where no span covers it."""
    cells = [" "] * GANTT
    planned_start, planned_end = bar.planned
    for col in range(max(planned_start, 0), min(max(planned_end, planned_start + 1), GANTT)):
        cells[col] = "░"
    first = last = 0
    if bar.actual is not None:
        first = max(bar.actual[0], 0)
        last = min(max(bar.actual[1], first + 1), GANTT)
        cells[first:last] = "█" * max(last - first, 0)
    no_return = bar.no_return if bar.no_return is not None and 0 <= bar.no_return < GANTT else None
    if no_return is not None and cells[no_return] == " ":
        cells[no_return] = NO_RETURN_GLYPH
    text = Text("".join(cells))
    if last > first:
        text.stylize(colour, first, last)
    if no_return is not None and cells[no_return] == NO_RETURN_GLYPH and no_return_style:
        text.stylize(no_return_style, no_return, no_return + 1)
    if 0 <= bar.now < GANTT:
        text = text[: bar.now] + Text("│", style=now_style) + text[bar.now + 1 :]
    return text


def probe_checks_text(checks: tuple[tuple[str, str], ...], palette: Palette) -> Text:
    """`db● web✖`: each probe a step validates with, by name and state glyph."""
    text = Text()
    for number, (probe, probe_state) in enumerate(checks):
        if number:
            text.append(" ")
        text.append(probe)
        text.append(PROBE_GLYPH[probe_state], style=palette[PROBE_CLASS[probe_state]])
    return text
