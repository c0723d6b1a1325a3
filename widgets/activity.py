"""The activity log: newest first, time, operator, what happened.

One Text in a scrolling container: re-rendering a hundred lines is cheaper than a table that
measures every cell again whenever a row is added at the top.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from store import Event
from widgets.display import clock


class ActivityLog(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    ActivityLog > Static { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, describe: Callable[[Event], str], **kwargs) -> None:
        super().__init__(**kwargs)
        self._describe = describe
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("nothing recorded yet", style="dim"), id="activity-lines")

    def show(self, events: Sequence[Event], zone: tzinfo) -> None:
        """`events` newest first; re-rendered only when the list changed."""
        ids = [event.id for event in events]
        if ids == self._shown or not self.is_mounted:
            return
        self._shown = ids
        lines = Text(no_wrap=True, overflow="ellipsis")
        for number, event in enumerate(events):
            if number:
                lines.append("\n")
            lines.append(f"{clock(event.at, zone)}  ", style="bold")
            lines.append(f"{event.operator[:10]:10}  ", style="dim")
            lines.append(self._describe(event))
        self.query_one("#activity-lines", Static).update(lines)

    @property
    def lines(self) -> list[str]:
        """The text of each line as shown (for tests and tooling)."""
        return str(self.query_one("#activity-lines", Static).render()).splitlines()
