"""One probe in full: its state, uptime, why it fails, a long sparkline and its recent checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from warroom.probes import ProbeState, ProbeStatus
from warroom.store import SampleRow
from warroom.untrusted import for_screen
from warroom.widgets.probe_board import PROBE_WORD, latency_text, sparkline, state_text, uptime_text

HISTORY_SPARK_WIDTH = 60  # the whole history the tracker keeps
SAMPLES_SHOWN = 30


def sample_line(sample: SampleRow, zone: tzinfo) -> str:
    """'14:03:12  ✖ DOWN      312 ms  connection refused' — the reason when failing, else the value."""
    shown_state = state_text(sample.state) if sample.state in PROBE_WORD else for_screen(sample.state)
    detail = sample.reason if (sample.reason and not sample.ok) else sample.value
    return (f"{sample.at.astimezone(zone).strftime('%H:%M:%S')}  {shown_state:<10}  "
            f"{latency_text(sample.response_time_ms):>8}  {for_screen(detail or '')}")


class ProbeHistory(ModalScreen[None]):
    """Everything about one probe; the samples come newest first whatever order they arrive in."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="probe_history.close")]
    DEFAULT_CSS = """
    ProbeHistory { align: center middle; }
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
            lines = [sample_line(sample, self.zone) for sample in self.samples]
            yield Static(Content("\n".join(lines)) if lines else Content.styled("nothing recorded yet", "dim"))
            yield Label("Escape, Enter or q to close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
