"""Checklist panes: pre-deployment, go/no-go by category, post-deployment, smoke tests.

Each item shows its tick as a glyph and, once ticked, who ticked it and when.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.runbook.model import Checklist
from warroom.store import RunState
from warroom.widgets.display import TICKED, UNTICKED, clock, theme_colour


class ChecklistPane(OptionList):
    """One checklist; space or enter asks to toggle the highlighted item."""

    BINDINGS = [
        Binding("space", "select", "Tick", id="checklist.tick"),
        Binding("j", "cursor_down", "Down", show=False, id="checklist.down"),
        Binding("k", "cursor_up", "Up", show=False, id="checklist.up"),
    ]

    class ToggleRequested(Message):
        def __init__(self, item_id: str) -> None:
            super().__init__()
            self.item_id = item_id

    def __init__(self, checklist: Checklist, zone: tzinfo, **kwargs) -> None:
        super().__init__(**kwargs)
        self.checklist = checklist
        self.zone = zone
        self._prompts: dict[str, Text] = {}
        self._state: RunState | None = None
        self._ready = False

    def on_mount(self) -> None:
        self._ready = True  # is_mounted only turns true after on_mount returns
        if self._state is not None:  # shown before it was mounted (a lazily mounted tab)
            self.show(self._state)

    def show(self, state: RunState) -> None:
        self._state = state
        if not self._ready:
            return
        if not self.option_count:
            self.add_options(self._build_options(state))
            return
        for item in self.checklist.items:
            prompt = self._prompt(item, state)
            if prompt != self._prompts.get(item.id):
                self.replace_option_prompt(item.id, prompt)
                self._prompts[item.id] = prompt

    def on_focus(self) -> None:
        if self.highlighted is None:
            first = next((i for i, option in enumerate(self.options) if not option.disabled), None)
            self.highlighted = first

    def ticked_count(self, state: RunState) -> int:
        return sum(state.check(item.id).ticked for item in self.checklist.items)

    def _build_options(self, state: RunState):
        category = None
        for item in self.checklist.items:
            if item.category and item.category != category:
                category = item.category
                yield Option(Text(category.upper(), style="bold"), id=f"category:{category}", disabled=True)
            self._prompts[item.id] = self._prompt(item, state)
            yield Option(self._prompts[item.id], id=item.id)

    def _prompt(self, item, state: RunState) -> Text:
        check = state.check(item.id)
        if not check.ticked:
            return Text(f"{UNTICKED} {item.text}")
        success = theme_colour(self.app.get_css_variables(), "success")
        return Text.assemble((f"{TICKED} ", f"bold {success}"), item.text, (f"  {check.by} {clock(check.at, self.zone)}", "dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ToggleRequested(event.option.id))
