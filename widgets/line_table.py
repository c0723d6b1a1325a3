"""What the timeline and the probe board share: a table drawn line by line (Textual's line API)
with a fixed header line, a row cursor kept in view, and cells laid out in columns of set widths.
Only visible lines are ever rendered, so a table of 1,000 rows costs what the screen shows.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineTable(ScrollView, can_focus=True):
    """Subclasses fill `_column_keys` and `_widths`, and render rows with `_strip`."""

    COMPONENT_CLASSES = {"line-table--header", "line-table--cursor"}
    DEFAULT_CSS = """
    LineTable { background: $surface; }
    LineTable > .line-table--header { text-style: bold; color: $text-primary; }
    LineTable > .line-table--cursor { background: $block-cursor-blurred-background; }
    LineTable:focus > .line-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    """

    cursor = reactive(0)  # index of the selected row (line `cursor + 1`: line 0 is the header)
    RIGHT_ALIGNED: frozenset[str] = frozenset()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._column_keys: list[str] = []
        self._widths: dict[str, int] = {}

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self) -> None:
        rows_visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows_visible:
            self.scroll_to(y=self.cursor - rows_visible + 1, animate=False)

    # --- what a subclass provides ---------------------------------------------------------------

    def _header_cells(self) -> dict[str, Text]:
        raise NotImplementedError

    def _row_count(self) -> int:
        raise NotImplementedError

    def _row_cells(self, index: int) -> dict[str, Text]:
        raise NotImplementedError

    def _row_class(self, index: int) -> str | None:
        """A component class that styles this row too (e.g. a phase row), or None."""
        return None

    # --- painting ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:  # the column titles stay put while the rows scroll
            return self._strip(self._header_cells(), self.get_component_rich_style("line-table--header"), scroll_x)
        index = scroll_y + y - 1
        if index >= self._row_count():
            return Strip.blank(self.size.width, self.rich_style)
        style = self.rich_style
        row_class = self._row_class(index)
        if row_class:
            style += self.get_component_rich_style(row_class)
        if index == self.cursor:
            style += self.get_component_rich_style("line-table--cursor")
        return self._strip(self._row_cells(index), style, scroll_x)

    def _strip(self, cells: dict[str, Text], style: Style, scroll_x: int) -> Strip:
        """One line: each shown column's cell cut (with an ellipsis) or padded to its width."""
        line = Text(no_wrap=True, overflow="crop")
        for key in self._column_keys:
            width = self._widths[key]
            cell = cells[key].copy()
            cell.truncate(width, overflow="ellipsis")
            padding = " " * (width - cell.cell_len)
            right = key in self.RIGHT_ALIGNED
            line.append(" " + padding if right else " ")
            line.append_text(cell)
            line.append(" " if right else padding + " ")
        strip = Strip(list(line.render(self.app.console))).crop_extend(scroll_x, scroll_x + self.size.width, None)
        return strip.apply_style(style)
