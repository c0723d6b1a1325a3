"""The sync screen (Q): sync in full - the export, the last round, what waits to go out, every
peer with how fresh it is and any gap in its chain - then the segments held back because their
key is not trusted here, and segment files refused (torn, tampered, foreign), each with who wrote
it, the key, the events and why.

A quarantined row can be trusted (`t`, asked first): its key goes into this machine's trust file,
and the events it held are applied at once. Nothing here is ever dropped. The app reads the ledger
(in a worker) and hands this screen plain rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from warroom.store.hlc import hlc_to_datetime
from warroom.store.ledger import MACHINE_PREFIX, QUARANTINED, REJECTED, SegmentRecord
from warroom.tui.rows import from_epoch
from warroom.untrusted import for_screen
from warroom.widgets.display import age_text, moment_text

if TYPE_CHECKING:  # not at start-up: sync (and its cryptography) loads only with an export
    from warroom.sync.round import SyncStatus



@dataclass(frozen=True)
class QuarantineRow:
    """One segment held back or refused, as shown."""

    outcome: str  # quarantined | rejected
    writer: str  # the folder it came from in the export
    name: str
    operator: str
    key: str  # the signing key ("" when the segment was refused before its key was read)
    key_id: str
    events: int
    first: int
    last: int
    reason: str
    alarm: bool = False

    @property
    def trustable(self) -> bool:
        return self.outcome == QUARANTINED and bool(self.key and self.operator)


def quarantine_rows(records: Iterable[SegmentRecord],
                    is_alarm: Callable[[str, str], bool] | None = None) -> tuple[QuarantineRow, ...]:
    """Held-back and refused segments as rows, alarms first; `is_alarm(operator, key)` asks the
    trust in force."""
    from warroom.sync.errors import KeyProblem
    from warroom.sync.keys import key_id

    made = []
    for record in records:
        outcome = record.outcome
        try:
            short = key_id(record.key) if record.key else ""
        except KeyProblem:
            short = "?"
        alarm = bool(outcome == QUARANTINED and record.key and is_alarm and is_alarm(record.operator, record.key))
        made.append(QuarantineRow(outcome, record.writer, record.name, record.operator, record.key, short,
                                  record.events, record.first, record.last, record.reason, alarm))
    return tuple(sorted(made, key=lambda row: (not row.alarm, row.outcome != QUARANTINED)))


def status_lines(status: SyncStatus | None, zone: tzinfo, now: datetime) -> list[str]:
    """Sync as a few lines: where, when it last worked (or since when it has not, and why), what
    waits to go out, each peer with the age of its newest event and any gap in its chain."""
    if status is None:
        return ["No round has finished yet."]
    last_ok, down_since = from_epoch(status.last_ok), from_epoch(status.unreachable_since)
    when = "never" if last_ok is None else moment_text(last_ok, zone, now)
    lines = [f"Export {for_screen(status.export, limit=60)}",
             f"Last synced {when} · {status.waiting} event{'s' if status.waiting != 1 else ''} waiting to go out"]
    if down_since is not None:
        lines.append(f"Unreachable since {moment_text(down_since, zone, now)}: "
                     f"{for_screen(status.error or '', limit=160)}")
    if status.clock_ahead:
        lines.append(f"{status.clock_ahead} imported event{'s' if status.clock_ahead != 1 else ''} came with a clock "
                     "more than 10 minutes ahead of this machine's (flagged, not followed)")
    people = [peer for peer in status.peers if not peer.operator.startswith(MACHINE_PREFIX)]
    if not people:
        lines.append("No other operator seen yet.")
    for peer in people:
        gap = f" · {peer.missing} missing (a gap)" if peer.missing else ""
        lines.append(f"Peer {for_screen(peer.operator, limit=40)} ({for_screen(peer.node, limit=20)}): event "
                     f"{peer.last}, newest {age_text(now - hlc_to_datetime(peer.newest_hlc))} ago{gap}")
    return lines


def row_text(row: QuarantineRow) -> Content:
    """'✖ ALARM  quarantined  bob  key 1a2b3c4d5e6f7a8b  4 events (seq 1–4)  why...'"""
    mark = ("✖ ALARM ", "bold $error") if row.alarm else ("⚠ " if row.outcome == QUARANTINED else "✖ ", "")
    who = for_screen(row.operator or "?", limit=40)
    key = f"key {row.key_id}" if row.key_id else "no key read"
    seqs = f"seq {row.first}–{row.last}" if row.last else "seqs unknown"
    events = f"{row.events} event{'s' if row.events != 1 else ''} ({seqs})"
    return Content.assemble(mark, (row.outcome, "bold"), f"  {who}  {key}  {events}\n   ",
                            (for_screen(row.reason or "no reason recorded"), "dim"))


class QuarantineScreen(ModalScreen[None]):
    """The held-back and refused segments; `t` trusts the highlighted quarantined segment's key."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="quarantine.close"),
        Binding("t", "trust", "Trust key", id="quarantine.trust",
                tooltip="Trust the highlighted segment's key for its writer on this machine (asks first)"),
    ]

    def __init__(self, sync_on: bool, trust: Callable[[QuarantineRow], None] | None = None) -> None:
        """`trust(row)` is called once the operator has confirmed trusting the row's key."""
        super().__init__()
        self.sync_on = sync_on
        self.trust = trust
        self.rows: tuple[QuarantineRow, ...] = ()
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog quarantine"):
            yield Label("Sync: peers, events held back, segments refused", classes="dialog-title")
            yield Label("", id="sync-summary", classes="dialog-details")
            yield Label(Content("reading the ledger…" if self.sync_on else
                                "Sync is off: open the console with --export DIR (or set WARROOM_EXPORT) to sync."),
                        id="quarantine-status")
            yield OptionList(id="quarantine-list")
            yield Label("t trust the key · Escape to close", classes="dialog-hint")

    def show_status(self, lines: Sequence[str]) -> None:
        self.query_one("#sync-summary", Label).update(Content("\n".join(lines)))

    def show_rows(self, rows: Sequence[QuarantineRow]) -> None:
        """The list as read now (keeps the highlight on the same segment where it is still listed)."""
        listing = self.query_one(OptionList)
        before = listing.highlighted
        kept = self.rows[before].name if before is not None and before < len(self.rows) else None
        self.rows = tuple(rows)
        listing.set_options([Option(row_text(row), id=f"segment-{n}") for n, row in enumerate(self.rows)])
        names = [row.name for row in self.rows]
        listing.display = bool(self.rows)  # no empty box under "Nothing held back or refused."
        if self.rows:
            listing.highlighted = names.index(kept) if kept in names else 0
        quarantined = sum(row.events for row in self.rows if row.outcome == QUARANTINED)
        refused = sum(1 for row in self.rows if row.outcome == REJECTED)
        said = "Nothing held back or refused."
        if self.rows:
            said = (f"{quarantined} event{'s' if quarantined != 1 else ''} held back, "
                    f"{refused} segment{'s' if refused != 1 else ''} refused.")
        if not self.sync_on:
            said += " Sync is off: open the console with --export DIR (or set WARROOM_EXPORT) to sync."
        self.query_one("#quarantine-status", Label).update(Content(said))
        self.loaded = True
        listing.focus()

    @property
    def highlighted_row(self) -> QuarantineRow | None:
        index = self.query_one(OptionList).highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None

    def action_close(self) -> None:
        self.dismiss(None)

    def action_trust(self) -> None:
        from warroom.tui.screens import Confirm

        row = self.highlighted_row
        if not self.sync_on or self.trust is None:
            self.notify("Sync is off: there is no export to take these events from.", severity="warning")
            return
        if row is None or not row.trustable:
            self.notify("Highlight a quarantined segment first: a refused one has no key to trust.",
                        severity="warning")
            return
        question = f"Trust {row.key_id} as {for_screen(row.operator, limit=60)}'s key on this machine?"
        if row.alarm:
            question += f" ALARM: {for_screen(row.reason)}"
        trust = self.trust
        self.app.push_screen(Confirm(question), lambda yes: trust(row) if yes else None)
