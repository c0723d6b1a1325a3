"""The go/no-go readiness review (`g`): what the room weighs before deciding, and the keys to decide.

It shows ops.review's Readiness as plain Content (runbook text, notes and names are data, never
markup) and closes with the decision and its words; the main screen records it. GO asks for an
optional note (so that pressing g twice never decides), CONDITIONAL GO for its conditions, NO-GO
asks first and then for its reason.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from warroom.ops.decisions import NEEDS_WORDS
from warroom.ops.review import CategoryReview, Readiness, ReviewItem
from warroom.tui.screens import Confirm, ReadingDialog, TextPrompt
from warroom.untrusted import for_screen
from warroom.vocabulary import Decision
from warroom.widgets.display import PROBE_GLYPH, STEP_GLYPH, STEP_WORD, TICKED, UNTICKED, clock, span

# A checklist item's outcome by glyph and word: a waiver is never drawn as a tick.
OUTCOME_MARK = {"passed": f"{TICKED} ticked", "waived": "≈ waived", "failed": "✖ FAILED", "blocked": "■ blocked",
                "": f"{UNTICKED} open"}
OVERDUE_SHOWN = 8  # steps listed; the rest are counted
# What the review's keys ask for each decision (the question, what to write, whether it must be written).
ASKED = {
    Decision.GO: ("Record GO?", "a note for the log (optional); Enter records GO", False),
    Decision.CONDITIONAL: ("Record CONDITIONAL GO: on which conditions?", "the conditions, in words", True),
    Decision.NO_GO: ("Record NO-GO: why?", "the reason, in words", True),
}

Answer = tuple[Decision, str | None]


class ReadinessReview(ReadingDialog[Answer | None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="review.close"),
        Binding("g", "decide('go')", "GO", id="review.go", tooltip="Record GO (asks for an optional note)"),
        Binding("c", "decide('conditional')", "Conditional GO", id="review.conditional",
                tooltip="Record CONDITIONAL GO (asks for the conditions)"),
        Binding("n", "decide('no-go')", "NO-GO", id="review.no_go",
                tooltip="Record NO-GO (asks first, then for the reason)"),
    ]

    def __init__(self, review: Readiness, zone: tzinfo) -> None:
        super().__init__()
        self.review = review
        self.zone = zone

    def compose(self) -> ComposeResult:
        review = self.review
        with VerticalScroll(classes="dialog review"):
            yield Label("Go/No-Go readiness review", classes="dialog-title")
            yield Label("g GO · c CONDITIONAL GO · n NO-GO · j/k scroll · Escape to close", classes="review-keys")
            yield Static(self._latest(), id="review-latest")
            # What stands against a GO first, so that at 80x24 it shows before the long checklist.
            waived = f" · {review.waived} waived" if review.waived else ""
            yield Static(Content(f"Checklist {review.ticked}/{review.total} ticked{waived} · "
                                 f"{len(review.incidents)} open P1/P2 · {counted(len(review.down), 'probe')} DOWN · "
                                 f"{counted(len(review.overdue), 'step')} overdue"), id="review-summary")
            yield Label(f"Open P1/P2 incidents: {len(review.incidents)}", classes="section")
            yield Static(self._incidents(), id="review-incidents")
            yield Label(f"Probes DOWN: {len(review.down)}", classes="section")
            yield Static(Content("\n".join(f"{PROBE_GLYPH['DOWN']} {for_screen(name)} DOWN" for name in review.down))
                         if review.down else Content.styled("none", "dim"), id="review-probes")
            yield Label(f"Steps overdue: {len(review.overdue)}", classes="section")
            yield Static(self._overdue(), id="review-overdue")
            yield Label(f"Go/No-Go checklist {review.ticked}/{review.total} ticked{waived}", classes="section")
            yield Static(Content("\n").join(self._category(category) for category in review.categories)
                         if review.categories else Content.styled("no go/no-go checklist", "dim"),
                         id="review-checklist")
            yield Label("g GO · c CONDITIONAL GO · n NO-GO · Escape to close", classes="dialog-hint")

    def _latest(self) -> Content:
        latest = self.review.latest
        if latest is None:
            return Content.styled("No go/no-go decision recorded yet.", "dim")
        role = f" ({for_screen(latest.role)})" if latest.role else ""
        note = f"\n{NEEDS_WORDS.get(latest.decision, 'note').capitalize()}: {for_screen(latest.note)}" \
            if latest.note else ""
        return Content.assemble("Latest: ", (latest.label, "bold"),
                                f" by {for_screen(latest.operator)}{role} at {clock(latest.at, self.zone)}{note}")

    def _category(self, category: CategoryReview) -> Content:
        lines = [Content.styled(for_screen(category.count_text), "bold")]
        lines += [Content("  " + self._item_line(item)) for item in category.items]
        return Content("\n").join(lines)

    def _item_line(self, item: ReviewItem) -> str:
        by = f" · {for_screen(item.by)} {clock(item.at, self.zone)}" if item.by else ""
        note = f" · {for_screen(item.note)}" if item.note else ""
        return f"{OUTCOME_MARK.get(item.outcome, item.outcome)}  {for_screen(item.text)}{by}{note}"

    def _incidents(self) -> Content:
        if not self.review.incidents:
            return Content.styled("none", "dim")
        return Content("\n".join(
            f"✖ {incident.severity} {for_screen(incident.id)} {for_screen(incident.title)}"
            f" · {incident.status.value} · opened {clock(incident.opened_at, self.zone)}"
            for incident in self.review.incidents))

    def _overdue(self) -> Content:
        overdue = self.review.overdue
        if not overdue:
            return Content.styled("none", "dim")
        lines = [f"{STEP_GLYPH[o.status]} {STEP_WORD[o.status]} {for_screen(o.title)} ({o.step_id})"
                 f" · {span(o.late_by)} {'past its planned end' if o.status.current else 'past its planned start'}"
                 for o in overdue[:OVERDUE_SHOWN]]
        if len(overdue) > OVERDUE_SHOWN:
            lines.append(f"… and {len(overdue) - OVERDUE_SHOWN} more")
        return Content("\n".join(lines))

    # --- deciding ---------------------------------------------------------------------------------

    def action_decide(self, word: str) -> None:
        decision = Decision(word)
        question, placeholder, required = ASKED[decision]
        prompt = TextPrompt(question, placeholder, required=required)
        if decision is Decision.NO_GO:
            self.app.push_screen(Confirm("Record NO-GO? The deployment does not go ahead."),
                                 lambda yes: self._ask(prompt, decision) if yes else None)
        else:
            self._ask(prompt, decision)

    def _ask(self, prompt: TextPrompt, decision: Decision) -> None:
        self.app.push_screen(prompt, partial(self._answered, decision))

    def _answered(self, decision: Decision, note: str | None) -> None:
        """None: the prompt was cancelled, and the review stays open."""
        if note is not None:
            self.dismiss((decision, note or None))


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
