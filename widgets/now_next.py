"""The line that always says what runs now and what comes next, for whoever joins mid-cutover.

It shows a plain value (`NowNext`, built by tui/rows.py): the steps running or failed, with how
long they have run against their plan, and the step that can start next with its planned start.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from warroom.vocabulary import StepStatus
from warroom.widgets.display import STEP_GLYPH


@dataclass(frozen=True)
class Running:
    step_id: str
    title: str
    status: StepStatus  # in progress, or failed and waiting for someone
    elapsed: str  # "12m", since it started (or failed)
    planned: str  # its planned duration, "15m"
    overrun: str = ""  # "+7m" once it runs past its planned duration


@dataclass(frozen=True)
class Upcoming:
    step_id: str
    title: str
    at: str  # its planned start, "10:45" (with the date when not today)


@dataclass(frozen=True)
class NowNext:
    running: tuple[Running, ...] = ()
    upcoming: Upcoming | None = None
    finished: bool = False  # every step is done or skipped


class NowNextLine(Widget):
    COMPONENT_CLASSES = {"now-next--label", "now-next--overrun", "now-next--failed"}
    DEFAULT_CSS = """
    NowNextLine { height: 1; background: $boost; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    NowNextLine > .now-next--label { text-style: bold; }
    NowNextLine > .now-next--overrun { color: $error; text-style: bold; }
    NowNextLine > .now-next--failed { color: $error; text-style: bold; }
    """

    value: reactive[NowNext | None] = reactive(None)

    def render(self) -> Text:
        value = self.value
        if value is None:
            return Text("")
        label = self.get_component_rich_style("now-next--label", partial=True)
        alarm = self.get_component_rich_style("now-next--overrun", partial=True)
        failed = self.get_component_rich_style("now-next--failed", partial=True)
        line = Text()
        if value.finished:
            line.append(f"{STEP_GLYPH[StepStatus.DONE]} every step is finished", style=label)
            return line
        line.append("NOW ", style=label)
        if not value.running:
            line.append("nothing running")
        for number, step in enumerate(value.running):
            if number:
                line.append(" · ")
            line.append(f"{STEP_GLYPH[step.status]} {step.title} ")
            if step.status is StepStatus.FAILED:
                line.append(f"FAILED {step.elapsed} ago", style=failed)
            elif step.overrun:
                line.append(f"{step.elapsed} of {step.planned}, OVERRUN {step.overrun}", style=alarm)
            else:
                line.append(f"{step.elapsed} of {step.planned}")
        if value.upcoming:
            line.append("   NEXT ", style=label)
            line.append(f"{value.upcoming.title} at {value.upcoming.at}")
        return line
