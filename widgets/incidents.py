"""The incidents pane: every incident in the order the screen gives (open first, by severity, then
age), two lines each: severity, id, status and the countdown to its next target, then the title,
owner and age. Overdue reads by glyph and word ('⚠ OVERDUE respond 4m') and in the error colour.
Enter on an incident asks for its detail (IncidentSelected)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

EMPTY_ID = "incidents:none"
STATUS_GLYPH = {"new": "◆", "active": "▶", "resolved": "✔", "closed": "■"}
SEVERITY_STYLE = {"P1": "bold $error", "P2": "bold $warning", "P3": "bold", "P4": ""}


@dataclass(frozen=True)
class IncidentRow:
    """One incident, as shown (tui/day_rows.py builds it)."""

    incident_id: str
    severity: str  # P1..P4
    status: str  # new, active, resolved, closed
    title: str
    owner: str
    age: str  # since it was opened: 12m, 3h
    countdown: str = ""  # 'respond in 12m', '⚠ OVERDUE respond 4m'; '' once resolved or closed
    overdue: bool = False


def prompt(row: IncidentRow) -> Content:
    """'P1 INC-3fa2c1 ▶ active · ⚠ OVERDUE respond 4m' over '   Checkout 500s · ana · 12m'."""
    is_open = row.status in ("new", "active")
    countdown = Content.styled(row.countdown, "bold $error" if row.overdue else "$warning" if is_open else "")
    first = Content.assemble((row.severity, SEVERITY_STYLE.get(row.severity, "") if is_open else "dim"),
                             f" {row.incident_id} ", f"{STATUS_GLYPH.get(row.status, '?')} {row.status}",
                             *((" · ", countdown) if row.countdown else ()))
    second = Content.assemble("   ", row.title, (f" · {row.owner or '–'} · {row.age}", "dim"))
    return first + "\n" + second


class IncidentsPane(OptionList):
    """The incident log; enter asks to open the highlighted incident's detail."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="incidents.down"),
        Binding("k", "cursor_up", "Up", show=False, id="incidents.up"),
    ]

    class IncidentSelected(Message):
        def __init__(self, pane: IncidentsPane, incident_id: str) -> None:
            super().__init__()
            self.pane = pane
            self.incident_id = incident_id

        @property
        def control(self) -> IncidentsPane:
            return self.pane

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: tuple[IncidentRow, ...] | None = None

    @property
    def rows(self) -> tuple[IncidentRow, ...]:
        return self._rows or ()

    @property
    def open_count(self) -> int:
        return sum(row.status in ("new", "active") for row in self.rows)

    @property
    def overdue_count(self) -> int:
        return sum(row.overdue for row in self.rows)

    @property
    def lines(self) -> list[str]:
        """The options as plain text, in order (what a test or a screen reader reads)."""
        return [prompt(row).plain for row in self.rows]

    def show(self, rows: Sequence[IncidentRow]) -> None:
        """Redrawn only when a row changed (most repaints are the clock's, a minute apart for a countdown)."""
        rows = tuple(rows)
        if rows == self._rows:
            return
        highlighted = self.highlighted_incident
        self._rows = rows
        if not rows:
            self.set_options([Option(Content.styled("No incidents · i opens one", "dim"), id=EMPTY_ID,
                                     disabled=True)])
            return
        self.set_options([Option(prompt(row), id=row.incident_id) for row in rows])
        ids = [row.incident_id for row in rows]
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)

    @property
    def highlighted_incident(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        option_id = self.get_option_at_index(self.highlighted).id
        return None if option_id in (None, EMPTY_ID) else option_id

    def on_focus(self) -> None:
        if self.highlighted is None and self._rows:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != EMPTY_ID:
            self.post_message(self.IncidentSelected(self, event.option.id))
