"""The status update composer `u` opens: the draft (ops.updates.draft_update) in a text area to
edit; ctrl+s posts it, Escape cancels (asking first when it was edited)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from warroom.tui.screens import Confirm


class UpdateComposer(ModalScreen[str | None]):
    """Dismissed with the text to post, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "post", "Post", id="update.post", tooltip="Post the update: record, copy, append"),
        Binding("escape", "cancel", "Cancel", id="update.cancel", tooltip="Cancel (asks first when edited)"),
    ]

    def __init__(self, draft: str, where: str = "") -> None:
        """`where`: the file posted updates are appended to, named in the hint ('' when none)."""
        super().__init__()
        self.draft = draft
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog update-composer"):
            yield Label("Status update", classes="dialog-title")
            yield TextArea(self.draft, id="update-text", soft_wrap=True, show_line_numbers=False)
            also = f", appends it to {self.where}" if self.where else ""
            yield Label(f"ctrl+s posts it (copies it to the clipboard{also}) · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_post(self) -> None:
        if not self.text.strip():
            self.notify("The update is empty; write what stakeholders should know, or press Escape.",
                        severity="warning")
            return
        self.dismiss(self.text.strip())

    def action_cancel(self) -> None:
        if self.text == self.draft:
            self.dismiss(None)
            return
        self.app.push_screen(Confirm("Discard the edited update? Nothing is posted."), self._discard_if)

    def _discard_if(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)
