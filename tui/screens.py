"""Modal screens: ask for a line of text, confirm a consequential action, show a step in full.

Everything they show is built as plain `Content`, never parsed as markup: a step title, a note or a
command may hold `[`, `\\` or escape sequences, and must appear as written (see warroom.untrusted).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Input, Label, Static

from warroom.runbook import format_duration
from warroom.runbook.model import Step, TeamMember
from warroom.store import StepState
from warroom.untrusted import for_screen
from warroom.widgets.activity import ActivityRow
from warroom.widgets.display import PROBE_GLYPH, STEP_GLYPH, STEP_WORD

NONE = Content.styled("none", "dim")


class TextPrompt(ModalScreen[str | None]):
    """One line of text; Enter submits, Escape cancels. `required` refuses an empty answer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", required: bool = False,
                 details: Sequence[str] = ()) -> None:
        """`details`: lines under the question (what stands in the way, say), each shown as written."""
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.required = required
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(for_screen(self.prompt_title)), classes="dialog-title")
            if self.details:
                yield Label(Content("\n".join(for_screen(line) for line in self.details)), classes="dialog-details")
            yield Input(placeholder=self.placeholder)
            yield Label("Enter to save · Escape to cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.notify("Write a reason first, or press Escape to cancel.", severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question for actions that change what others rely on."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(for_screen(self.question)), classes="dialog-title")
            yield Label("y yes · n no", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ReadingDialog(ModalScreen[ScreenResultType]):
    """A dialog to read (the step, a probe's history, an activity entry, the keys): j/k and the
    arrows scroll it, and each subclass names its keys to close it. Its body is one VerticalScroll."""

    BINDINGS = [
        Binding("j,down", "scroll(1)", "Down", show=False, id="reading.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="reading.up"),
        Binding("pagedown", "scroll(10)", "Page down", show=False, id="reading.page_down"),
        Binding("pageup", "scroll(-10)", "Page up", show=False, id="reading.page_up"),
    ]

    def action_scroll(self, lines: int) -> None:
        scroller = self.query_one(VerticalScroll)
        scroller.scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


class StepDetail(ReadingDialog[str | None]):
    """Everything about one step: the plan, its live status, its history and notes. The step keys
    work here too: the detail closes with the action, and the main screen acts on this step."""

    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="detail.close"),
        Binding("s", "act('start')", "Start", id="detail.start"),
        Binding("d", "act('done')", "Done", id="detail.done"),
        Binding("f", "act('fail')", "Fail", id="detail.fail"),
        Binding("x", "act('skip')", "Skip", id="detail.skip"),
        Binding("r", "act('reopen')", "Reopen", id="detail.reopen"),
        Binding("n", "act('note')", "Note", id="detail.note"),
        Binding("a", "act('signoff')", "Sign off", id="detail.signoff",
                tooltip="Sign off on this step (one that needs sign-offs); again to withdraw yours"),
        Binding("K", "act('keep')", "Keep", show=False, id="detail.keep",
                tooltip="Keep the standing version and clear the conflict (only on a step marked ⚡)"),
    ]

    def __init__(self, step: Step, status: StepState, history: Sequence[ActivityRow],
                 probe_states: dict[str, str] | None = None, conflict: Sequence[tuple[str, str]] = (),
                 owners: Sequence[TeamMember] = (), owner_unheld: bool = False, *,
                 signoffs: Sequence[str] = ()) -> None:
        """`history`: the step's events, oldest first, as the activity log shows them. `conflict`:
        when concurrent changes met, ("Standing" or "Displaced", the version in words) lines.
        `owners`: the team members the roster names for its owner; `owner_unheld`: nobody here holds
        that role (and the step is not finished). `signoffs`: for a step that needs them, how many
        it has ('1 of 2 sign-offs') and who signed."""
        super().__init__()
        self.owners = owners
        self.owner_unheld = owner_unheld
        self.signoffs = signoffs
        self.conflict = conflict
        self.probe_states = probe_states or {}
        self.step = step
        self.status = status
        self.history = history

    def compose(self) -> ComposeResult:
        step, status = self.step, self.status
        with VerticalScroll(classes="dialog"):
            yield Label(Content.assemble(for_screen(step.title), (f"  {step.id}", "dim")), classes="dialog-title")
            yield Static(Content.assemble(
                f"{STEP_GLYPH[status.status]} {STEP_WORD[status.status]}"
                f" · phase {for_screen(step.phase)} · owner {for_screen(step.owner or '–')}"
                f" · planned {format_duration(step.duration)}"
                + (f" · needs {step.approval} sign-offs" if step.approval else "")
                + (f" · after {', '.join(step.after)}" if step.after else ""),
                *((("\n" + for_screen(status.note, lines=True), "bold"),) if status.note else ()),
            ))
            if self.owners or self.owner_unheld:
                yield Static(self._owner_text())
            if self.signoffs:
                yield Label("Sign-offs", classes="section")
                yield Static(Content("\n".join(self.signoffs)))
            if self.conflict:
                yield Label("⚡ Conflict: changed on two machines at once", classes="section conflict")
                yield Static(Content("\n".join(f"{label}: {text}" for label, text in self.conflict)
                                     + "\nK keeps the standing version and clears the marker for everyone; "
                                       "or change the step again, then K"))
            for label, text in (
                ("Command", step.command),
                ("Validation", "\n".join(self._validation_line(v) for v in step.validate)),
                ("Rollback", step.rollback),
            ):
                yield Label(label, classes="section")
                yield Static(Content(for_screen(text, lines=True)) if text else NONE,
                             classes="code" if label != "Validation" else "")
            yield Label("History and notes", classes="section")
            lines = [f"{row.at}  {row.operator}  {row.text}" for row in self.history]
            yield Static(Content("\n".join(lines)) if lines else Content.styled("nothing recorded yet", "dim"))
            yield Label("s start · d done · f fail · x skip · r reopen · n note"
                        + (" · a sign off" if self.step.approval else "") + " · Escape to close",
                        classes="dialog-hint")

    def _owner_text(self) -> Content:
        """'Owner DBA: Lee Park +34 600 000 002', and '? nobody here holds DBA' when nobody does."""
        role = for_screen(self.step.owner or "")
        people = "; ".join(for_screen(f"{m.name} {m.phone}" if m.phone else m.name) for m in self.owners)
        named = Content(f"Owner {role}: {people}") if people else Content("")
        if not self.owner_unheld:
            return named
        return named + Content.styled(f"{chr(10) if people else ''}? nobody here holds {role}", "bold $warning")

    def _validation_line(self, validation) -> str:
        """A probe check with its live state (glyph and word), a human check as written."""
        if not validation.probe:
            return str(validation)
        state = self.probe_states.get(validation.probe, "UNKNOWN")
        return f"probe {validation.probe}: {PROBE_GLYPH[state]} {state}"

    def action_act(self, action: str) -> None:
        if action == "keep" and not self.conflict:
            self.notify("This step has no conflict to resolve.", severity="warning")
            return
        self.dismiss(action)


class KeysHelp(ReadingDialog[None]):
    """The keys that act where the operator is: those of the focused pane first, then those that
    work everywhere; each with what it does. `?` opens it, any of escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="keys.close")]

    def __init__(self, pane: str, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> None:
        """`sections`: (heading, [(key, what it does)]) in the order shown."""
        super().__init__()
        self.pane = pane
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(Content(f"Keys in {for_screen(self.pane)}"), classes="dialog-title")
            for heading, keys in self.sections:
                yield Label(Content(heading), classes="section")
                width = max(len(key) for key, _ in keys)
                yield Static(Content.assemble(*(
                    part for number, (key, what) in enumerate(keys)
                    for part in (("\n" if number else ""), (f"{key:>{width}}", "bold"), f"  {what}")
                )))
            yield Label("Escape to close · ctrl+p finds any command by name", classes="dialog-hint")
