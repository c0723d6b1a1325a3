"""The runbook timeline: steps grouped by phase, planned vs actual, drift and a Gantt strip.

Rendering is a pure function of (runbook, state, forecast, now); `show()` diffs the result against
what is on screen and touches only the cells that changed, so a 500-step runbook repaints cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from runbook import format_duration
from runbook.forecast import Forecast
from runbook.model import Runbook, Step
from store import State, StepState
from widgets.display import STEP_COLOUR, STEP_GLYPH, STEP_WORD, clock, signed_span

PHASE_PREFIX = "phase:"
TITLE_MIN, TITLE_COMFORT, TITLE_MAX = 18, 30, 44
CELL_PADDING = 2  # DataTable pads each cell by one column on both sides
OPTIONAL_FROM = 5  # priorities from here are dropped before the title shrinks below comfort


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    priority: int  # lower survives longer when the table is narrow


# Left-to-right order; the title column takes whatever width is left.
COLUMNS = (
    Column("state", "State", 9, 0),
    Column("id", "Id", 16, 6),
    Column("title", "Step", TITLE_MIN, 0),
    Column("owner", "Owner", 15, 5),
    Column("plan", "Plan", 5, 1),
    Column("dur", "Dur", 5, 7),
    Column("actual", "Actual", 11, 2),
    Column("drift", "Drift", 6, 3),
    Column("gantt", "Window", 24, 4),
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


class Timeline(DataTable):
    """One row per step and one header row per phase; the cursor never rests on a phase row.

    The columns follow the widget's width: the least important go first, the title absorbs the rest.
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Detail", id="timeline.detail", tooltip="The selected step in full"),
        Binding("j", "cursor_down", "Down", show=False, id="timeline.down"),
        Binding("k", "cursor_up", "Up", show=False, id="timeline.up"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._cells: dict[str, dict[str, Text | str]] = {}  # every column, shown or not
        self._column_keys: list[str] = []
        self._title_width = 0

    def on_resize(self) -> None:
        keys, title_width = fit_columns(self.scrollable_content_region.width - 1)
        if (keys, title_width) == (self._column_keys, self._title_width):
            return
        selected = self.selected_step
        self._column_keys, self._title_width = keys, title_width
        self.clear(columns=True)
        widths = {c.key: c.width for c in COLUMNS} | {"title": title_width}
        for column in COLUMNS:
            if column.key in keys:
                self.add_column(column.label, key=column.key, width=widths[column.key])
        for key, cells in self._cells.items():
            self.add_row(*self._pick(cells), key=key)
        if selected:
            self.select_step(selected)
        else:
            self._skip_phase_row(+1)

    @property
    def selected_step(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return None if key is None or key.startswith(PHASE_PREFIX) else key

    def select_step(self, step_id: str) -> None:
        if step_id in self._cells:
            self.move_cursor(row=self.get_row_index(step_id))

    def show(self, runbook: Runbook, state: State, forecast: Forecast, now: datetime) -> None:
        """Bring the table up to date, adding rows the first time and changed cells afterwards."""
        first_fill = not self._cells
        for key, cells in self._render_rows(runbook, state, forecast, now):
            before = self._cells.get(key)
            self._cells[key] = cells
            if not self._column_keys:
                continue  # not sized yet: on_resize adds the rows
            if before is None:
                self.add_row(*self._pick(cells), key=key)
                continue
            for column in self._column_keys:
                if before[column] != cells[column]:
                    self.update_cell(key, column, cells[column])
        if first_fill and self.row_count:
            self._skip_phase_row(+1)

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._skip_phase_row(+1)

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._skip_phase_row(-1)

    def _skip_phase_row(self, direction: int) -> None:
        row = self.cursor_row
        while 0 <= row < self.row_count and self._is_phase_row(row):
            row += direction
        if not 0 <= row < self.row_count:  # ran off an end: step back the other way
            row = self.cursor_row
            while 0 <= row < self.row_count and self._is_phase_row(row):
                row -= direction
        if 0 <= row < self.row_count and row != self.cursor_row:
            self.move_cursor(row=row)

    def _is_phase_row(self, row: int) -> bool:
        key = self.coordinate_to_cell_key((row, 0)).row_key.value
        return bool(key and key.startswith(PHASE_PREFIX))

    def _render_rows(self, runbook: Runbook, state: State, forecast: Forecast, now: datetime):
        zone = runbook.window.start.tzinfo
        colours = self.app.get_css_variables()
        previous_phase = None
        for step in runbook.steps:
            if step.phase != previous_phase:
                previous_phase = step.phase
                yield PHASE_PREFIX + step.phase, self._phase_cells(runbook, step.phase, state, forecast)
            yield step.id, self._step_cells(step, state.step(step.id), forecast, now, zone, colours, runbook)

    def _pick(self, cells: dict[str, Text | str]) -> tuple[Text | str, ...]:
        return tuple(cells[key] for key in self._column_keys)

    def _phase_cells(self, runbook: Runbook, phase: str, state: State, forecast: Forecast):
        steps = [s for s in runbook.steps if s.phase == phase]
        done = sum(state.step(s.id).status in ("done", "skipped") for s in steps)
        drift = forecast.phase_drift(runbook, phase)
        cells: dict[str, Text | str] = {c.key: "" for c in COLUMNS}
        cells["state"] = Text("▼ phase", style="bold")
        cells["title"] = Text(phase, style="bold")
        cells["actual"] = Text(f"{done}/{len(steps)} done", style="bold")
        cells["drift"] = Text(signed_span(drift), style="bold")
        return cells

    def _step_cells(self, step: Step, status: StepState, forecast: Forecast, now, zone, colours, runbook):
        colour = colours.get(STEP_COLOUR[status.status], "")
        planned = forecast.planned[step.id]
        started = clock(status.started_at, zone) if status.started_at else ""
        finished = clock(status.finished_at, zone) if status.finished_at else ""
        actual = f"{started}–{finished}" if started or finished else ""
        drift = forecast.drift(step.id)
        return {
            "state": Text(f"{STEP_GLYPH[status.status]} {STEP_WORD[status.status]}", style=colour),
            "id": step.id,
            "title": step.title,
            "owner": step.owner or "",
            "plan": clock(planned.start, zone),
            "dur": format_duration(step.duration),
            "actual": actual,
            "drift": Text(signed_span(drift), style=colours.get("warning", "") if drift.total_seconds() > 300 else ""),
            "gantt": self._gantt(runbook, planned, forecast.expected[step.id], status, now, colour),
        }

    @staticmethod
    def _gantt(runbook: Runbook, planned, expected, status: StepState, now: datetime, colour: str) -> Text:
        """Planned span '░', actual or forecast span '█', now '│', across the deployment window."""
        start, end = runbook.window.start, runbook.window.end
        span = (end - start).total_seconds() or 1

        def column(moment: datetime) -> int:
            return int((moment - start).total_seconds() / span * GANTT)

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
