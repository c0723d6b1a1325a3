"""Checklist panes: pre-deployment, go/no-go by category, post-deployment, smoke tests.

Each item shows its tick as a glyph and, once ticked, who ticked it and when. A pane shows plain
row values (`ChecklistRow`, built by tui/rows.py); the tick's colour is the theme's, resolved
when the line is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.widgets.display import TICKED, UNTICKED

CATEGORY_PREFIX = "category:"


@dataclass(frozen=True)
class ChecklistRow:
    """One checklist item, as shown."""

    item_id: str
    text: str
    category: str | None = None  # go/no-go items are grouped under their category
    ticked: bool = False
    by: str = ""  # who ticked it
    at: str = ""  # when, HH:MM
    conflict: bool = False  # a concurrent tick or untick displaced another, not resolved yet


def prompt(row: ChecklistRow) -> Content:
    """'☑ Change request approved  ana 08:04' (the tick in the theme's success colour) or '☐ ...'."""
    if not row.ticked:
        shown = Content(f"{UNTICKED} {row.text}")
    else:
        shown = Content.assemble((f"{TICKED} ", "bold $success"), row.text, (f"  {row.by} {row.at}", "dim"))
    return shown + Content.styled("  ⚡ conflict", "bold $warning") if row.conflict else shown


class ChecklistPane(OptionList):
    """One checklist; space or enter asks to toggle the highlighted item."""

    BINDINGS = [
        Binding("space", "select", "Tick", id="checklist.tick"),
        Binding("j", "cursor_down", "Down", show=False, id="checklist.down"),
        Binding("k", "cursor_up", "Up", show=False, id="checklist.up"),
    ]

    class ToggleRequested(Message):
        """Space or enter on an item: tick it if unticked, untick it if ticked."""

        def __init__(self, pane: ChecklistPane, item_id: str) -> None:
            super().__init__()
            self.pane = pane
            self.item_id = item_id

        @property
        def control(self) -> ChecklistPane:
            return self.pane

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: dict[str, ChecklistRow] = {}  # item id -> what its option shows
        self._pending: Sequence[ChecklistRow] | None = None
        self._ready = False

    def on_mount(self) -> None:
        self._ready = True  # is_mounted only turns true after on_mount returns
        if self._pending is not None:  # shown before it was mounted (a lazily mounted tab)
            self.show(self._pending)

    @property
    def rows(self) -> tuple[ChecklistRow, ...]:
        """The items in the order shown (including any waiting for the pane to mount)."""
        return tuple(self._pending if self._pending is not None else self._rows.values())

    @property
    def highlighted_item(self) -> str | None:
        """The id of the item the cursor is on (None before any is highlighted)."""
        if self.highlighted is None:
            return None
        option_id = self.get_option_at_index(self.highlighted).id
        return option_id if option_id and option_id in self._rows else None

    @property
    def ticked_count(self) -> int:
        return sum(row.ticked for row in self.rows)

    def show(self, rows: Sequence[ChecklistRow]) -> None:
        """The items in order; only the options whose row changed are redrawn."""
        if not self._ready:
            self._pending = rows
            return
        self._pending = None
        if [row.item_id for row in rows] != list(self._rows):
            self._rows = {row.item_id: row for row in rows}
            self.set_options(self._options_for(rows))
            return
        for row in rows:
            if row != self._rows[row.item_id]:
                self.replace_option_prompt(row.item_id, prompt(row))
                self._rows[row.item_id] = row

    @staticmethod
    def _options_for(rows: Sequence[ChecklistRow]):
        category = None
        for row in rows:
            if row.category and row.category != category:
                category = row.category
                yield Option(Content.styled(category.upper(), "bold"), id=CATEGORY_PREFIX + category, disabled=True)
            yield Option(prompt(row), id=row.item_id)

    def on_focus(self) -> None:
        if self.highlighted is None:
            first = next((i for i, option in enumerate(self.options) if not option.disabled), None)
            self.highlighted = first

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ToggleRequested(self, event.option.id))
