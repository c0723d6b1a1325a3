"""The deployment header: what, which run, who, the clock, T-minus, the window gauge and the headline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from warroom.widgets.display import PROBE_COLOUR, PROBE_GLYPH, clock, signed_span, t_minus, theme_colour

PROBE_ORDER = ("DOWN", "PENDING", "DEGRADED", "UP", "UNKNOWN")

HEADLINE_GLYPH = {"ON TRACK": "●", "DELAYED": "▲", "BLOCKED": "■", "COMPLETE": "✔"}
HEADLINE_COLOUR = {"ON TRACK": "success", "DELAYED": "warning", "BLOCKED": "error", "COMPLETE": "success"}


@dataclass(frozen=True)
class HeaderInfo:
    title: str
    deployment: str
    version: str
    run: str
    operator: str
    zone: tzinfo
    window_start: datetime
    window_end: datetime
    rollback_deadline: datetime | None
    done: int
    total: int
    headline: str
    expected_end: datetime
    drift_minutes: int


class DeploymentHeader(Widget):
    """Two lines; the clock part re-renders every second from the app's clock."""

    DEFAULT_CSS = """
    DeploymentHeader {
        height: 2; background: $panel; color: $foreground; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    info: reactive[HeaderInfo | None] = reactive(None)
    probes: reactive[dict[str, str]] = reactive(dict)  # probe name -> state

    def __init__(self, now: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._now = now

    def on_mount(self) -> None:
        self.set_interval(1, self.refresh)

    def render(self) -> Text:
        info = self.info
        if info is None:
            return Text("")
        now = self._now()
        colours = self.app.get_css_variables()
        top = Text.assemble(
            (info.title, "bold"),
            f"  {info.deployment} v{info.version}",
            "  · run ",
            (info.run, "bold"),
            "  · operator ",
            (info.operator, "bold"),
        )
        headline_style = f"bold {theme_colour(colours, HEADLINE_COLOUR[info.headline])}"
        # Most urgent first: on a narrow terminal the line is cut from the right.
        bottom = Text.assemble(
            (now.astimezone(info.zone).strftime("%H:%M:%S"), "bold"),
            f"  {t_minus(now, info.window_start)}  ",
            (f"{HEADLINE_GLYPH[info.headline]} {info.headline}", headline_style),
            f"  {info.done}/{info.total} done",
            f"  forecast end {clock(info.expected_end, info.zone)} ({signed_span(info.expected_end - info.window_end)})",
        )
        if self.probes:
            bottom.append("  probes ")
            for probe_state in PROBE_ORDER:
                count = sum(value == probe_state for value in self.probes.values())
                if count:
                    style = theme_colour(colours, PROBE_COLOUR[probe_state])
                    bottom.append(f"{count}{PROBE_GLYPH[probe_state]}", style=f"bold {style}")
                    bottom.append(" ")
        if info.rollback_deadline:
            left = info.rollback_deadline - now
            when = f"in {signed_span(left)[1:]}" if left.total_seconds() > 0 else "passed"
            bottom.append(f"  rollback by {clock(info.rollback_deadline, info.zone)} ({when})")
        bottom.append("  ")
        bottom.append_text(self._gauge(now, info))
        return Text("\n").join([top, bottom])

    @staticmethod
    def _gauge(now: datetime, info: HeaderInfo, width: int = 20) -> Text:
        """The window as a bar: elapsed part filled, the rollback deadline as '|'."""
        span = (info.window_end - info.window_start).total_seconds() or 1
        position = lambda moment: int((moment - info.window_start).total_seconds() / span * width)  # noqa: E731
        filled = min(max(position(now), 0), width)
        cells = ["█"] * filled + ["─"] * (width - filled)
        if info.rollback_deadline:
            mark = position(info.rollback_deadline)
            if 0 <= mark < width:
                cells[mark] = "|"
        window = f"{clock(info.window_start, info.zone)}[{''.join(cells)}]{clock(info.window_end, info.zone)}"
        return Text(window)
