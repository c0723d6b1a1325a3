"""Incidents in the console: the form `i` opens (severity, title, description, owner, the step it
happened on) and an incident's detail with what can be done to it (make active, resolve, close,
add a note, change severity). The main screen records what they answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from warroom.ops.actions import UsageProblem
from warroom.store import Incident
from warroom.tui.screens import ReadingDialog
from warroom.untrusted import for_screen
from warroom.vocabulary import SEVERITIES
from warroom.widgets.activity import ActivityRow


@dataclass(frozen=True)
class IncidentDraft:
    """What the form was filled with: ready for ops.incidents.open_incident."""

    severity: str
    title: str
    description: str | None
    owner: str | None
    step_id: str | None
    item_id: str | None


class SeverityButton(RadioButton):
    """A radio button whose dot shows only when it is the one pressed: Textual's draws the dot in
    every button, the pressed one told by colour alone, which NO_COLOR does not show."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button


class IncidentForm(ModalScreen[IncidentDraft | None]):
    """A new incident. Enter (in any field) or ctrl+s opens it; Escape cancels. `check` is asked
    before the form closes (an empty title, a step the runbook lacks): its UsageProblem is shown
    in the form, which stays open."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="incident_form.cancel"),
        Binding("ctrl+s", "submit", "Open", id="incident_form.submit", tooltip="Open the incident"),
    ]

    def __init__(self, *, severity: str = "P2", title: str = "", owner: str = "", step_id: str | None = None,
                 item_id: str | None = None, item_text: str = "", description: str = "",
                 check: Callable[[IncidentDraft], None] | None = None) -> None:
        super().__init__()
        self.severity = severity if severity in SEVERITIES else "P2"
        self.initial_title = title
        self.initial_description = description
        self.owner = owner
        self.step_id = step_id
        self.item_id = item_id
        self.item_text = item_text
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog incident-form"):
            yield Label("New incident (P1 critical · P2 high · P3 medium · P4 low)", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Severity", classes="form-label")
                with RadioSet(id="incident-severity"):
                    for severity in SEVERITIES:
                        yield SeverityButton(severity, value=severity == self.severity,
                                          id=f"sev-{severity}")
            yield from self._field("incident-title", "Title", self.initial_title,
                                   "required: what is wrong, in a few words")
            yield from self._field("incident-description", "Description", self.initial_description, "optional")
            yield from self._field("incident-owner", "Owner", self.owner, "who works on it")
            yield from self._field("incident-step", "Step", self.step_id or "", "the step it happened on (optional)")
            if self.item_id:
                yield Label(Content(f"Smoke test: {for_screen(self.item_text or self.item_id)}"))
            yield Label("", id="incident-problem", classes="form-problem")
            yield Label("Enter opens it · Tab: next field · severity: ←→ then space · Escape cancels",
                        classes="dialog-hint")

    @staticmethod
    def _field(field_id: str, title: str, value: str, placeholder: str) -> ComposeResult:
        """One line: its name, then the field."""
        with Horizontal(classes="form-row"):
            yield Label(title, classes="form-label")
            yield Input(value=value, placeholder=placeholder, id=field_id)

    def on_mount(self) -> None:
        self.query_one("#incident-title", Input).focus()
        self.call_after_refresh(self._highlight_severity)

    def _highlight_severity(self) -> None:
        """The RadioSet's cursor starts on its first button: put it on the one pressed, so that
        ←→ move from there."""
        radio = self.query_one(RadioSet)
        for _ in range(SEVERITIES.index(self.severity)):
            radio.action_next_button()

    def _value(self, field_id: str) -> str | None:
        return self.query_one(f"#{field_id}", Input).value.strip() or None

    @property
    def chosen_severity(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id.removeprefix("sev-") if pressed is not None and pressed.id else self.severity

    def draft(self) -> IncidentDraft:
        return IncidentDraft(self.chosen_severity, self._value("incident-title") or "",
                             self._value("incident-description"), self._value("incident-owner"),
                             self._value("incident-step"), self.item_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        draft = self.draft()
        try:
            if not draft.title:
                raise UsageProblem("Give the incident a title: a few words on what is wrong.")
            if self.check is not None:
                self.check(draft)
        except UsageProblem as problem:
            said = str(problem)
            self.query_one("#incident-problem", Label).update(Content(f"⚠ {said[0].upper()}{said[1:]}"))
            if not draft.title:
                self.query_one("#incident-title", Input).focus()
            return
        self.dismiss(draft)

    def action_cancel(self) -> None:
        self.dismiss(None)


class IncidentDetail(ReadingDialog[str | None]):
    """One incident in full, its history, and its actions: the detail closes with the action's
    name and the main screen asks what it needs (the resolution, the note, the severity, the owner)."""

    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="incident.close"),
        Binding("a", "act('active')", "Active", id="incident.active", tooltip="Make the incident active"),
        Binding("v", "act('resolved')", "Resolve", id="incident.resolve", tooltip="Resolve (asks the resolution)"),
        Binding("c", "act('closed')", "Close incident", id="incident.closed", tooltip="Close the incident"),
        Binding("n", "act('note')", "Note", id="incident.note", tooltip="Add a note to the incident"),
        Binding("p", "act('severity')", "Severity", id="incident.severity", tooltip="Change the severity"),
        Binding("o", "act('owner')", "Owner", id="incident.owner", tooltip="Hand the incident to someone else"),
    ]

    def __init__(self, incident: Incident, countdown: str, history: Sequence[ActivityRow], zone: tzinfo) -> None:
        super().__init__()
        self.incident = incident
        self.countdown = countdown
        self.history = history
        self.zone = zone

    def compose(self) -> ComposeResult:
        incident, zone = self.incident, self.zone
        opened = incident.opened_at.astimezone(zone)
        facts = [f"{incident.severity} · {incident.status.value}" + (f" · {self.countdown}" if self.countdown else ""),
                 f"owner {for_screen(incident.owner or incident.opened_by)} · opened {opened:%H:%M} by "
                 f"{for_screen(incident.opened_by)}"]
        facts += [f"step {for_screen(incident.step)}"] if incident.step else []
        facts += [f"smoke test {for_screen(incident.item)}"] if incident.item else []
        facts += [f"resolution: {for_screen(incident.resolution)}"] if incident.resolution else []
        with VerticalScroll(classes="dialog"):
            yield Label(Content.assemble(for_screen(incident.title), (f"  {incident.id}", "dim")),
                        classes="dialog-title")
            yield Static(Content("\n".join(facts)))
            if incident.description:
                yield Label("Description", classes="section")
                yield Static(Content(for_screen(incident.description, lines=True)))
            yield Label("History and notes", classes="section")
            lines = [f"{row.at}  {row.operator}  {row.text}" for row in self.history]
            yield Static(Content("\n".join(lines)) if lines else Content.styled("nothing recorded yet", "dim"))
            yield Label("a active · v resolve · c close it · n note · p severity · o owner · Escape back",
                        classes="dialog-hint")

    def action_act(self, action: str) -> None:
        self.dismiss(action)
