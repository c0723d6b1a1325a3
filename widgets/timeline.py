"""The runbook timeline: steps grouped by phase, planned vs actual, drift and a Gantt strip.

The cells are a pure function of (runbook, state, forecast, now); `show()` diffs them against what
is on screen and repaints only the lines that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message

from warroom.runbook import format_duration
from warroom.runbook.forecast import Forecast
from warroom.runbook.model import Runbook, Step
from warroom.store import RunState, StepState
from warroom.widgets.display import PROBE_COLOUR, PROBE_GLYPH, STEP_COLOUR, STEP_GLYPH, STEP_WORD, clock, signed_span, theme_colour
from warroom.widgets.line_table import LineTable

PHASE_PREFIX = "phase:"
TITLE_MIN, TITLE_COMFORT, TITLE_MAX = 18, 30, 44
CELL_PADDING = 2  # one space either side of each cell
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
    Column("drift", "Drift", 6, 3),
    Column("checks", "Checks", 10, 4),
    Column("gantt", "Window", 24, 6),
)
GANTT = next(c.width for c in COLUMNS if c.key == "gantt")


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
    COMPONENT_CLASSES = {"timeline--phase"}
    DEFAULT_CSS = """
    Timeline > .timeline--phase { text-style: bold; }
    """

    class StepSelected(Message):
        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys: list[str] = []  # row order: phase rows and step ids
        self._cells: dict[str, dict[str, Text]] = {}  # every column, shown or not
        self._row_inputs: dict[str, tuple] = {}  # what each step row was last built from

    # --- what is selected ----------------------------------------------------------------------

    @property
    def selected_step(self) -> str | None:
        if not self._keys:
            return None
        key = self._keys[self.cursor]
        return None if key.startswith(PHASE_PREFIX) else key

    def select_step(self, step_id: str) -> None:
        if step_id in self._cells:
            self.cursor = self._keys.index(step_id)

    # --- data ----------------------------------------------------------------------------------

    def show(self, runbook: Runbook, state: RunState, forecast: Forecast, now: datetime,
             probe_states: Mapping[str, str] | None = None, only: str | None = None) -> None:
        """Bring the rows up to date; repaint only the lines whose cells changed.

        `probe_states` (probe name -> UP/DEGRADED/...) fills the Checks column of steps whose
        validation names probes. `only` limits the work to one step's row and its phase row.
        """
        first_fill = not self._keys
        changed_rows = []
        for key, cells in self._render_rows(runbook, state, forecast, now, probe_states or {}, only):
            before = self._cells.get(key)
            if before is None:
                self._keys.append(key)
            elif before != cells:
                changed_rows.append(key)
            self._cells[key] = cells
        if first_fill:
            self._resize_virtual()
            self.cursor = self._next_step_row(0, +1)
            self.refresh()
            return
        for key in changed_rows:
            self.refresh_line(self._keys.index(key) + 1)  # +1: the header line

    # --- layout and painting -------------------------------------------------------------------

    def on_resize(self) -> None:
        keys, title_width = fit_columns(self.size.width - 1)
        widths = {c.key: c.width for c in COLUMNS} | {"title": title_width}
        if (keys, widths) != (self._column_keys, self._widths):
            self._column_keys, self._widths = keys, widths
            self._resize_virtual()
            self.refresh()

    def _resize_virtual(self) -> None:
        width = sum(self._widths[key] + CELL_PADDING for key in self._column_keys)
        self.virtual_size = Size(width, len(self._keys) + 1)

    def _header_cells(self) -> dict[str, Text]:
        return {c.key: Text(c.label) for c in COLUMNS}

    def _row_count(self) -> int:
        return len(self._keys)

    def _row_cells(self, index: int) -> dict[str, Text]:
        return self._cells[self._keys[index]]

    def _row_class(self, index: int) -> str | None:
        return "timeline--phase" if self._keys[index].startswith(PHASE_PREFIX) else None

    # --- moving --------------------------------------------------------------------------------

    def _next_step_row(self, start: int, direction: int) -> int:
        """The nearest step row from `start` in `direction`, or the current cursor if none."""
        index = start
        while 0 <= index < len(self._keys):
            if not self._keys[index].startswith(PHASE_PREFIX):
                return index
            index += direction
        return self.cursor

    def action_cursor_down(self) -> None:
        self.cursor = self._next_step_row(self.cursor + 1, +1)

    def action_cursor_up(self) -> None:
        self.cursor = self._next_step_row(self.cursor - 1, -1)

    def action_page(self, direction: int) -> None:
        target = min(max(self.cursor + direction * max(self.size.height - 2, 1), 0), len(self._keys) - 1)
        self.cursor = self._next_step_row(target, direction) if self._keys else 0

    def action_jump(self, direction: int) -> None:
        if self._keys:
            self.cursor = self._next_step_row(0 if direction < 0 else len(self._keys) - 1, -direction)

    def action_select(self) -> None:
        if self.selected_step:
            self.post_message(self.StepSelected(self.selected_step))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._keys) and not self._keys[index].startswith(PHASE_PREFIX):
            if index == self.cursor and event.chain == 2:
                self.action_select()
            self.cursor = index

    def _render_rows(self, runbook: Runbook, state: RunState, forecast: Forecast, now: datetime, probe_states, only=None):
        zone = runbook.window.start.tzinfo
        colours = self.app.get_css_variables()
        now_column = _gantt_column(runbook, now)
        previous_phase = None
        steps = [runbook.step(only)] if only and runbook.has_step(only) else runbook.steps
        for step in steps:
            if step.phase != previous_phase:
                previous_phase = step.phase
                yield PHASE_PREFIX + step.phase, self._phase_cells(runbook, step.phase, state, forecast)
            # A row is rebuilt only when something it shows changed: a keystroke touches a few rows.
            checks = tuple((v.probe, probe_states.get(v.probe, "UNKNOWN")) for v in step.validate if v.probe)
            inputs = (state.step(step.id), forecast.planned[step.id], forecast.expected[step.id], now_column, checks)
            if self._row_inputs.get(step.id) == inputs:
                yield step.id, self._cells[step.id]
                continue
            self._row_inputs[step.id] = inputs
            cells = self._step_cells(step, state.step(step.id), forecast, now, zone, colours, runbook)
            cells["checks"] = probe_checks_text(checks, colours)
            yield step.id, cells

    def _phase_cells(self, runbook: Runbook, phase: str, state: RunState, forecast: Forecast):
        steps = [s for s in runbook.steps if s.phase == phase]
        done = sum(state.step(s.id).status in ("done", "skipped") for s in steps)
        drift = forecast.phase_drift(runbook, phase)
        cells: dict[str, Text] = {c.key: Text() for c in COLUMNS}
        cells["state"] = Text("▼ phase", style="bold")
        cells["title"] = Text(phase, style="bold")
        cells["actual"] = Text(f"{done}/{len(steps)} done", style="bold")
        cells["drift"] = Text(signed_span(drift), style="bold")
        return cells

    def _step_cells(self, step: Step, status: StepState, forecast: Forecast, now, zone, colours, runbook):
        colour = theme_colour(colours, STEP_COLOUR[status.status])
        planned = forecast.planned[step.id]
        started = clock(status.started_at, zone) if status.started_at else ""
        finished = clock(status.finished_at, zone) if status.finished_at else ""
        actual = f"{started}–{finished}" if started or finished else ""
        drift = forecast.drift(step.id)
        return {
            "state": Text(f"{STEP_GLYPH[status.status]} {STEP_WORD[status.status]}", style=colour),
            "id": Text(step.id),
            "title": Text(step.title),
            "owner": Text(step.owner or ""),
            "plan": Text(clock(planned.start, zone)),
            "dur": Text(format_duration(step.duration)),
            "actual": Text(actual),
            "drift": Text(signed_span(drift), style=theme_colour(colours, "warning") if drift.total_seconds() > 300 else ""),
            "gantt": self._gantt(runbook, planned, forecast.expected[step.id], status, now, colour),
        }

    @staticmethod
    def _gantt(runbook: Runbook, planned, expected, status: StepState, now: datetime, colour: str) -> Text:
        """Planned span '░', actual or forecast span '█', now '│', across the deployment window."""
        def column(moment: datetime) -> int:
            return _gantt_column(runbook, moment)

        cells = [" "] * GANTT
        for col in range(max(column(planned.start), 0), min(max(column(planned.end), column(planned.start) + 1), GANTT)):
            cells[col] = "░"
        text = Text("".join(cells))
        if status.status != "pending":
            first = max(column(expected.start), 0)
            last = min(max(column(expected.end), first + 1), GANTT)
            for col in range(first, last):
                cells[col] = "█"
            text = Text("".join(cells))
            text.stylize(colour, first, last)
        marker = column(now)
        if 0 <= marker < GANTT:
            text = text[:marker] + Text("│", style="bold") + text[marker + 1 :]
        return text


def probe_checks_text(checks: tuple[tuple[str, str], ...], colours: Mapping[str, str]) -> Text:
    """`db● web✖`: each probe a step validates with, by name and state glyph."""
    text = Text()
    for number, (probe, probe_state) in enumerate(checks):
        if number:
            text.append(" ")
        text.append(probe)
        text.append(PROBE_GLYPH[probe_state], style=theme_colour(colours, PROBE_COLOUR[probe_state]))
    return text


def _gantt_column(runbook: Runbook, moment: datetime) -> int:
    """Which cell of the Gantt strip a moment falls in (may be outside 0..GANTT-1)."""
    start, end = runbook.window.start, runbook.window.end
    span = (end - start).total_seconds() or 1
    return int((moment - start).total_seconds() / span * GANTT)
