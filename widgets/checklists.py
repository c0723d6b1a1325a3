"""Checklist panes: pre-deployment, go/no-go by category, post-deployment, smoke tests.

Each item shows its tick as a glyph and, once ticked, who ticked it and when. A pane shows plain
row values (`ChecklistRow`, built by tui/rows.py); the tick's colour is the theme's, resolved
when the line is drawn.
"""

from __future__ import annotations

from collections import Counter
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
    ticked: bool = False  # passed
    by: str = ""  # who ticked it (or failed, blocked or waived it)
    at: str = ""  # when, HH:MM
    conflict: bool = False  # a concurrent tick or untick displaced another, not resolved yet
    outcome: str = ""  # "", passed, failed, blocked or waived
    note: str = ""  # what failed, why blocked or waived (cut short: the log has it whole)


# Each outcome by glyph and word, so that it reads without colour; a pass keeps the tick's box.
OUTCOME_GLYPH = {"": UNTICKED, "passed": TICKED, "failed": "✗", "blocked": "⊘", "waived": "~"}
OUTCOME_WORD = {"failed": "FAILED", "blocked": "blocked", "waived": "waived"}
COUNTED_AS = {"failed": "✗", "blocked": "⊘", "waived": "waived"}  # in a pane's counts
OUTCOME_STYLE = {"passed": "bold $success", "failed": "bold $error", "blocked": "bold $warning",
                 "waived": "$foreground-muted"}


def prompt(row: ChecklistRow) -> Content:
    """'☑ Change request approved  ana 08:04' (the tick in the theme's success colour), '☐ ...', or
    '✗ Login works  FAILED: 500 on /login  ana 08:04' for a failure, a block or a waiver."""
    outcome = row.outcome or ("passed" if row.ticked else "")
    if not outcome:
        shown = Content(f"{UNTICKED} {row.text}")
    else:
        style = OUTCOME_STYLE[outcome]
        word = OUTCOME_WORD.get(outcome)
        said = (f"  {word}" + (f": {row.note}" if row.note else ""), style) if word else ""
        shown = Content.assemble((f"{OUTCOME_GLYPH[outcome]} ", style), row.text, said,
                                 (f"  {row.by} {row.at}", "dim"))
    return shown + Content.styled("  ⚡ conflict", "bold $warning") if row.conflict else shown


def counts_text(rows: Sequence[ChecklistRow], compact: bool = False) -> str:
    """The passes of all, and each other outcome apart (a waiver is not a pass): '7/10 ✓ · 1 ✗ · 1 waived',
    or compact (a tab's label at 80 columns) '7/10 ✗1 ~1'; '7/10' when all are
    passed or not done yet."""
    outcomes = Counter(row.outcome or ("passed" if row.ticked else "") for row in rows)
    done = f"{outcomes['passed']}/{len(rows)}"
    others = [(outcomes[word], word) for word in OUTCOME_WORD if outcomes[word]]
    if not others:
        return done
    if compact:
        return done + "".join(f" {OUTCOME_GLYPH[word]}{count}" for count, word in others)
    return f"{done} ✓" + "".join(f" · {count} {COUNTED_AS[word]}" for count, word in others)


class ChecklistPane(OptionList):
    """One checklist; space or enter asks to toggle the highlighted item, `w` to waive it (or clear
    its waiver); in the smoke tests, `f` to fail it and `b` to mark it blocked."""

    BINDINGS = [
        Binding("space", "select", "Tick", id="checklist.tick"),
        Binding("f", "outcome('failed')", "Fail", id="checklist.fail",
                tooltip="The highlighted smoke test ran and failed (asks what failed)"),
        Binding("b", "outcome('blocked')", "Blocked", id="checklist.blocked",
                tooltip="The highlighted smoke test could not be run (asks why)"),
        Binding("w", "outcome('waived')", "Waive", id="checklist.waive",
                tooltip="Waive the highlighted item, with the reason (on a waived item: clear the waiver)"),
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

    class OutcomeRequested(Message):
        """`f`, `b` or `w` on an item: record it as failed, blocked or waived (the screen asks why)."""

        def __init__(self, pane: ChecklistPane, item_id: str, outcome: str) -> None:
            super().__init__()
            self.pane = pane
            self.item_id = item_id
            self.outcome = outcome

        @property
        def control(self) -> ChecklistPane:
            return self.pane

    def __init__(self, *, tests: bool = False, **kwargs) -> None:
        """`tests`: the items are tests that run, pass, fail or cannot run (the smoke tests)."""
        super().__init__(**kwargs)
        self.tests = tests
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

    def counts(self, compact: bool = False) -> str:
        """The pane's items by outcome (see counts_text)."""
        return counts_text(self.rows, compact)

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Fail and blocked only where the items are tests: elsewhere they are not offered."""
        if action == "outcome" and parameters and parameters[0] in ("failed", "blocked"):
            return self.tests
        return True

    def action_outcome(self, outcome: str) -> None:
        item_id = self.highlighted_item
        if item_id:
            self.post_message(self.OutcomeRequested(self, item_id, outcome))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ToggleRequested(self, event.option.id))
