"""The full-screen console: wires the plan, the ledger and the widgets.

Ledger I/O runs in thread workers; results come back as `LedgerSnapshot` messages. A watcher
worker polls SQLite's data_version so writes by another process (a deployment script calling
`warroom step`, a second operator on the same jump host) appear within a second.
"""

from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from typing import Callable, Iterable

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from probes import ProbeStatus
from runbook.forecast import Forecast, forecast
from runbook.model import CHECKLIST_NAMES, Runbook
from store import Event, Ledger, State
from store.state import apply_event
from tui.probe_history import ProbeHistory
from tui.operations import UsageProblem, add_note, describe, record_step, set_check
from tui.screens import Confirm, StepDetail, TextPrompt
from tui.status import actuals
from widgets.activity import ActivityLog
from widgets.checklists import ChecklistPane
from widgets.header import DeploymentHeader, HeaderInfo
from widgets.probe_board import ProbeBoard, state_badge
from widgets.timeline import Timeline

TABS_BELOW = 110  # columns: under this the panes become tabs
SIDE_BY_SIDE_FROM = 180  # columns: from here the checklists sit beside the timeline, not under it
TAB_TITLES = {"pre_deployment": "Pre", "go_no_go": "Go/No-Go", "post_deployment": "Post", "smoke_tests": "Smoke"}
ACTIVITY_ROWS = 100
FORECAST_FRESH_SECONDS = 5
FULL_REFRESH_DELAY = 0.05  # seconds
PROBE_HISTORY_ROWS = 200
WATCH_SECONDS = 0.5


@dataclass(frozen=True)
class Snapshot:
    state: State
    recent: list[Event]  # newest first
    newest_hlc: int
    outlook: Forecast  # computed off the UI thread, for the moment the snapshot was read
    at: datetime


class LedgerSnapshot(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class EventRecorded(Message):
    """This app's own write, committed: shown at once, before the full snapshot follows."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class ProbesUpdated(Message):
    """A batch of probe statuses from the probe thread."""

    def __init__(self, statuses: list[ProbeStatus]) -> None:
        super().__init__()
        self.statuses = statuses


class MainScreen(Screen):
    BINDINGS = [
        Binding("s", "step('start')", "Start", id="step.start", tooltip="Mark the selected step as started"),
        Binding("d", "step('done')", "Done", id="step.done", tooltip="Mark the selected step as done"),
        Binding("f", "fail", "Fail", id="step.fail", tooltip="Mark the selected step as failed (asks for a note)"),
        Binding("x", "skip", "Skip", id="step.skip", tooltip="Skip the selected step (asks why)"),
        Binding("r", "reopen", "Reopen", id="step.reopen", tooltip="Set the selected step back to pending (asks first)"),
        Binding("n", "note", "Note", id="note", tooltip="Add a note to the selected step"),
        Binding("1", "pane(1)", "Timeline", show=False, id="pane.1"),
        Binding("2", "pane(2)", "Pre", show=False, id="pane.2"),
        Binding("3", "pane(3)", "Go/No-Go", show=False, id="pane.3"),
        Binding("4", "pane(4)", "Post", show=False, id="pane.4"),
        Binding("5", "pane(5)", "Smoke", show=False, id="pane.5"),
        Binding("6", "pane(6)", "Activity", show=False, id="pane.6"),
        Binding("7", "pane(7)", "Probes", show=False, id="pane.7"),
    ]

    def __init__(self, runbook: Runbook, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.runbook = runbook
        self.now = now
        self.zone = runbook.window.start.tzinfo
        self.narrow = False
        self.snapshot: Snapshot | None = None
        self.checklist_panes: dict[str, ChecklistPane] = {}
        self.probe_statuses: dict[str, ProbeStatus] = {}
        self._full_refresh: Timer | None = None
        self.selected_step: str | None = None

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.narrow = self.app.size.width < TABS_BELOW
        self.set_class(self.app.size.width < SIDE_BY_SIDE_FROM, "stacked")
        yield DeploymentHeader(self.now, id="header")
        has_probes = bool(self.runbook.probes)
        if self.narrow:
            with TabbedContent(id="panes"):
                with TabPane("1 Steps", id="pane-timeline"):
                    yield Timeline(id="timeline")
                yield from self._checklist_panes(number_from=2)
                with TabPane("6 Log", id="pane-activity"):
                    yield ActivityLog(self._describe, id="activity")
                if has_probes:
                    with TabPane("7 Probes", id="pane-probes"):
                        yield ProbeBoard(id="probes")
        else:
            with Horizontal(id="body"):
                yield Timeline(id="timeline")
                with Vertical(id="side"):
                    with TabbedContent(id="checklists"):
                        yield from self._checklist_panes(number_from=2)
                    if has_probes:
                        yield ProbeBoard(id="probes")
                    yield ActivityLog(self._describe, id="activity")
        yield Footer(compact=self.narrow)  # at 80 columns every key still fits

    def _checklist_panes(self, number_from: int) -> Iterable[TabPane]:
        self.checklist_panes = {}
        for offset, name in enumerate(CHECKLIST_NAMES):
            pane = ChecklistPane(self.runbook.checklists[name], self.zone, id=f"list-{name}")
            self.checklist_panes[name] = pane
            with TabPane(f"{number_from + offset} {TAB_TITLES[name]}", id=f"pane-{name}"):
                # Hidden tabs mount after the first frame: start-up pays only for what shows.
                yield pane if offset == 0 else Lazy(pane)

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one("#activity").border_title = "6 Activity"
        if self.runbook.probes:
            self.query_one(ProbeBoard).border_title = "7 Probes"
            self.query_one(ProbeBoard).update_statuses(self.probe_statuses.values())
        self.query_one(Timeline).focus()

    async def on_resize(self) -> None:
        self.set_class(self.app.size.width < SIDE_BY_SIDE_FROM, "stacked")
        if (self.app.size.width < TABS_BELOW) != self.narrow:
            self.selected_step = self.query_one(Timeline).selected_step
            await self.recompose()
            self.query_one(Timeline).focus()
            self.show_snapshot()

    # --- showing the ledger ------------------------------------------------------------------

    def on_ledger_snapshot(self, message: LedgerSnapshot) -> None:
        if self.snapshot and message.snapshot.newest_hlc < self.snapshot.newest_hlc:
            return  # an older read that finished late
        self.snapshot = message.snapshot
        self.show_snapshot()

    def on_event_recorded(self, message: EventRecorded) -> None:
        """Fold our own committed event into what is shown and repaint the timeline row now; the
        forecast, the activity log and everything else catch up with the full snapshot."""
        if self.snapshot is None or message.event.hlc <= self.snapshot.newest_hlc:
            return
        event = message.event
        self.snapshot = replace(
            self.snapshot,
            state=apply_event(self.snapshot.state, event),
            recent=[event, *self.snapshot.recent[: ACTIVITY_ROWS - 1]],
            newest_hlc=event.hlc,
        )
        timeline = self.query_one(Timeline)
        timeline.show(self.runbook, self.snapshot.state, self.snapshot.outlook, self.now(), self._probe_states(), only=event.subject)
        # The full refresh (forecast, header, checklists) waits until this row is painted, and
        # several quick keystrokes share one.
        if self._full_refresh is not None:
            self._full_refresh.stop()
        self._full_refresh = self.set_timer(FULL_REFRESH_DELAY, self.app.load_snapshot)

    def show_snapshot(self) -> None:
        if self.snapshot is None:
            return
        state, now, runbook = self.snapshot.state, self.now(), self.runbook
        # Fresh from the worker, the forecast is ready; the clock's periodic repaint re-times it.
        fresh = (now - self.snapshot.at).total_seconds() < FORECAST_FRESH_SECONDS
        outlook = self.snapshot.outlook if fresh else forecast(runbook, actuals(state), now)
        done = sum(state.step(s.id).status in ("done", "skipped") for s in runbook.steps)
        self.query_one(DeploymentHeader).info = HeaderInfo(
            title=runbook.title,
            deployment=runbook.id,
            version=str(runbook.version),
            run=self.app.ledger.run,
            operator=self.app.ledger.operator,
            zone=self.zone,
            window_start=runbook.window.start,
            window_end=runbook.window.end,
            rollback_deadline=runbook.window.rollback_deadline,
            done=done,
            total=len(runbook.steps),
            headline=outlook.headline,
            expected_end=outlook.expected_end,
            drift_minutes=round(outlook.overall_drift.total_seconds() / 60),
        )
        timeline = self.query_one(Timeline)
        timeline.show(runbook, state, outlook, now, self._probe_states())
        if self.selected_step:
            timeline.select_step(self.selected_step)
            self.selected_step = None
        tabs = self.query_one("#panes" if self.narrow else "#checklists", TabbedContent)
        for offset, name in enumerate(CHECKLIST_NAMES):
            pane = self.checklist_panes[name]
            pane.show(state)
            label = f"{offset + 2} {TAB_TITLES[name]} {pane.ticked_count(state)}/{len(pane.checklist.items)}"
            tabs.get_tab(f"pane-{name}").label = label
        self.query_one(ActivityLog).show(self.snapshot.recent, self.zone)
        self.app.snapshot_shown()

    def _probe_states(self) -> dict[str, str]:
        return {name: status.state.value for name, status in self.probe_statuses.items()}

    def on_probes_updated(self, message: ProbesUpdated) -> None:
        changed = any(
            self.probe_statuses.get(status.name) is None or self.probe_statuses[status.name].state != status.state
            for status in message.statuses
        )
        self.probe_statuses.update((status.name, status) for status in message.statuses)
        if changed:  # the runner has already written the probe.changed events: show them
            self.app.load_snapshot()
        self.query_one(DeploymentHeader).probes = self._probe_states()
        board = self.query_one(ProbeBoard)
        board.update_statuses(message.statuses)
        label = f"7 Probes {state_badge(board.counts)}".rstrip()
        if self.narrow:
            self.query_one("#panes", TabbedContent).get_tab("pane-probes").label = label
        else:
            board.border_title = label
        self.show_snapshot()

    def on_probe_board_probe_selected(self, message: ProbeBoard.ProbeSelected) -> None:
        status = self.probe_statuses.get(message.name)
        if status:
            self.app.open_probe_history(status)

    def _shown_state(self) -> State | None:
        return self.snapshot.state if self.snapshot else None

    def _describe(self, event: Event) -> str:
        return describe(event, self.runbook)

    # --- actions -----------------------------------------------------------------------------

    def _selected(self) -> str | None:
        step_id = self.query_one(Timeline).selected_step
        if step_id is None:
            self.notify("Select a step in the timeline first.", severity="warning")
        return step_id

    def action_step(self, action: str, note: str | None = None) -> None:
        step_id = self._selected()
        if step_id:
            self.app.write(lambda ledger, state: record_step(ledger, self.runbook, state, step_id, action, note), self._shown_state())

    def action_fail(self) -> None:
        step_id = self._selected()
        if step_id:
            prompt = TextPrompt(f"Why did '{self.runbook.step(step_id).title}' ({step_id}) fail?", "what happened, what you see", required=True)
            self.app.push_screen(prompt, lambda note: note and self.action_step("fail", note))

    def action_skip(self) -> None:
        step_id = self._selected()
        if step_id:
            prompt = TextPrompt(f"Why skip '{self.runbook.step(step_id).title}' ({step_id})?", "the reason, for the record", required=True)
            self.app.push_screen(prompt, lambda note: note and self.action_step("skip", note))

    def action_reopen(self) -> None:
        step_id = self._selected()
        if step_id:
            question = f"Set '{step_id}' back to pending? Its history stays in the log."
            self.app.push_screen(Confirm(question), lambda yes: yes and self.action_step("reopen"))

    def action_note(self) -> None:
        step_id = self.query_one(Timeline).selected_step or ""
        target = f"'{step_id}'" if step_id else "the log"
        prompt = TextPrompt(f"Note on {target}", "what happened, what was decided", required=True)
        self.app.push_screen(prompt, lambda text: text and self.app.write(lambda ledger, state: add_note(ledger, step_id, text)))

    def action_pane(self, number: int) -> None:
        pane_ids = ["pane-timeline"] + [f"pane-{name}" for name in CHECKLIST_NAMES] + ["pane-activity", "pane-probes"]
        if number == 7 and not self.runbook.probes:
            self.notify("This runbook defines no probes.", severity="warning")
            return
        if self.narrow:
            self.query_one("#panes", TabbedContent).active = pane_ids[number - 1]
        elif 2 <= number <= 5:
            self.query_one("#checklists", TabbedContent).active = pane_ids[number - 1]
        target = {1: "#timeline", 6: "#activity", 7: "#probes"}.get(number, f"#list-{CHECKLIST_NAMES[min(max(number - 2, 0), 3)]}")
        self.query_one(target).focus()

    def on_checklist_pane_toggle_requested(self, message: ChecklistPane.ToggleRequested) -> None:
        ticked = self.snapshot.state.check(message.item_id).ticked if self.snapshot else False
        self.app.write(lambda ledger, state: set_check(ledger, self.runbook, state, message.item_id, not ticked))

    def on_timeline_step_selected(self, message: Timeline.StepSelected) -> None:
        self.app.open_detail(message.step_id)


class WarroomApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS = [
        Binding("b", "demo_break", "Break", id="demo.break",
                tooltip="Make the demo service misbehave: slow, then failing, then healthy again"),
        Binding("question_mark", "toggle_help", "Help", id="help", tooltip="Show or hide the keys"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit; everything is already saved"),
    ]

    def __init__(
        self,
        runbook: Runbook,
        ledger: Ledger,
        *,
        clock: Callable[[], datetime] | None = None,
        watch: bool = True,
        probes: bool = True,
        demo=None,
    ) -> None:
        """`demo` is the demo's own service (tui.demo_service.DemoService), which the `b` key
        makes misbehave; None outside the demo."""
        # With NO_COLOR, ANSI mode leaves the terminal's own default colours (Textual alone would
        # still paint greys); state stays readable by glyph and word.
        super().__init__(ansi_color=bool(os.environ.get("NO_COLOR")))
        self.runbook = runbook
        self.ledger = ledger
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.watch = watch
        self.demo = demo
        self.probe_runner = None
        if probes and runbook.probes:
            from tui.probe_runner import ProbeRunner  # httpx and dnspython load only when needed

            self.probe_runner = ProbeRunner(runbook.probes, ledger, self._probe_statuses, self._probe_error)
        self._stop_watching = threading.Event()
        self._frozen = False
        self.title = f"warroom · {runbook.title}"

    def on_mount(self) -> None:
        self.set_class(bool(os.environ.get("NO_COLOR")), "no-color")
        self.push_screen(MainScreen(self.runbook, self.clock))
        self.load_snapshot()
        if self.watch:
            self.watch_ledger()
        if self.probe_runner:
            self.probe_runner.start()
        # The now-marker, forecast and running steps move with the clock.
        self.set_interval(30, self._repaint_clock_dependent)

    def on_unmount(self) -> None:
        self._stop_watching.set()  # so quitting never waits out a poll interval
        if self.probe_runner:
            self.probe_runner.stop()

    def _probe_statuses(self, statuses: list[ProbeStatus]) -> None:
        """From the probe thread: hand the batch to the main screen."""
        self._to_main_screen(ProbesUpdated(statuses))

    def _probe_error(self, error: Exception) -> None:
        self.call_from_thread(self.notify, f"Probe results could not be saved: {error}", severity="warning")

    def snapshot_shown(self) -> None:
        """Called after the ledger's state is on screen; a seam for benchmarks and tests."""
        if not self._frozen:
            # Everything built at start-up (plan, widgets, rows) lives as long as the app: move it
            # out of the collector's sight, so a full collection no longer stalls a keystroke
            # for 50-70 ms on a 500-step runbook.
            gc.freeze()
            gc.enable()  # the command line turned it off for start-up (see tui.cli._run_app)
            self._frozen = True

    def _repaint_clock_dependent(self) -> None:
        if isinstance(self.screen, MainScreen):
            self.screen.show_snapshot()

    # --- ledger I/O (threads) ----------------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        recent = self.ledger.events(limit=ACTIVITY_ROWS, newest_first=True)
        state, now = self.ledger.state(with_notes=False), self.clock()
        outlook = forecast(self.runbook, actuals(state), now)
        return Snapshot(state, recent, recent[0].hlc if recent else 0, outlook, now)

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
    def write(self, change: Callable[[Ledger, State], object], shown: State | None = None) -> None:
        """Apply one change against the state on screen (or, without one, the ledger's), then
        show the new state."""
        event = change(self.ledger, shown or self.ledger.state(with_notes=False))
        if event is None:
            self.call_from_thread(self.notify, "Already so; nothing recorded.")
            self._post_snapshot()
        else:
            self._to_main_screen(EventRecorded(event))  # the screen asks for the full snapshot

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch")
    def watch_ledger(self) -> None:
        """Poll SQLite's data_version: it changes when another connection commits."""
        seen = self.ledger.data_version()
        while not self._stop_watching.wait(WATCH_SECONDS):
            version = self.ledger.data_version()
            if version != seen:
                seen = version
                self._post_snapshot()

    @work(thread=True, exit_on_error=False, group="ledger")
    def open_probe_history(self, status: ProbeStatus) -> None:
        samples = self.ledger.recent_samples(status.name, limit=PROBE_HISTORY_ROWS)
        self.call_from_thread(self.push_screen, ProbeHistory(status, samples, self.runbook.window.start.tzinfo))

    @work(thread=True, exit_on_error=False, group="ledger")
    def open_detail(self, step_id: str) -> None:
        history = self.ledger.events(subject=step_id)
        status = self.ledger.state(with_notes=False).step(step_id)
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        probe_states = main._probe_states() if main else {}
        detail = StepDetail(self.runbook.step(step_id), status, history, lambda e: describe(e, self.runbook),
                            self.runbook.window.start.tzinfo, probe_states)
        self.call_from_thread(self.push_screen, detail)

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
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding of the screen is also a command in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        for binding in MainScreen.BINDINGS if isinstance(screen, MainScreen) else []:
            help_text = binding.tooltip or binding.description
            yield SystemCommand(f"{binding.description} ({binding.key})", help_text, partial(screen.run_action, binding.action))
