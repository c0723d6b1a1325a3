"""What the timeline and the probe board share: a table of plain row values drawn line by line
(Textual's line API) with a fixed header line, a row cursor kept in view, and cells laid out in
columns of set widths. Only visible lines are ever rendered, so a table of 1,000 rows costs what
the screen shows.

Rows are frozen values, each with a key. Their styles are the subclass's component classes,
resolved when a line is rendered: a new theme (or any CSS change) repaints every row in it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Row = TypeVar("Row", bound=Hashable)
Palette = Mapping[str, Style]  # component class -> its (partial) Rich style

CELL_PADDING = 2  # one space either side of each cell
SPAN = ""  # a row whose cells hold only this key is one text across every column (a group's heading)


class LineTable(ScrollView, Generic[Row], can_focus=True):
    """Subclasses name a row's key, turn a row into cells with a palette, and lay out columns
    (`_column_keys`, `_widths`)."""

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
    # The component classes rows are styled with (resolved into the palette at render time).
    ROW_STYLES: tuple[str, ...] = ()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._column_keys: list[str] = []
        self._widths: dict[str, int] = {}
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}  # row key -> index
        # What each row was last drawn as: (row, palette, cells). A row or palette change rebuilds it.
        self._drawn: dict[str, tuple[Row, dict[str, Style], dict[str, Text]]] = {}

    # --- what a subclass provides ---------------------------------------------------------------

    @staticmethod
    def row_key(row: Row) -> str:
        raise NotImplementedError

    def _header_cells(self) -> dict[str, Text]:
        raise NotImplementedError

    def _cells(self, row: Row, palette: Palette) -> dict[str, Text]:
        """Every column's text for one row, styled from `palette`."""
        raise NotImplementedError

    def _row_class(self, row: Row) -> str | None:
        """A component class that styles this whole row too (e.g. a phase row), or None."""
        return None

    def _rows_added(self) -> None:
        """New rows arrived (after a fill or an append): lay out again as needed."""
        self._resize_virtual()
        self.refresh()

    # --- the rows ------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Row]:
        """The rows in the order shown."""
        return tuple(self._rows)

    def get_row(self, key: str) -> Row | None:
        index = self._index.get(key)
        return None if index is None else self._rows[index]

    def get_row_index(self, key: str) -> int | None:
        return self._index.get(key)

    def update_rows(self, rows: Iterable[Row]) -> None:
        """Replace rows by key, a new key at the end; repaint only the on-screen lines that changed."""
        changed: list[int] = []
        added = False
        for row in rows:
            key = self.row_key(row)
            index = self._index.get(key)
            if index is None:
                self._index[key] = len(self._rows)
                self._rows.append(row)
                added = True
            elif self._rows[index] is not row and self._rows[index] != row:
                self._rows[index] = row
                changed.append(index)
        if added:
            self._rows_added()
        else:
            self._repaint_rows(changed)

    def _replace_rows(self, rows: Iterable[Row]) -> None:
        self._rows = list(rows)
        self._index = {self.row_key(row): index for index, row in enumerate(self._rows)}
        self._drawn = {key: drawn for key, drawn in self._drawn.items() if key in self._index}
        self._rows_added()

    def _repaint_rows(self, rows: Iterable[int]) -> None:
        top = self.scroll_offset.y
        bottom = top + max(self.size.height - 1, 0)
        for row in rows:
            if top <= row < bottom:  # off-screen rows are painted when scrolled to
                self.refresh_line(row + 1)  # +1: the header line

    def _resize_virtual(self) -> None:
        width = sum(self._widths[key] + CELL_PADDING for key in self._column_keys)
        self.virtual_size = Size(width, len(self._rows) + 1)  # +1: the header line

    # --- the cursor ----------------------------------------------------------------------------

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

    # --- painting ------------------------------------------------------------------------------

    def row_palette(self) -> dict[str, Style]:
        """The row styles of the running theme (Textual caches each until the CSS changes)."""
        return {name: self.get_component_rich_style(name, partial=True) for name in self.ROW_STYLES}

    def _drawn_cells(self, row: Row) -> dict[str, Text]:
        key = self.row_key(row)
        palette = self.row_palette()
        drawn = self._drawn.get(key)
        if drawn is not None and (drawn[0] is row or drawn[0] == row) and drawn[1] == palette:
            return drawn[2]
        cells = self._cells(row, palette)
        self._drawn[key] = (row, palette, cells)
        return cells

    def _row_style(self, index: int) -> Style:
        style = self.rich_style
        row_class = self._row_class(self._rows[index])
        if row_class:
            style += self.get_component_rich_style(row_class)
        if index == self.cursor:
            style += self.get_component_rich_style("line-table--cursor")
        return style

    def render_row(self, index: int) -> Strip:
        """Row `index` as it is painted (on screen or not), from the first column."""
        return self._strip(self._drawn_cells(self._rows[index]), self._row_style(index), 0)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:  # the column titles stay put while the rows scroll
            return self._strip(self._header_cells(), self.get_component_rich_style("line-table--header"), scroll_x)
        index = scroll_y + y - 1
        if index >= len(self._rows):
            return Strip.blank(self.size.width, self.rich_style)
        return self._strip(self._drawn_cells(self._rows[index]), self._row_style(index), scroll_x)

    def _strip(self, cells: Mapping[str, Text], style: Style, scroll_x: int) -> Strip:
        """One line: each shown column's cell cut (with an ellipsis) or padded to its width."""
        line = Text(no_wrap=True, overflow="crop")
        if SPAN in cells:
            line.append(" ")
            line.append_text(cells[SPAN])
        for key in self._column_keys if SPAN not in cells else ():
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
