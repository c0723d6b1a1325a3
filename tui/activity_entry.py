"""One entry of the activity log, whole: what happened, who, on which machine, when, about what, and
the full note or reason; for a probe's folded changes, every change.

Everything it shows is built as plain `Content`, never parsed as markup (see warroom.untrusted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from warroom.ops.describe import describe_repeats, free_text, free_text_label, headline
from warroom.runbook.model import Runbook
from warroom.store import Event
from warroom.tui.screens import ReadingDialog
from warroom.untrusted import for_screen
from warroom.vocabulary import EventKind
from warroom.widgets.display import PROBE_GLYPH, full_moment

LABEL_WIDTH = 10
SHORT_ID = 12  # characters of an event's id, as `warroom log --json` can be searched for it


def state_text(state: object) -> str:
    """'✖ DOWN': a probe state by glyph and word; a state this release does not know, as written."""
    word = for_screen(str(state if state is not None else "?"))
    return f"{PROBE_GLYPH[word]} {word}" if word in PROBE_GLYPH else word


def fields(rows: Sequence[tuple[str, str]]) -> Content:
    """'Label    value' lines; the values already made safe for the screen."""
    return Content("\n").join(Content.assemble((label.ljust(LABEL_WIDTH), "bold"), value) for label, value in rows)


def subject_text(event: Event, runbook: Runbook) -> str:
    """The subject by its id and, when the runbook knows it, by its name."""
    subject = event.subject
    if not subject:
        return "–"
    if runbook.has_step(subject):
        return f"step {for_screen(subject)} · {for_screen(runbook.step(subject).title)}"
    if runbook.has_item(subject):
        return f"checklist item {for_screen(subject)} · {for_screen(runbook.item(subject).text)}"
    if event.kind == EventKind.PROBE_CHANGED:
        return f"probe {for_screen(subject)}"
    return for_screen(subject)


class ActivityEntry(ReadingDialog[None]):
    """An entry of the activity log in full. `events`: the one event, or a probe's folded changes,
    newest first."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="entry.close")]
    DEFAULT_CSS = "ActivityEntry .activity-entry--text { background: $surface; padding: 0 1; }"

    def __init__(self, events: Sequence[Event], runbook: Runbook, zone: tzinfo) -> None:
        super().__init__()
        self.events = sorted(events, key=lambda event: event.order_key, reverse=True)
        self.runbook = runbook
        self.zone = zone

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            if len(self.events) == 1:
                yield from self._one(self.events[0])
            else:
                yield from self._repeats(self.events)
            yield Label("Escape, Enter or q to close", classes="dialog-hint")

    def _one(self, event: Event) -> ComposeResult:
        yield Label(Content(for_screen(headline(event, self.runbook))), classes="dialog-title")
        rows = [
            ("What", f"{for_screen(event.kind.replace('.', ' '))} ({for_screen(event.kind)})"),
            ("Who", for_screen(event.operator)),
            ("Machine", for_screen(event.node)),
            ("When", full_moment(event.at, self.zone)),
            ("Subject", subject_text(event, self.runbook)),
        ]
        if event.kind == EventKind.PROBE_CHANGED:
            rows.append(("Change", f"{state_text(event.body.get('from'))} → {state_text(event.body.get('to'))}"))
            vantage = event.body.get("vantage")
            if vantage and vantage != event.node:  # recorded for another machine's point of view
                rows.append(("Seen from", for_screen(str(vantage))))
        if event.kind == EventKind.RUNBOOK_LOADED:
            rows.append(("SHA-256", for_screen(str(event.body.get("sha256", "")))))
        rows.append(("Event", for_screen(event.id[:SHORT_ID])))
        yield Static(fields(rows))
        said = free_text(event)
        if said:
            yield Label(free_text_label(event), classes="section")
            yield Static(Content(for_screen(said, lines=True)), classes="activity-entry--text")

    def _repeats(self, changes: Sequence[Event]) -> ComposeResult:
        newest, oldest = changes[0], changes[-1]
        yield Label(Content(for_screen(describe_repeats(changes, self.zone))), classes="dialog-title")
        machines = sorted({change.node for change in changes})
        yield Static(fields([
            ("What", f"{len(changes)} changes of one probe, folded into one entry"),
            ("Who", for_screen(newest.operator)),
            ("Machine", for_screen(", ".join(machines))),
            ("From", full_moment(oldest.at, self.zone)),
            ("To", full_moment(newest.at, self.zone)),
            ("Subject", subject_text(newest, self.runbook)),
        ]))
        yield Label("Changes, newest first", classes="section")
        yield Static(Content("\n").join(self._change_line(change) for change in changes))

    def _change_line(self, change: Event) -> Content:
        body = change.body
        why = free_text(change)
        return Content.assemble(
            (f"{change.at.astimezone(self.zone):%H:%M:%S}  ", "bold"),
            f"{state_text(body.get('to'))} (was {state_text(body.get('from'))})",
            f": {for_screen(why)}" if why else "",
        )
