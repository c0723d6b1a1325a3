"""The team roster (`t`) and the picker of the roles an operator holds in this run.

The roster reads the runbook's team against the ledger: who holds each role now, and whether
anyone holding it has been seen. The picker asks which roles this operator holds; the main screen
records the answer (roles.declared).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Label, SelectionList, Static
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from warroom.ops.people import RosterEntry
from warroom.tui.screens import ReadingDialog
from warroom.untrusted import for_screen

SEEN = "✓ seen"
NOT_SEEN = "— not seen"


class RoleList(SelectionList[str]):
    """A SelectionList whose box reads ✓ when ticked and stays empty when not: Textual's draws the
    same X in both, told apart by colour alone, which NO_COLOR and many jump hosts do not show."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        segments[1] = Segment("✓" if option.value in self.selected else " ", segments[1].style)
        return Strip(segments, line.cell_length)


class RolePicker(ModalScreen[tuple[str, ...] | None]):
    """Which of the team's roles this operator holds: space ticks a role, Enter records the ticked
    ones, Escape leaves it for now."""

    BINDINGS = [
        Binding("enter", "record", "Record", priority=True, id="roles.record"),
        Binding("escape", "skip", "Not now", id="roles.skip"),
    ]

    def __init__(self, roles: Sequence[str], held: Sequence[str] = (), operator: str = "") -> None:
        """`roles`: the team's roles, in its order; `held`: those ticked to begin with."""
        super().__init__()
        self.roles = tuple(roles)
        self.held = frozenset(held)
        self.operator = operator

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            who = f" ({for_screen(self.operator)})" if self.operator else ""
            yield Label(Content(f"Which roles do you hold in this run{who}?"), classes="dialog-title")
            yield RoleList(*((for_screen(role), role, role in self.held) for role in self.roles), id="role-list")
            yield Label("space ticks a role · Enter records · Escape: not now", classes="dialog-hint")

    def on_mount(self) -> None:
        for role_list in self.query(RoleList):  # none when the app quits as the picker opens
            role_list.focus()

    @property
    def chosen(self) -> tuple[str, ...]:
        """The ticked roles, in the team's order."""
        ticked = set(self.query_one(SelectionList).selected)
        return tuple(role for role in self.roles if role in ticked)

    def action_record(self) -> None:
        self.dismiss(self.chosen)

    def action_skip(self) -> None:
        self.dismiss(None)


def roster_lines(entry: RosterEntry) -> Content:
    """Two lines, whole at 80 columns: 'DBA · Lee Park · +34 600 000 002', then
    '    held by lee ✓ seen' or '    nobody holds it — not seen'."""
    phone = f" · {for_screen(entry.phone)}" if entry.phone else ""
    first = Content.assemble((for_screen(entry.role), "bold"), f" · {for_screen(entry.name)}{phone}\n    ")
    if entry.holders:
        held = ", ".join(for_screen(name) for name in entry.holders)
        return first + Content.assemble(f"held by {held} ", (SEEN, "$success"))
    return first + Content.assemble("nobody holds it ", (NOT_SEEN, "$warning"))


class Roster(ReadingDialog[str | None]):
    """The team: role, name, phone, who holds the role now and whether they have been seen in the
    ledger. `r` changes this operator's own roles (the screen opens the picker)."""

    BINDINGS = [
        Binding("escape,t,q", "close", "Close", id="roster.close"),
        Binding("r", "roles", "My roles", id="roster.roles", tooltip="Change the roles you hold in this run"),
    ]

    def __init__(self, entries: Sequence[RosterEntry], mine: Sequence[str], operator: str) -> None:
        """`mine`: the roles this operator holds now."""
        super().__init__()
        self.entries = tuple(entries)
        self.mine = tuple(mine)
        self.operator = operator

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("Team roster", classes="dialog-title")
            lines = [roster_lines(entry) for entry in self.entries]
            yield Static(Content("\n").join(lines) if lines else Content.styled("This runbook names no team.", "dim"),
                         id="roster-lines")
            roles = ", ".join(for_screen(role) for role in self.mine) or "none"
            yield Label(Content(f"You ({for_screen(self.operator)}) hold: {roles}"), classes="section")
            yield Label("r changes your roles · Escape to close", classes="dialog-hint")

    def action_roles(self) -> None:
        self.dismiss("roles")
