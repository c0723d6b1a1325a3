"""The deployment header: what, which run, who, the clock, T-minus, the window gauge and the headline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from warroom.widgets.display import PROBE_GLYPH, clock, probe_state_css, signed_span, t_minus

PROBE_ORDER = ("DOWN", "PENDING", "DEGRADED", "UP", "UNKNOWN")

HEADLINE_GLYPH = {"ON TRACK": "●", "DELAYED": "▲", "BLOCKED": "■", "COMPLETE": "✔"}
# Headline and probe state -> the component class that colours it.
HEADLINE_CLASS = {headline: "deployment-header--" + headline.lower().replace(" ", "-") for headline in HEADLINE_GLYPH}
PROBE_CLASS = {state: f"deployment-header--probe-{state.lower()}" for state in PROBE_ORDER}


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

    COMPONENT_CLASSES = {*HEADLINE_CLASS.values(), *PROBE_CLASS.values()}
    DEFAULT_CSS = """
    DeploymentHeader {
        height: 2; background: $panel; color: $foreground; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    DeploymentHeader > .deployment-header--on-track { color: $success; text-style: bold; }
    DeploymentHeader > .deployment-header--delayed { color: $warning; text-style: bold; }
    DeploymentHeader > .deployment-header--blocked { color: $error; text-style: bold; }
    DeploymentHeader > .deployment-header--complete { color: $success; text-style: bold; }
    """ + probe_state_css("DeploymentHeader > .deployment-header--probe-", " text-style: bold;")

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

        def style(component: str) -> Style:
            return self.get_component_rich_style(component, partial=True)

        top = Text.assemble(
            (info.title, "bold"),
            f"  {info.deployment} v{info.version}",
            "  · run ",
            (info.run, "bold"),
            "  · operator ",
            (info.operator, "bold"),
        )
        # Most urgent first: on a narrow terminal the line is cut from the right.
        bottom = Text.assemble(
            (now.astimezone(info.zone).strftime("%H:%M:%S"), "bold"),
            f"  {t_minus(now, info.window_start)}  ",
            (f"{HEADLINE_GLYPH[info.headline]} {info.headline}", style(HEADLINE_CLASS[info.headline])),
            f"  {info.done}/{info.total} done",
            f"  forecast end {clock(info.expected_end, info.zone)} "
            f"({signed_span(info.expected_end - info.window_end)})",
        )
        if self.probes:
            bottom.append("  probes ")
            for probe_state in PROBE_ORDER:
                count = sum(value == probe_state for value in self.probes.values())
                if count:
                    bottom.append(f"{count}{PROBE_GLYPH[probe_state]}", style=style(PROBE_CLASS[probe_state]))
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
