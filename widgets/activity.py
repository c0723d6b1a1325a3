"""The activity log: newest first, time, operator, what happened, each entry wrapped to the pane.

It shows plain row values (`ActivityRow`: the time, who, the event already described in words and
its kind; tui/rows.py builds them and folds a flapping probe's changes into one row). Drawn line by
line (Textual's line API): an entry is wrapped when it arrives or when the width changes, and a new
event repaints the visible lines only, where a Static holding the whole text would make Textual lay
out the entire screen again on every event. An entry takes at most `ENTRY_LINES` lines; Enter shows
it whole.

While the log has focus a cursor highlights one entry: Enter or a click on it posts `EntrySelected`
with its events' ids, and the screen opens them. `e` and `o` filter by kind and by operator; `0` or
Escape shows everything again. What is filtered is said on the log's top line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Span, Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

EMPTY = "nothing recorded yet"
# What `e` steps through after "everything" (ActivityRow.kind values), and how the top line says it.
KINDS = ("step", "check", "note", "probe", "decision", "incident", "update")
KIND_WORDS = {"step": "steps", "check": "checks", "note": "notes", "probe": "probe changes",
              "decision": "decisions", "incident": "incidents", "update": "status updates"}
ENTRY_LINES = 3  # the most lines one entry takes on screen; Enter shows the rest
WIDE = 60  # cells: from here the operator has a column of its own, below it ends the entry
OPERATOR_WIDTH = (4, 14)  # the operator column's narrowest and widest
TIME_WIDTH = 5  # HH:MM
GAP = "  "
NARROWEST_TEXT = 8  # cells left for the words, however narrow the pane
STYLES = ("activity-log--time", "activity-log--operator", "activity-log--empty", "activity-log--filter")


@dataclass(frozen=True)
class ActivityRow:
    """One entry, as shown: an event, or a probe's repeated changes folded into one."""

    key: str  # the (newest) event's id
    at: str  # HH:MM in the deployment's time zone
    operator: str
    text: str  # what happened, in words
    kind: str = "other"  # one of KINDS or other: what the kind filter matches
    events: tuple[str, ...] = ()  # the ids of the events it stands for, newest first (`key` the first)

    @property
    def event_ids(self) -> tuple[str, ...]:
        return self.events or (self.key,)


def matching(rows: Sequence[ActivityRow], kind: str | None, operator: str | None) -> tuple[ActivityRow, ...]:
    """The rows of that kind by that operator (None: any)."""
    return tuple(row for row in rows
                 if (kind is None or row.kind == kind) and (operator is None or row.operator == operator))


def filter_words(kind: str | None, operator: str | None) -> str:
    """What the log is showing, in words: 'steps only · by ana'; '' when it shows everything."""
    return " · ".join(([f"{KIND_WORDS[kind]} only"] if kind else []) + ([f"by {operator}"] if operator else []))


def nothing_matches(kind: str | None, operator: str | None, loaded: int) -> str:
    what = KIND_WORDS[kind] if kind else "entries"
    who = f" by {operator}" if operator else ""
    return f"no {what}{who} among the {loaded} latest entries · 0 shows all"


def operator_width(rows: Sequence[ActivityRow]) -> int:
    """The operator column fits the longest name in the log (every row: a filter moves nothing)."""
    longest = max((cell_len(row.operator) for row in rows), default=0)
    return min(max(longest, OPERATOR_WIDTH[0]), OPERATOR_WIDTH[1])


_WORD = re.compile(r"\S+")


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where each line of `text` wrapped at `width` cells starts and ends (spaces at a break left
    out): greedy, at spaces, a word wider than a line cut where it reaches the edge. Much cheaper
    than Rich's wrap, which matters when a hundred entries are wrapped at once (a resize)."""
    width = max(width, 1)
    measure = len if text.isascii() or cell_len(text) == len(text) else cell_len  # one cell a character: count
    spans: list[tuple[int, int]] = []
    start = end = used = 0  # the line being filled: text[start:end], `used` cells
    for word in _WORD.finditer(text):
        cells = measure(word.group())
        if end > start:  # the line holds a word already: this one follows if it fits
            added = measure(text[end:word.start()]) + cells
            if used + added <= width:
                end, used = word.end(), used + added
                continue
            spans.append((start, end))
        start = word.start()
        while cells > width:  # a word wider than a line: whole lines of it
            cut = fit(text, start, width)
            spans.append((start, cut))
            cells -= measure(text[start:cut])
            start = cut
        end, used = word.end(), cells
    if end > start:
        spans.append((start, end))
    return spans or [(0, 0)]


def fit(text: str, start: int, width: int) -> int:
    """The end of the longest run of `text` from `start` that fits in `width` cells (one character
    at least, so that wrapping always moves on)."""
    width = max(width, 1)
    chunk = text[start:start + width]  # no character is narrower than a cell (zero-width ones aside)
    if cell_len(chunk) <= width:
        return start + max(len(chunk), 1) if chunk else start
    used = end = 0
    while used + cell_len(chunk[end]) <= width:  # wide characters: fewer of them fit
        used += cell_len(chunk[end])
        end += 1
    return start + max(end, 1)


def next_in(choices: Sequence[str], current: str | None) -> str | None:
    """The choice after `current` (None is 'all', before the first); after the last, None again."""
    if current not in choices:
        return choices[0] if choices else None
    index = choices.index(current) + 1
    return choices[index] if index < len(choices) else None


@dataclass
class Layout:
    """The shown entries wrapped for one width: every line with the entry it belongs to."""

    lines: list[tuple[int, Text]]  # (entry index, the line); an entry index of -1: no entry
    tops: list[int]  # each entry's first line

    def entry_lines(self, index: int) -> range:
        end = self.tops[index + 1] if index + 1 < len(self.tops) else len(self.lines)
        return range(self.tops[index], end)


class ActivityLog(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("enter", "select", "Read", id="activity.read", tooltip="The highlighted entry in full"),
        Binding("e", "cycle_kind", "Kind", id="activity.kind",
                tooltip="Show only steps, then checks, notes, probe changes, then everything"),
        Binding("o", "cycle_operator", "Who", id="activity.operator",
                tooltip="Show only one operator's entries, each in turn, then everyone's"),
        Binding("0,escape", "show_all", "All", id="activity.all", tooltip="Show every entry again"),
        Binding("down,j", "move(1)", "Down", show=False, id="activity.down"),
        Binding("up,k", "move(-1)", "Up", show=False, id="activity.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="activity.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="activity.page_up"),
        Binding("home", "jump(-1)", "Newest", show=False, id="activity.newest"),
        Binding("end", "jump(1)", "Oldest", show=False, id="activity.oldest"),
    ]
    COMPONENT_CLASSES = {*STYLES, "activity-log--cursor"}
    DEFAULT_CSS = """
    ActivityLog {
        background: $surface;
        overflow-x: hidden;
        scrollbar-gutter: stable;  /* the width to wrap at stays put when the scrollbar comes */
        scrollbar-size-vertical: 1;
    }
    ActivityLog > .activity-log--time { text-style: bold; }
    ActivityLog > .activity-log--operator { text-style: dim; }
    ActivityLog > .activity-log--empty { text-style: dim; }
    ActivityLog > .activity-log--filter { text-style: bold; color: $warning; }
    ActivityLog > .activity-log--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    """

    class EntrySelected(Message):
        """Enter, or a click on the highlighted entry: the ids of the events it stands for."""

        def __init__(self, log: ActivityLog, event_ids: tuple[str, ...]) -> None:
            super().__init__()
            self.log = log
            self.event_ids = event_ids

        @property
        def control(self) -> ActivityLog:
            return self.log

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: tuple[ActivityRow, ...] = ()
        self._shown: tuple[ActivityRow, ...] = ()  # the rows the filters let through
        self.kind_filter: str | None = None
        self.operator_filter: str | None = None
        self.cursor = 0  # the highlighted entry, an index into the shown rows
        self._layout: Layout | None = None
        # Each row wrapped, for the width and styles in `_wrapped_for`: a new event wraps one row.
        self._wrapped: dict[ActivityRow, list[Text]] = {}
        self._wrapped_for: tuple | None = None
        self._operator_column = OPERATOR_WIDTH[0]
        self._click_opens = False

    # --- what is shown -------------------------------------------------------------------------

    def show(self, rows: Sequence[ActivityRow]) -> None:
        """`rows` newest first; laid out again only when they changed. At the top the log follows
        the newest entry; once the operator has moved down in it (it has focus), the highlighted
        entry stays highlighted, and where it was on screen, as new entries arrive above."""
        rows = tuple(rows)
        if rows == self._rows:
            return
        self._rows = rows
        self._operator_column = operator_width(rows)
        following = self.cursor == 0 and self.scroll_offset.y == 0
        self._refilter(keep=self.has_focus and not following)

    @property
    def rows(self) -> tuple[ActivityRow, ...]:
        """Every row handed to the log, filtered or not."""
        return self._rows

    @property
    def entries(self) -> tuple[ActivityRow, ...]:
        """The rows shown, after the filters."""
        return self._shown

    @property
    def lines(self) -> list[str]:
        """The text of each line as drawn, the filter's line first when there is one (for tests)."""
        top = [self._filter_line().plain] if self._filtering else []
        return top + [line.plain for _, line in self._get_layout().lines]

    @property
    def highlighted(self) -> ActivityRow | None:
        return self._shown[self.cursor] if self._shown else None

    @property
    def operators(self) -> list[str]:
        """Everyone with an entry in the log, in alphabetical order."""
        return sorted({row.operator for row in self._rows})

    @property
    def _filtering(self) -> bool:
        return self.kind_filter is not None or self.operator_filter is not None

    def set_filters(self, kind: str | None, operator: str | None) -> None:
        """Show only entries of `kind` (one of KINDS) by `operator`; None for any."""
        self.kind_filter, self.operator_filter = kind, operator
        self._refilter(keep=True)
        self.refresh_bindings()

    def _refilter(self, keep: bool) -> None:
        """Filter and lay out again; with `keep`, the highlighted entry stays where it is on screen."""
        was = self.highlighted if keep else None
        on_screen = self._entry_top(self.cursor) - self.scroll_offset.y if was else 0
        self._shown = matching(self._rows, self.kind_filter, self.operator_filter)
        self.cursor = self._index_of(was) if was else 0
        self._relayout()
        if was and self._shown:
            self.scroll_to(y=max(self._entry_top(self.cursor) - on_screen, 0), animate=False, immediate=True)

    def _index_of(self, row: ActivityRow) -> int:
        """Where `row` is now: the same entry, or the fold that took in its newest event; else the top."""
        for index, shown in enumerate(self._shown):
            if row.key in shown.event_ids:  # an entry's own key is among its event ids
                return index
        return 0

    # --- layout --------------------------------------------------------------------------------

    @property
    def _header_height(self) -> int:
        return 1 if self._filtering else 0

    def _relayout(self) -> None:
        self._layout = None
        width = self.scrollable_content_region.width
        if width <= 0:
            return  # not laid out yet: wrapping waits for the width (on_resize)
        self.virtual_size = Size(width, len(self._get_layout().lines) + self._header_height)
        self.refresh()

    def on_resize(self) -> None:
        self._relayout()
        self._scroll_cursor_into_view()

    def _styles(self) -> tuple[Style, ...]:
        return tuple(self.get_component_rich_style(name, partial=True) for name in STYLES)

    def _get_layout(self) -> Layout:
        width, styles = self.scrollable_content_region.width, self._styles()
        operator_width = self._operator_column
        wrapped_for = (width, styles, operator_width)
        if self._wrapped_for != wrapped_for:
            self._wrapped, self._wrapped_for, self._layout = {}, wrapped_for, None
        if self._layout is None:
            lines: list[tuple[int, Text]] = []
            tops: list[int] = []
            kept: dict[ActivityRow, list[Text]] = {}  # only the rows shown: the cache never outgrows them
            for index, row in enumerate(self._shown):
                tops.append(len(lines))
                wrapped = self._wrapped.get(row)
                if wrapped is None:
                    wrapped = self._wrap(row, width, operator_width, styles)
                kept[row] = wrapped
                lines.extend((index, line) for line in wrapped)
            self._wrapped = kept
            if not self._shown:
                empty = nothing_matches(self.kind_filter, self.operator_filter, len(self._rows)) \
                    if self._filtering and self._rows else EMPTY
                lines = [(-1, line) for line in Text(empty, style=styles[2]).wrap(self.app.console, max(width, 1))]
            self._layout = Layout(lines, tops)
        return self._layout

    def _wrap(self, row: ActivityRow, width: int, operator_width: int, styles: tuple[Style, ...]) -> list[Text]:
        """One entry's lines: the time (and, when wide, the operator) in front, the words wrapped
        beside them, at most ENTRY_LINES lines, the last ending in '…' when there is more. Built
        as plain strings with spans: a hundred entries are wrapped at once after a resize."""
        time_style, operator_style = styles[0], styles[1]
        prefix, spans = row.at.ljust(TIME_WIDTH) + GAP, [Span(0, TIME_WIDTH, time_style)]
        if width >= WIDE:
            operator = row.operator if cell_len(row.operator) <= operator_width else \
                row.operator[:fit(row.operator, 0, operator_width - 1)] + "…"
            spans.append(Span(len(prefix), len(prefix) + len(operator), operator_style))
            prefix += operator + " " * (operator_width - cell_len(operator)) + GAP
        text_width = max(width - cell_len(prefix), NARROWEST_TEXT)
        # Words beyond what ENTRY_LINES lines can hold are never drawn: they are not wrapped either.
        most = text_width * (ENTRY_LINES + 1) * 2
        words, more = row.text[:most], len(row.text) > most
        by_at = len(words)  # where the operator begins, when it ends the entry
        if width < WIDE and not more:  # too narrow for a column: who did it ends the entry
            words += f" · {row.operator}"
        lines = wrap_spans(words, text_width)
        if more or len(lines) > ENTRY_LINES:
            more, lines = True, lines[:ENTRY_LINES]
            start, end = lines[-1]
            lines[-1] = (start, min(end, fit(words, start, text_width - 1)))
        indent = " " * cell_len(prefix)
        drawn = []
        for number, (start, end) in enumerate(lines):
            head = prefix if number == 0 else indent
            plain = head + words[start:end] + ("…" if more and number == len(lines) - 1 else "")
            line_spans = spans if number == 0 else []
            if end > by_at:  # the operator's part of this line
                line_spans = [*line_spans, Span(len(head) + max(start, by_at) - start, len(head) + end - start,
                                                operator_style)]
            drawn.append(Text(plain, spans=line_spans, no_wrap=True, end=""))
        return drawn

    def _entry_top(self, index: int) -> int:
        tops = self._get_layout().tops
        return tops[index] if 0 <= index < len(tops) else 0

    # --- drawing -------------------------------------------------------------------------------

    def _filter_line(self) -> Text:
        return Text(filter_words(self.kind_filter, self.operator_filter) + " · 0 shows all",
                    style=self._styles()[3], no_wrap=True, overflow="ellipsis", end="")

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < self._header_height:  # what is filtered stays in sight while the entries scroll
            return self._strip(self._filter_line(), width, self.rich_style)
        layout = self._get_layout()
        index = self.scroll_offset.y + y - self._header_height
        if index >= len(layout.lines):
            return Strip.blank(width, self.rich_style)
        entry, line = layout.lines[index]
        style = self.rich_style
        if self.has_focus and entry == self.cursor:
            style += self.get_component_rich_style("activity-log--cursor")
        return self._strip(line, width, style)

    def _strip(self, line: Text, width: int, style: Style) -> Strip:
        line = line.copy()
        line.truncate(width, overflow="ellipsis")
        return Strip(list(line.render(self.app.console))).crop_extend(0, width, None).apply_style(style)

    def _refresh_entry(self, index: int) -> None:
        if 0 <= index < len(self._shown):
            for line in self._get_layout().entry_lines(index):
                self.refresh_line(line - self.scroll_offset.y + self._header_height)

    def on_focus(self) -> None:
        self._refresh_entry(self.cursor)

    def on_blur(self) -> None:
        self._refresh_entry(self.cursor)

    # --- moving and choosing -------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        if not self._shown:
            return
        old, self.cursor = self.cursor, min(max(index, 0), len(self._shown) - 1)
        self._refresh_entry(old)
        self._refresh_entry(self.cursor)
        self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self) -> None:
        if not self._shown:
            return
        lines = self._get_layout().entry_lines(self.cursor)
        visible = max(self.scrollable_content_region.height - self._header_height, 1)
        top = self.scroll_offset.y
        if lines.start < top or len(lines) > visible:
            self.scroll_to(y=lines.start, animate=False, immediate=True)
        elif lines.stop > top + visible:
            self.scroll_to(y=lines.stop - visible, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """About a screenful of entries on (most take one line)."""
        self._move_to(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_jump(self, direction: int) -> None:
        self._move_to(0 if direction < 0 else len(self._shown) - 1)

    def action_select(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.EntrySelected(self, row.event_ids))

    def action_cycle_kind(self) -> None:
        self.set_filters(next_in(KINDS, self.kind_filter), self.operator_filter)

    def action_cycle_operator(self) -> None:
        self.set_filters(self.kind_filter, next_in(self.operators, self.operator_filter))

    def action_show_all(self) -> None:
        self.set_filters(None, None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_all":
            return self._filtering  # hidden with nothing to clear, and Escape goes on to others
        return True

    def focus_on_click(self) -> bool:
        # Asked just before a click focuses the log: a click opens the highlighted entry only when
        # the operator could see it highlighted, i.e. the log had focus already.
        self._click_opens = self.has_focus
        return True

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self._header_height:
            return
        layout = self._get_layout()
        line = self.scroll_offset.y + offset.y - self._header_height
        if not 0 <= line < len(layout.lines) or layout.lines[line][0] < 0:
            return
        entry = layout.lines[line][0]
        if entry == self.cursor and (self._click_opens or event.chain >= 2):
            self.action_select()
        else:
            self._move_to(entry)
