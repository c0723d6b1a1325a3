"""The activity log: newest first, time, operator, what happened.

Drawn line by line (Textual's line API): new events repaint the visible lines only, where a
Static holding the whole text would make Textual lay out the entire screen again on every event.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Callable, Sequence

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.store import Event
from warroom.widgets.display import clock


class ActivityLog(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    ActivityLog { background: $surface; }
    """

    def __init__(self, describe: Callable[[Event], str], **kwargs) -> None:
        super().__init__(**kwargs)
        self._describe = describe
        self._shown: list[str] = []
        self._lines: list[Text] = [Text("nothing recorded yet", style="dim")]

    def show(self, events: Sequence[Event], zone: tzinfo) -> None:
        """`events` newest first; re-rendered only when the list changed."""
        ids = [event.id for event in events]
        if ids == self._shown:
            return
        self._shown = ids
        self._lines = [self._line(event, zone) for event in events] or self._lines
        self.virtual_size = Size(max(line.cell_len for line in self._lines), len(self._lines))
        self.refresh()

    def _line(self, event: Event, zone: tzinfo) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{clock(event.at, zone)}  ", style="bold")
        line.append(f"{event.operator[:10]:10}  ", style="dim")
        line.append(self._describe(event))
        return line

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        if index >= len(self._lines):
            return Strip.blank(self.size.width, self.rich_style)
        # Cut at the pane's edge with an ellipsis: one event, one line.
        line = self._lines[index].copy()
        line.truncate(scroll_x + self.size.width, overflow="ellipsis")
        strip = Strip(list(line.render(self.app.console)))
        return strip.crop_extend(scroll_x, scroll_x + self.size.width, None).apply_style(self.rich_style)

    @property
    def lines(self) -> list[str]:
        """The text of each line as shown (for tests and tooling)."""
        return [line.plain for line in self._lines]
