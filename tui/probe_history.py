"""One probe in full: its state, uptime, why it fails, a long sparkline and its recent checks.

Why it fails is shown whole: the failing condition wraps in its section, and a check's condition
that does not fit beside the check goes onto the line below, never split across the columns.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from warroom.probes import ProbeState, ProbeStatus
from warroom.store import SampleRow
from warroom.tui.screens import ReadingDialog
from warroom.untrusted import for_screen
from warroom.widgets.probe_board import PROBE_WORD, latency_text, sparkline, state_text, uptime_text

HISTORY_SPARK_WIDTH = 60  # the whole history the tracker keeps
SAMPLES_SHOWN = 30
DETAIL_INDENT = 10  # where a check's reason starts when it goes below the check: under the state
NARROW_INDENT = 2  # where it starts when it would not fit there


def check_lines(samples: Iterable[SampleRow], zone: tzinfo, width: int | None = None) -> list[str]:
    """'14:03:12  ✖ DOWN      312 ms  connection refused': a line per check, saying why when it is
    not UP, else its value. Within `width`, a reason that does not fit beside its check goes whole
    onto the lines below it (wrapped there only if it is wider than the dialog itself)."""
    lines = []
    for sample in samples:
        shown_state = state_text(sample.state) if sample.state in PROBE_WORD else for_screen(sample.state)
        detail = for_screen((sample.reason if sample.reason and sample.state != "UP" else sample.value) or "")
        check = (f"{sample.at.astimezone(zone).strftime('%H:%M:%S')}  {shown_state:<10}  "
                 f"{latency_text(sample.response_time_ms):>8}")
        if width is None or len(check) + 2 + len(detail) <= width or not detail:
            lines.append(f"{check}  {detail}".rstrip())
            continue
        lines.append(check)
        indent = DETAIL_INDENT if DETAIL_INDENT + len(detail) <= width else NARROW_INDENT
        parts = textwrap.wrap(detail, max(width - indent, 20), break_on_hyphens=False)
        lines.extend(" " * indent + part for part in parts)
    return lines


class CheckLines(Static):
    """The recent checks, laid out for the width they get (see check_lines)."""

    DEFAULT_CSS = "CheckLines { height: auto; }"

    def __init__(self, samples: Sequence[SampleRow], zone: tzinfo) -> None:
        super().__init__()
        self.samples = samples
        self.zone = zone
        self._laid_out: tuple[int | None, list[str]] | None = None  # the last width and its lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render(self) -> Content:
        lines = self._lines(self.content_size.width or None)
        return Content("\n".join(lines)) if lines else Content.styled("nothing recorded yet", "dim")

    def _lines(self, width: int | None) -> list[str]:
        """check_lines for `width`: the layout asks for the height, then the render for the lines."""
        if self._laid_out is None or self._laid_out[0] != width:
            self._laid_out = width, check_lines(self.samples, self.zone, width)
        return self._laid_out[1]


class ProbeHistory(ReadingDialog[None]):
    """Everything about one probe; the samples come newest first whatever order they arrive in."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="probe_history.close")]
    DEFAULT_CSS = """
    ProbeHistory .probe-history--failing { color: $error; }
    """

    def __init__(self, status: ProbeStatus, samples: Iterable, zone: tzinfo, limit: int = SAMPLES_SHOWN) -> None:
        super().__init__()
        self.status = status
        rows = sorted(samples, key=lambda s: s.at, reverse=True)
        self.samples: Sequence[SampleRow] = rows[:limit]
        self.zone = zone

    def compose(self) -> ComposeResult:
        status = self.status
        with VerticalScroll(classes="dialog probe-history"):
            yield Label(Content.assemble(for_screen(status.name), (f"  {for_screen(status.kind)}", "dim")),
                        classes="dialog-title")
            yield Static(Content(
                f"{state_text(status.state)} · {for_screen(status.kind)}"
                f" · up {uptime_text(status.uptime_1h)} (1h), {uptime_text(status.uptime_24h)} (24h)"
                f" · last {for_screen(status.value or '–')} in {latency_text(status.response_time_ms)}"
                + (f" · since {status.changed_at.astimezone(self.zone).strftime('%H:%M:%S')}"
                   if status.changed_at else "")
            ))
            if status.state is not ProbeState.UP:
                yield Label("Failing", classes="section")
                why = status.failed_condition or f"{PROBE_WORD[status.state]}, no reason given"
                yield Static(Content(for_screen(why)), classes="probe-history--failing")
            yield Label("Latency, oldest to newest", classes="section")
            history = status.history[-HISTORY_SPARK_WIDTH:]
            yield Static(sparkline(history, len(history)) if history else Content.styled("no checks yet", "dim"))
            yield Label(f"Last {len(self.samples)} checks, newest first", classes="section")
            yield CheckLines(self.samples, self.zone)
            yield Label("Escape, Enter or q to close", classes="dialog-hint")

