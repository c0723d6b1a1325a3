"""The activity log: newest first, time, operator, what happened.

It shows plain row values (`ActivityRow`: the time, who, and the event already described in
words; tui/rows.py builds them). Drawn line by line (Textual's line API): new events repaint the
visible lines only, where a Static holding the whole text would make Textual lay out the entire
screen again on every event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

EMPTY = "nothing recorded yet"
STYLES = ("activity-log--time", "activity-log--operator", "activity-log--empty")


@dataclass(frozen=True)
class ActivityRow:
    """One event, as shown."""

    key: str  # the event's id
    at: str  # HH:MM in the deployment's time zone
    operator: str
    text: str  # what happened, in words


class ActivityLog(ScrollView, can_focus=True):
    COMPONENT_CLASSES = set(STYLES)
    DEFAULT_CSS = """
    ActivityLog { background: $surface; }
    ActivityLog > .activity-log--time { text-style: bold; }
    ActivityLog > .activity-log--operator { text-style: dim; }
    ActivityLog > .activity-log--empty { text-style: dim; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: tuple[ActivityRow, ...] = ()
        self._drawn: tuple[tuple, list[Text]] | None = None  # (the styles drawn with, the lines)

    def show(self, rows: Sequence[ActivityRow]) -> None:
        """`rows` newest first; redrawn only when the list changed."""
        rows = tuple(rows)
        if [row.key for row in rows] == [row.key for row in self._rows]:
            return
        self._rows = rows
        self._drawn = None
        width = max((cell_len(f"{row.at}  {row.operator[:10]:10}  {row.text}") for row in rows), default=len(EMPTY))
        self.virtual_size = Size(width, max(len(rows), 1))
        self.refresh()

    @property
    def lines(self) -> list[str]:
        """The text of each line as shown (for tests and tooling)."""
        return [line.plain for line in self._drawn_lines()]

    def _drawn_lines(self) -> list[Text]:
        """The lines drawn with the styles in force (a new theme draws them again)."""
        styles = tuple(self.get_component_rich_style(name, partial=True) for name in STYLES)
        if self._drawn is None or self._drawn[0] != styles:
            time, operator, empty = styles
            lines = [self._line(row, time, operator) for row in self._rows] or [Text(EMPTY, style=empty)]
            self._drawn = (styles, lines)
        return self._drawn[1]

    @staticmethod
    def _line(row: ActivityRow, time, operator) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{row.at}  ", style=time)
        line.append(f"{row.operator[:10]:10}  ", style=operator)
        line.append(row.text)
        return line

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        lines = self._drawn_lines()
        if index >= len(lines):
            return Strip.blank(self.size.width, self.rich_style)
        # Cut at the pane's edge with an ellipsis: one event, one line.
        line = lines[index].copy()
        line.truncate(scroll_x + self.size.width, overflow="ellipsis")
        strip = Strip(list(line.render(self.app.console)))
        return strip.crop_extend(scroll_x, scroll_x + self.size.width, None).apply_style(self.rich_style)
