"""The full-screen console: wires the plan, the ledger and the widgets.

Ledger I/O runs in thread workers; results come back as `LedgerSnapshot` messages. A watcher
worker polls SQLite's data_version so writes by another process (a deployment script calling
`warroom step`, a second operator on the same jump host) appear within a second.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from warroom.ops.actions import UsageProblem
from warroom.ops.notices import sync_notices
from warroom.ops.people import members_for
from warroom.ops.progress import actuals
from warroom.ops.version import read_version_report
from warroom.probes import ProbeStatus
from warroom.runbook.forecast import forecast
from warroom.runbook.model import Runbook
from warroom.store import WITHOUT_NOTES, Event, Ledger, RunState, StateChanged, StepState
from warroom.store.ledger import QUARANTINED, REJECTED
from warroom.tui.activity_entry import ActivityEntry
from warroom.tui.crash import save_traceback
from warroom.tui.main_screen import (
    ACTIVITY_ROWS,
    EventRecorded,
    LedgerSnapshot,
    MainScreen,
    ProbesUpdated,
    Snapshot,
    SyncRound,
)
from warroom.tui.probe_history import ProbeHistory
from warroom.tui.quarantine import (
    QuarantineRow,
    QuarantineScreen,
    quarantine_rows,
    status_lines,
)
from warroom.tui.rows import activity_rows, step_conflict_lines
from warroom.tui.screens import KeysHelp, StepDetail
from warroom.untrusted import for_screen
from warroom.vocabulary import EventKind
from warroom.widgets.activity import ActivityLog

if TYPE_CHECKING:  # sync loads only with an export
    from warroom.sync.round import SyncStatus
    from warroom.tui.sync_runner import SyncOutcome, SyncRunner

PROBE_HISTORY_ROWS = 200
WATCH_SECONDS = 0.5
PROBES_AT_THE_LATEST = 3.0  # seconds after start-up
# The focused widget's id -> how the help names the pane.
PANE_NAMES = {"timeline": "the timeline", "activity": "the activity log", "probes": "the probe board"}
NOTICE_LIMIT = 300  # characters: a notice is a few lines in a corner, its start always in sight


class WarroomApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS = [
        Binding("b", "demo_break", "Break", id="demo.break",
                tooltip="Make the demo service misbehave: slow, then failing, then healthy again"),
        Binding("question_mark", "toggle_help", "Help", id="help",
                tooltip="The keys that act here, for the pane in focus"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit; everything is already saved"),
    ]

    def __init__(
        self,
        runbook: Runbook,
        ledger: Ledger,
        *,
        clock: Callable[[], datetime] | None = None,
        follow_ledger: bool = True,
        probes: bool = True,
        bell: bool = True,
        demo=None,
        syncer=None,
        ask_roles: bool = False,
        updates_file: str | None = None,
    ) -> None:
        """`demo` is the demo's own service (tui.demo_service.DemoService), which the `b` key
        makes misbehave; None outside the demo. `syncer` (sync.round.Syncer) syncs the ledger
        through a shared export in the background; None when no export is named. `ask_roles`:
        on first showing a run where this operator holds no role, ask which they hold (`warroom open`).
        `updates_file`: where posted status updates are appended (--updates-file; else the runbook's, if any)."""
        # With NO_COLOR, ANSI mode leaves the terminal's own default colours (Textual alone would
        # still paint greys); state stays readable by glyph and word.
        super().__init__(ansi_color=bool(os.environ.get("NO_COLOR")))
        self.runbook = runbook
        self.ledger = ledger
        self.clock = clock or (lambda: datetime.now(UTC))
        self.follows_ledger = follow_ledger
        self.rings_bell = bell
        self.demo = demo
        self.syncer = syncer
        self.ask_roles = ask_roles
        self.updates_file = updates_file
        self.sync_runner: SyncRunner | None = None
        self.sync_status: SyncStatus | None = None  # the last round's, once one has finished
        if syncer is not None:
            from warroom.tui.sync_runner import SyncRunner  # sync loads only with an export

            self.sync_runner = SyncRunner(syncer, self._sync_round_done)
        self.probe_runner = None
        if probes and runbook.probes:
            from warroom.tui.probe_runner import ProbeRunner  # httpx and dnspython load only when needed

            self.probe_runner = ProbeRunner(runbook.probes, ledger, self._probe_statuses, self._probe_error)
        self._stop_watching = threading.Event()
        self._frozen = False
        self.title = f"warroom · {for_screen(runbook.title)}"
        self.crash_report: Path | None = None  # where the traceback went, if the console crashed

    def on_mount(self) -> None:
        self.set_class(bool(os.environ.get("NO_COLOR")), "no-color")
        self.push_screen(MainScreen(self.runbook, self.clock))
        # The watcher's first reading is taken before the first snapshot is read, so that no commit
        # in between (another process's, or a sync round's import) goes unseen.
        watched_from = self.ledger.data_version() if self.follows_ledger else None
        self.load_snapshot()
        if watched_from is not None:
            self.watch_ledger(watched_from)
        if self.probe_runner:
            # Probes start once the first frame is up (see snapshot_shown); this is the fallback
            # should the ledger never answer, so the room still sees its system's health.
            self.set_timer(PROBES_AT_THE_LATEST, self.probe_runner.start)
        # The now-marker, forecast and running steps move with the clock.
        self.set_interval(30, self._repaint_clock_dependent)
        if self.sync_runner:
            self.sync_runner.start()

    def on_unmount(self) -> None:
        self._stop_watching.set()  # so quitting never waits out a poll interval
        if self.sync_runner:
            self.sync_runner.stop()
        if self.probe_runner:
            self.probe_runner.stop()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notice is plain text, whoever asks for it: notices quote step titles, notes and
        errors from outside, which are data (see warroom.untrusted), never markup."""
        super().notify(for_screen(message, lines=True, limit=NOTICE_LIMIT), title=for_screen(title, limit=NOTICE_LIMIT),
                       severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """A bug ends the console, never silently: the traceback goes to a file and the command
        line says where (the ledger is untouched: every event was committed when it was made)."""
        self.crash_report = save_traceback(error)
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        if self.crash_report is not None:
            self._exit_renderables.clear()  # the traceback is in the file, not across the terminal
        super()._print_error_renderables()

    def _probe_statuses(self, statuses: list[ProbeStatus], recorded: list[Event]) -> None:
        """From the probe thread: hand the batch, and the probe.changed events it recorded, to
        the main screen."""
        self._to_main_screen(ProbesUpdated(statuses, recorded))
        if recorded:
            self.poke_sync()

    def _sync_round_done(self, outcome: SyncOutcome) -> None:
        """From the sync thread: post_message is thread-safe."""
        self.post_message(SyncRound(outcome))

    def poke_sync(self) -> None:
        """A sync round soon (after a local write), when the console syncs."""
        if self.sync_runner:
            self.sync_runner.poke()

    def on_sync_round(self, message: SyncRound) -> None:
        """A round finished in the background: the header's sync part, the notices it owes, and
        the quarantine screen's list when it is open."""
        outcome = message.outcome
        before, self.sync_status = self.sync_status, outcome.status or self.sync_status
        if outcome.report is not None and outcome.report.imported and not self.follows_ledger:
            self.load_snapshot()  # without the watcher, which otherwise sees the import's commit
        for sentence, severity in sync_notices(before, outcome.report, outcome.status):
            self.notify(sentence, severity=cast(SeverityLevel, severity), timeout=10)
        if outcome.failure:
            self.notify(outcome.failure, severity="error", timeout=10)
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.show_sync(self.sync_status)
            elif isinstance(screen, QuarantineScreen):
                self.load_quarantine(screen)

    def _probe_error(self, error: Exception) -> None:
        """From the probe thread: say it on screen; never let it stop the probes."""
        try:
            self.call_from_thread(self.notify, f"Probe results could not be read or saved: {error}", severity="warning")
        except RuntimeError:  # the app is closing
            pass

    def snapshot_shown(self) -> None:
        """Called after the ledger's state is on screen; a seam for benchmarks and tests."""
        if not self._frozen:
            # Everything built at start-up (plan, widgets, rows) lives as long as the app: move it
            # out of the collector's sight, so a full collection no longer stalls a keystroke
            # for 50-70 ms on a 500-step runbook.
            gc.freeze()
            gc.enable()  # the command line turned it off for start-up (see tui.cli._run_app)
            self._frozen = True
            if self.probe_runner:
                # After the first frame: the probes' imports and first checks do not delay it.
                self.call_after_refresh(self.probe_runner.start)

    def ring(self) -> None:
        """The terminal bell, once, for something that has just started to want attention
        (unless --no-bell)."""
        if self.rings_bell:
            self.bell()

    def _repaint_clock_dependent(self) -> None:
        if isinstance(self.screen, MainScreen):
            self.screen.show_snapshot()

    # --- ledger I/O (threads) ----------------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        recent = self._recent_activity()
        state, now = self._screen_state(), self.clock()
        outlook = forecast(self.runbook, actuals(state), now)
        version = read_version_report(self.runbook, self.ledger, state)
        return Snapshot(state, recent, recent[0].hlc if recent else 0, outlook, now, version)

    def _recent_activity(self) -> list[Event]:
        """The activity log's events, newest first: the last ACTIVITY_ROWS that people did, and the
        probe changes among them (at most as many again), so that a flapping probe never pushes
        the steps out of the log. The probes' read stops at the oldest of the others: cheap either way."""
        people = self.ledger.events(limit=ACTIVITY_ROWS, newest_first=True, other_than=[EventKind.PROBE_CHANGED])
        since = people[-1].hlc if len(people) == ACTIVITY_ROWS else 0
        probes = self.ledger.events(limit=ACTIVITY_ROWS, newest_first=True, kinds=[EventKind.PROBE_CHANGED],
                                    since_hlc=since)
        return sorted(people + probes, key=lambda event: event.order_key, reverse=True)

    def _screen_state(self) -> RunState:
        """The run's state without its notes: they grow all day, and the screen shows them from the
        event log instead."""
        return self.ledger.state(skip=WITHOUT_NOTES)

    def _post_snapshot(self) -> None:
        self._to_main_screen(LedgerSnapshot(self._snapshot()))

    def _to_main_screen(self, message: Message) -> None:
        """Thread-safe: post_message may be called from any thread."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.post_message(message)

    @work(thread=True, exit_on_error=False, group="ledger")
    def load_snapshot(self) -> None:
        self._post_snapshot()

    @work(thread=True, exit_on_error=False, group="ledger")
    def write(self, change: Callable[[Ledger, RunState], Event | None], shown: RunState | None = None,
              on_changed: Callable[[Event | None], None] | None = None) -> None:
        """Apply one change against the state on screen (or, without one, the ledger's), then
        show the new state. A change prepared on what was on screen and refused because someone
        changed it since (StateChanged) goes to `on_changed`, with the event that changed it."""
        try:
            event = change(self.ledger, shown if shown is not None else self._screen_state())
        except StateChanged as changed:
            if on_changed is None:
                raise
            self._post_snapshot()  # the screen shows what is so now, while the operator decides
            self.call_from_thread(on_changed, changed.current)
            return
        if event is None:
            self.call_from_thread(self.notify, "Already so; nothing recorded.")
            self._post_snapshot()
        else:
            self._to_main_screen(EventRecorded(event))  # the screen asks for the full snapshot
            self.poke_sync()

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch")
    def watch_ledger(self, seen: int) -> None:
        """Poll SQLite's data_version (`seen`: the reading the shown state was read after): it
        changes when another connection commits."""
        while not self._stop_watching.wait(WATCH_SECONDS):
            version = self.ledger.data_version()
            if version != seen:
                seen = version
                self._post_snapshot()

    @work(thread=True, exit_on_error=False, group="ledger")
    def open_probe_history(self, status: ProbeStatus) -> None:
        samples = self.ledger.recent_samples(status.name, limit=PROBE_HISTORY_ROWS)
        self.call_from_thread(self.push_screen, ProbeHistory(status, samples, self.runbook.window.zone))

    @work(thread=True, exit_on_error=False, group="ledger")
    def open_detail(self, step_id: str, status: StepState, probe_states: Mapping[str, str] | None = None,
                    then: Callable[[str | None], None] | None = None, owner_unheld: bool = False,
                    signoffs: Sequence[str] = ()) -> None:
        """The step in full; its `status`, `probe_states` (probe name -> state) and `signoffs` (lines:
        how many, who) are the ones on screen, only its history is read. `then` gets the step key
        the detail was closed with (None: just closed). `owner_unheld`: nobody here holds the role
        that owns it."""
        zone = self.runbook.window.zone
        step = self.runbook.step(step_id)
        history = activity_rows(self.ledger.events(subject=step_id), self.runbook, zone)
        conflict = step_conflict_lines(status, zone)
        detail = StepDetail(step, status, history, dict(probe_states or {}), conflict,
                            members_for(self.runbook, step.owner), owner_unheld, signoffs=signoffs)
        self.call_from_thread(self.push_screen, detail, then)

    @work(thread=True, exit_on_error=False, group="ledger")
    def open_activity_entry(self, event_ids: Sequence[str]) -> None:
        """An entry of the activity log in full, read again from the ledger (a folded entry: all
        its events)."""
        events = self.ledger.events(ids=event_ids, newest_first=True)
        if not events:
            self.call_from_thread(self.notify, "That entry is not in this run's ledger.", severity="warning")
            return
        self.call_from_thread(self.push_screen, ActivityEntry(events, self.runbook, self.runbook.window.zone))

    # --- the quarantine (Q) -------------------------------------------------------------------

    def open_quarantine(self) -> None:
        if isinstance(self.screen, QuarantineScreen):
            return
        screen = QuarantineScreen(self.syncer is not None, self._trust if self.syncer is not None else None)
        self.push_screen(screen)
        self.load_quarantine(screen)

    @work(thread=True, exit_on_error=False, group="ledger")
    def load_quarantine(self, screen: QuarantineScreen) -> None:
        """The quarantined and refused segments, read from the ledger, onto the screen."""
        records = self.ledger.segments(QUARANTINED) + self.ledger.segments(REJECTED)
        syncer = self.syncer
        is_alarm = (lambda operator, key: syncer.trust.decide(operator, key).alarm) if syncer else None
        found = quarantine_rows(records, is_alarm)
        if self.syncer is not None:
            lines = status_lines(self.sync_status, self.runbook.window.zone, self.clock())
            self.call_from_thread(screen.show_status, lines)
        self.call_from_thread(screen.show_rows, found)

    def _trust(self, row: QuarantineRow) -> None:
        self.trust_key(row)

    @work(thread=True, exit_on_error=False, group="sync")
    def trust_key(self, row: QuarantineRow) -> None:
        """Trust the row's key for its writer on this machine, then apply what it releases."""
        from warroom.ops.syncing import build_trust
        from warroom.sync.trust import TrustStore, trust_store_path

        if self.syncer is None or self.sync_runner is None:
            return
        TrustStore(trust_store_path()).add(row.operator, row.key)
        released = self.sync_runner.retrust(build_trust(self.runbook, self.syncer.key))
        events = "1 event" if released == 1 else f"{released} events"
        self.call_from_thread(self.notify, f"Trusted {row.key_id} as {row.operator}'s key here; {events} applied.")
        self._post_snapshot()
        for screen in self.screen_stack:
            if isinstance(screen, QuarantineScreen):
                self.call_from_thread(self.load_quarantine, screen)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures surface: a clear notice, never a crash of the console."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            message = str(error) if isinstance(error, UsageProblem) else f"Could not complete that: {error}"
            self.notify(message, severity="error", timeout=8)

    # --- keys and palette --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_break":
            return self.demo is not None  # False hides it: only the demo has a service to break
        return True

    def action_demo_break(self) -> None:
        if self.demo is not None:
            self.notify(self.demo.describe(self.demo.advance()), timeout=6)

    def action_toggle_help(self) -> None:
        if isinstance(self.screen, KeysHelp):
            self.screen.dismiss(None)
        else:
            self.push_screen(KeysHelp(*self._keys_here()))

    def _keys_here(self) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
        """The pane in focus and the keys that act now: its own, then the screen's, then the app's
        (warroom's only: a binding without an id is Textual's own)."""
        screen, focused = self.screen, self.screen.focused
        pane = PANE_NAMES.get(focused.id or "", "this pane") if focused else "this screen"
        if focused is not None and focused.id and focused.id.startswith("list-"):
            pane = "this checklist"
        here = f"In {pane}"
        # The screen's keys that act on the focused pane (the step keys on the timeline) lead its section.
        acts_here: frozenset[str] = getattr(screen, "PANE_ACTIONS", frozenset())
        groups: dict[str, dict[str, tuple[list[str], str]]] = {"acts": {}, here: {}, "On this screen": {},
                                                                "Everywhere": {}}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or not active.enabled:
                continue
            if active.node is self:
                group = "Everywhere"
            elif active.node is screen:
                group = "acts" if binding.action.split("(")[0] in acts_here else "On this screen"
            else:
                group = here
            keys, _ = groups[group].setdefault(binding.id, ([], binding.tooltip or binding.description))
            keys.append(self.get_key_display(binding))  # "down,j" is one binding per key: one line
        groups[here] = groups.pop("acts") | groups[here]
        return pane, [(heading, [("/".join(keys), what) for keys, what in bindings.values()])
                      for heading, bindings in groups.items() if bindings]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The main screen's keys, and the activity log's own, are also commands in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        bindings = MainScreen.BINDINGS if isinstance(screen, MainScreen) else []
        for binding in (b for b in bindings if isinstance(b, Binding)):
            help_text = binding.tooltip or binding.description
            run = partial(screen.run_action, binding.action)
            yield SystemCommand(f"{binding.description} ({binding.key})", help_text, run)
        # The activity log's own keys (its filters, reading an entry), run on the log.
        for log in screen.query(ActivityLog) if isinstance(screen, MainScreen) else ():
            for binding in (b for b in ActivityLog.BINDINGS if isinstance(b, Binding) and b.show):
                run = partial(log.run_action, binding.action)
                yield SystemCommand(f"Activity: {binding.description} ({binding.key})",
                                    binding.tooltip or binding.description, run)
