"""The main screen: header, timeline, checklists, probes and activity, laid out by width.

It shows what the app hands it (ledger snapshots, its own committed events, probe batches), made
into the widgets' plain rows by tui/rows.py, and turns keys into requests to the app, which does
the I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, TabbedContent, TabPane

from warroom.ops.actions import (
    NEEDS_NOTE,
    OUTCOME_EVENTS,
    OUTCOME_NEEDS_NOTE,
    STEP_EVENTS,
    UsageProblem,
    add_note,
    find_item,
    find_step,
    record_outcome,
    record_step,
    resolve_conflict,
    step_guards,
)
from warroom.ops.decisions import (
    FINISHED_BY_GO_LIVE,
    record_decision,
    rolling_back,
    sign_off,
    signing_problem,
    step_refusals,
    withdraw_sign_off,
)
from warroom.ops.incident_report import countdown
from warroom.ops.incidents import open_incident, parse_severity, update_incident
from warroom.ops.notices import action_notice, subject_name, who_did_what
from warroom.ops.people import (
    declare_roles,
    owner_unheld,
    roles_of,
    roster,
    roster_roles,
    seen_operators,
    unheld_roles,
)
from warroom.ops.progress import actuals, next_steps
from warroom.ops.review import readiness
from warroom.ops.updates import draft_update, post_update, updates_path
from warroom.ops.version import VersionReport
from warroom.probes import ProbeStatus
from warroom.runbook.forecast import Forecast, forecast
from warroom.runbook.model import CHECKLIST_NAMES, SMOKE_TESTS, Runbook
from warroom.store import Event, RunState
from warroom.tui import day_rows, rows
from warroom.tui.attention import Attention
from warroom.tui.golive import GoLive
from warroom.tui.incidents import IncidentDetail, IncidentDraft, IncidentForm
from warroom.tui.review import ReadinessReview
from warroom.tui.roster import RolePicker, Roster
from warroom.tui.screens import Confirm, TextPrompt
from warroom.tui.updates import UpdateComposer
from warroom.untrusted import for_screen
from warroom.vocabulary import Decision, DecisionPoint, EventKind
from warroom.widgets.activity import ActivityLog
from warroom.widgets.checklists import ChecklistPane
from warroom.widgets.header import DeploymentHeader, SyncInfo
from warroom.widgets.incidents import IncidentsPane
from warroom.widgets.now_next import NowNextLine
from warroom.widgets.probe_board import ProbeBoard, state_badge
from warroom.widgets.probe_board import ProbeRow as ProbeBoardRow
from warroom.widgets.timeline import PhaseRow, Timeline, TimelineRow

if TYPE_CHECKING:
    from warroom.sync.round import SyncStatus
    from warroom.tui.app import WarroomApp
    from warroom.tui.sync_runner import SyncOutcome

TABS_BELOW = 110  # columns: under this the panes become tabs
SIDE_BY_SIDE_FROM = 180  # columns: from here the checklists sit beside the timeline, not under it
TAB_TITLES = {"pre_deployment": "Pre", "go_no_go": "Go/No-Go", "post_deployment": "Post", "smoke_tests": "Smoke"}
# Under TABS_BELOW every pane is a tab in one row: shorter, so that the probes tab's DOWN count,
# the last on the row, still fits at 80 columns.
NARROW_TAB_TITLES = TAB_TITLES | {"go_no_go": "Go"}
ACTIVITY_ROWS = 100
FORECAST_FRESH_SECONDS = 5
FULL_REFRESH_DELAY = 0.05  # seconds
VERSION_NOTICE_SECONDS = 60  # a runbook that is not the run's must not slip by while the room settles in
QUOTED_TITLE_LIMIT = 200  # characters of a step title a question quotes
BRANCH_TITLE = "Timeline ↶ ROLLBACK branch (v: plan)"
# What recording each outcome of a checklist item does, as a question quotes it: "mark failed 'Login works'".
OUTCOME_PHRASE = {"passed": "tick", "cleared": "untick", "failed": "mark failed", "blocked": "mark blocked",
                  "waived": "waive"}


class LaterPane(Lazy):
    """A hidden tab's pane, mounted after the first frame (Textual's Lazy), unless the screen is
    gone by then: quitting at once must not fail on a pane still waiting to be mounted."""

    def __init__(self, pane: Widget) -> None:
        super().__init__(pane)
        self.pane = pane

    async def mount_composed_widgets(self, widgets: list[Widget]) -> None:
        async def mount() -> None:
            parent = self.parent
            if isinstance(parent, Widget) and parent.is_attached:
                await parent.mount(self.pane, after=self)
                await self.remove()

        self.call_after_refresh(mount)


@dataclass(frozen=True)
class Snapshot:
    state: RunState
    recent: list[Event]  # newest first
    newest_hlc: int
    outlook: Forecast  # computed off the UI thread, for the moment the snapshot was read
    at: datetime
    version: VersionReport  # is this runbook the run's, and everyone's?


class LedgerSnapshot(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class EventRecorded(Message):
    """This app's own write, committed: shown at once, before the full snapshot follows."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class SyncRound(Message):
    """A sync round finished in the background (tui/sync_runner.py): its report and the status after."""

    def __init__(self, outcome: SyncOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class ProbesUpdated(Message):
    """A batch of probe statuses from the probe thread, with the probe.changed events it has
    already committed for them."""

    def __init__(self, statuses: list[ProbeStatus], recorded: list[Event] | None = None) -> None:
        super().__init__()
        self.statuses = statuses
        self.recorded = recorded or []


# The step keys, here and in the step's detail; asks first when a dependency is unfinished or a
# probe the step validates with is DOWN, and for the reason of a failure or a skip.
STEP_BINDINGS = [
    Binding("s", "step('start')", "Start", id="step.start", tooltip="Mark the selected step as started"),
    Binding("d", "step('done')", "Done", id="step.done", tooltip="Mark the selected step as done"),
    Binding("f", "step('fail')", "Fail", id="step.fail", tooltip="Mark the selected step as failed (asks what failed)"),
    Binding("x", "step('skip')", "Skip", id="step.skip", tooltip="Skip the selected step (asks why)"),
    Binding("r", "step('reopen')", "Reopen", id="step.reopen",
            tooltip="Set the selected step back to pending (asks first)"),
]
STEP_ACTIONS = frozenset({"step", "signoff"})
# What each step action does to a step, '{}' its title: "mark '{}' done".
ACTION_PHRASE = {"start": "start '{}'", "done": "mark '{}' done", "fail": "mark '{}' failed", "skip": "skip '{}'",
                 "reopen": "set '{}' back to pending"}


class MainScreen(Screen):
    PANE_ACTIONS = STEP_ACTIONS  # keys of the screen that act on the focused pane (the help lists them there)
    BINDINGS = [
        *STEP_BINDINGS,
        Binding("a", "signoff", "Sign off", show=False, id="step.signoff",
                tooltip="Sign off on the selected step (one that needs sign-offs); again to withdraw yours"),
        Binding("g", "review", "Go/No-Go", show=False, id="decision.go_no_go",
                tooltip="The go/no-go readiness review: checklist, incidents, probes, overdue steps; decide there"),
        Binding("n", "note", "Note", id="note",
                tooltip="Add a note to what is selected: the step, the checklist item, or the log"),
        Binding("c", "to_current", "Now", id="timeline.current",
                tooltip="Back to the step running now (or the next one) in the timeline"),
        Binding("K", "keep", "Keep", show=False, id="conflict.keep",
                tooltip="Keep the standing version of the selected step or checklist item and clear its conflict"),
        Binding("Q", "quarantine", "Quarantine", show=False, id="sync.quarantine",
                tooltip="The events held back (keys not trusted here) and the segments refused; trust a key"),
        Binding("t", "roster", "Roster", show=False, id="roster",
                tooltip="The team: who holds each role, their phone, whether they have been seen; change your roles"),
        Binding("m", "mine", "Mine", show=False, id="timeline.mine",
                tooltip="Show only the steps owned by the roles you hold, and back to every step"),
        Binding("L", "go_live", "Go-live", show=False, id="decision.go_live",
                tooltip="The go-live decision: PROCEED (an override while smoke tests or P1s stand against it) "
                        "or ROLLBACK"),
        Binding("v", "rollback_view", "Branch", id="timeline.rollback_view",
                tooltip="Switch the timeline between the rollback branch and the plan (while rolling back)"),
        Binding("1", "pane(1)", "Timeline", show=False, id="pane.1"),
        Binding("2", "pane(2)", "Pre", show=False, id="pane.2"),
        Binding("3", "pane(3)", "Go/No-Go", show=False, id="pane.3"),
        Binding("4", "pane(4)", "Post", show=False, id="pane.4"),
        Binding("5", "pane(5)", "Smoke", show=False, id="pane.5"),
        Binding("6", "pane(6)", "Activity", show=False, id="pane.6"),
        Binding("7", "pane(7)", "Probes", show=False, id="pane.7"),
        Binding("8", "pane(8)", "Incidents", show=False, id="pane.8"),
        Binding("i", "new_incident", "Incident", show=False, id="incident.new",
                tooltip="Open an incident: severity, title, owner, the step selected in the timeline"),
        Binding("u", "compose_update", "Update", show=False, id="update.compose",
                tooltip="Compose the status update for stakeholders, prefilled from live state; ctrl+s posts it"),
    ]

    def __init__(self, runbook: Runbook, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.runbook = runbook
        self.now = now
        self.zone = runbook.window.zone
        self.narrow = False
        self.snapshot: Snapshot | None = None
        self.checklist_panes: dict[str, ChecklistPane] = {}
        self.probe_statuses: dict[str, ProbeStatus] = {}
        self._full_refresh: Timer | None = None
        self._activity_shown: list[Event] | None = None
        self._timeline_rows = rows.TimelineRows(runbook)
        self.selected_step: str | None = None
        self.side_ready = False  # the checklists, probe board and activity log are mounted
        self.placed = False  # the timeline's cursor has been put on the current step once
        self.attention = Attention()
        self.version_told = ""  # the runbook version warning last given
        self.mine_only = False  # `m`: the timeline shows only the steps of the roles this operator holds
        self.roles_asked = False  # the picker has been offered once (`warroom open` without --role)
        self.go_live = GoLive(self)

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._activity_shown = None  # a new log (after a recompose) shows the events again
        self.narrow = self.app.size.width < TABS_BELOW
        self.set_class(self.app.size.width < SIDE_BY_SIDE_FROM, "stacked")
        yield DeploymentHeader(self.now, id="header")
        yield NowNextLine(id="now-next")
        has_probes = bool(self.runbook.probes)
        if self.narrow:
            with TabbedContent(id="panes"):
                with TabPane("1 Steps", id="pane-timeline"):
                    yield Timeline(id="timeline")
                yield from self._checklist_tabs(number_from=2)
                with TabPane("6 Log", id="pane-activity"):
                    yield ActivityLog(id="activity")
                if has_probes:
                    with TabPane("7 Probes", id="pane-probes"):
                        yield ProbeBoard(id="probes")
                with TabPane("8 Inc", id="pane-incidents"):
                    yield IncidentsPane(id="incidents")
        else:
            with Horizontal(id="body"):
                yield Timeline(id="timeline")
                # Its place is laid out now, its panes are mounted after the first frame (see
                # _fill_side): the timeline shows sooner, and nothing moves when they arrive.
                yield Vertical(id="side")
        # At 80 columns every key still fits: ctrl+p is left to the help (?) there.
        yield Footer(compact=self.narrow, show_command_palette=not self.narrow)

    def _side_panes(self) -> list[Widget]:
        """The checklists, the probe board, the incidents and the activity log, for the side column."""
        tabs = TabbedContent(id="checklists")
        for offset, (name, pane) in enumerate(self._new_checklist_panes().items()):
            # Hidden tabs mount later still: start-up pays only for what shows.
            tabs.compose_add_child(TabPane(f"{offset + 2} {TAB_TITLES[name]}", pane if offset == 0 else LaterPane(pane),
                                           id=f"pane-{name}"))
        widgets: list[Widget] = [tabs]
        if self.runbook.probes:
            widgets.append(ProbeBoard(id="probes"))
        # The incidents over the activity log, in one column: in the stacked layout a fourth pane
        # side by side would leave each too narrow to read.
        widgets.append(Vertical(IncidentsPane(id="incidents"), ActivityLog(id="activity"), id="side-log"))
        return widgets

    async def _fill_side(self) -> None:
        if self.narrow or self.side_ready:
            return
        await self.query_one("#side").mount_all(self._side_panes())
        self.side_ready = True
        self._prepare_side_panes()
        self.show_snapshot()

    def _new_checklist_panes(self) -> dict[str, ChecklistPane]:
        self.checklist_panes = {name: ChecklistPane(id=f"list-{name}", tests=name == SMOKE_TESTS)
                                for name in CHECKLIST_NAMES}
        return self.checklist_panes

    def _checklist_tabs(self, number_from: int) -> ComposeResult:
        for offset, (name, pane) in enumerate(self._new_checklist_panes().items()):
            with TabPane(f"{number_from + offset} {NARROW_TAB_TITLES[name]}", id=f"pane-{name}"):
                # Hidden tabs mount after the first frame: start-up pays only for what shows.
                yield LaterPane(pane)

    def on_mount(self) -> None:
        self._after_compose()
        self.set_interval(1, self._tick_day)  # the incidents' and the next update's countdowns

    def _after_compose(self) -> None:
        self.side_ready = self.narrow  # narrow: every pane is in the tabs already
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one(Timeline).focus()
        if self.side_ready:
            self._prepare_side_panes()
        else:
            self.call_after_refresh(self._fill_side)

    def _prepare_side_panes(self) -> None:
        self.query_one("#activity").border_title = "6 Activity"
        self.query_one("#incidents").border_title = "8 Incidents"
        if self.runbook.probes:
            self.query_one(ProbeBoard).border_title = "7 Probes"
            self.query_one(ProbeBoard).update_rows(self._probe_rows(self.probe_statuses.values()))

    async def on_resize(self) -> None:
        self.set_class(self.app.size.width < SIDE_BY_SIDE_FROM, "stacked")
        if (self.app.size.width < TABS_BELOW) != self.narrow:
            self.selected_step = self.query_one(Timeline).selected_step
            await self.recompose()
            self._after_compose()
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
        event = message.event
        self.notify(action_notice(event, self.runbook))
        if not self._fold_own_event(event):
            return
        self._repaint_steps([event.subject])
        self._refresh_soon()

    def _repaint_steps(self, step_ids: Iterable[str]) -> None:
        """Just these steps' rows (and their phases'), from the snapshot shown; no full repaint."""
        if self.snapshot is None:
            return
        timeline, probe_states, now = self.query_one(Timeline), self.probe_states, self.now()
        if self.go_live.showing_branch:
            self._show_timeline(timeline, self.snapshot.state, self.snapshot.outlook, now)
            return
        for step_id in step_ids:
            timeline.update_rows(self._timeline_rows(self.snapshot.state, self.snapshot.outlook, now,
                                                     probe_states, only=step_id, unheld=self._unheld_roles()))

    def _refresh_soon(self) -> None:
        """Read the whole snapshot again shortly (forecast, header, checklists, and any event the
        ledger wrote beside ours, such as runbook.loaded): after what was folded in memory is
        painted, and several quick writes share one read."""
        if self._full_refresh is not None:
            self._full_refresh.stop()
        self._full_refresh = self.set_timer(FULL_REFRESH_DELAY, self.console.load_snapshot)

    def _fold_own_event(self, event: Event) -> bool:
        """This app's committed event into the snapshot shown (state and recent activity), in memory;
        False when there is no snapshot yet or it already holds the event."""
        if self.snapshot is None or event.hlc <= self.snapshot.newest_hlc:
            return False
        self.snapshot = replace(
            self.snapshot,
            state=self.snapshot.state.with_event(event),
            # Not cut here: how many events the log keeps is the snapshot's one rule (see
            # WarroomApp._recent_activity), applied when the next one arrives.
            recent=[event, *self.snapshot.recent],
            newest_hlc=event.hlc,
        )
        return True

    def show_snapshot(self) -> None:
        if self.snapshot is None:
            return
        state, now, runbook = self.snapshot.state, self.now(), self.runbook
        # Fresh from the worker, the forecast is ready; the clock's periodic repaint re-times it.
        fresh = (now - self.snapshot.at).total_seconds() < FORECAST_FRESH_SECONDS
        outlook = self.snapshot.outlook if fresh else forecast(runbook, actuals(state), now)
        version = self.snapshot.version
        header = self.query_one(DeploymentHeader)
        header.info = rows.header_info(runbook, state, outlook, self.console.ledger.run,
                                       self.console.ledger.operator, version.summary(), now=now)
        self.show_sync(self.console.sync_status)
        self._show_day(state, now)
        self._warn_of_version(version)
        timeline = self.query_one(Timeline)
        self._show_timeline(timeline, state, outlook, now)
        now_next = rows.now_next(runbook, state, outlook, now, next_steps(runbook, state))
        self.query_one(NowNextLine).value = now_next
        self._call_attention()
        if not self.placed:  # the first time: open where the work is, not at the top
            self.selected_step = self.selected_step or rows.focus_step(now_next)
            self.placed = True
            self._ask_roles_on_first_open(state)
        if self.selected_step:
            timeline.select_step(self.selected_step)
            self.selected_step = None
        if self.side_ready:
            self._show_side(state)
        self.console.snapshot_shown()

    def _show_timeline(self, timeline: Timeline, state: RunState, outlook: Forecast, now: datetime) -> None:
        """The plan's rows (only this operator's steps with `m`), or the rollback branch's while the
        timeline shows it (see tui/golive.py); its title says which."""
        was_branch = str(timeline.border_title).startswith(BRANCH_TITLE)
        branch = self.go_live.rows(state, now)
        if branch is not None:
            timeline.show(branch)
            timeline.border_title = BRANCH_TITLE
        else:
            self._show_plan(timeline, self._timeline_rows(state, outlook, now, self.probe_states,
                                                          unheld=self._unheld_roles()))
        if (branch is not None) != was_branch:
            timeline.action_jump(-1)  # a new list: from its first row
            self.refresh_bindings()

    def _show_side(self, state: RunState) -> None:
        """The checklists and the activity: in the tabs, or in the side column once it is mounted."""
        assert self.snapshot is not None
        runbook = self.runbook
        tabs = self.query_one("#panes" if self.narrow else "#checklists", TabbedContent)
        for offset, name in enumerate(CHECKLIST_NAMES):
            items = rows.checklist_rows(runbook.checklists[name], state, self.zone)
            pane = self.checklist_panes[name]
            pane.show(items)
            titles = NARROW_TAB_TITLES if self.narrow else TAB_TITLES
            label = f"{offset + 2} {titles[name]} {pane.counts(compact=self.narrow)}"
            self._set_tab_label(tabs, f"pane-{name}", label)
        self._show_activity(self.snapshot.recent)
        if self.runbook.probes and self.probe_statuses:  # other machines' view may have moved
            self.query_one(ProbeBoard).update_rows(self._probe_rows(self.probe_statuses.values()))

    def _show_activity(self, recent: list[Event]) -> None:
        """Events are described only when the list changed (most repaints are the clock's)."""
        if recent is not self._activity_shown:
            self._activity_shown = recent
            self.query_one(ActivityLog).show(rows.activity_rows(recent, self.runbook, self.zone))

    @staticmethod
    def _set_tab_label(tabs: TabbedContent, pane_id: str, label: str) -> None:
        """Only when it changed: a new label makes Textual lay the whole screen out again."""
        tab = tabs.get_tab(pane_id)
        if str(tab.label) != label:
            tab.label = label

    def show_sync(self, status: SyncStatus | None) -> None:
        """The header's sync part: nothing without an export, 'never synced' before the first round."""
        if self.console.sync_runner is None:
            return
        header = self.query_one(DeploymentHeader)
        if status is None:
            header.sync = SyncInfo(None, None, 0)
        else:
            header.sync = rows.sync_info(status)

    def _warn_of_version(self, version: VersionReport) -> None:
        """A notice when the runbook stops being the run's (or everyone's); the header keeps saying so."""
        summary = version.summary()
        if summary and summary != self.version_told:
            self.notify("\n".join(version.lines(compact=True)), title="⚠ Runbook version", severity="warning",
                        timeout=VERSION_NOTICE_SECONDS)
        self.version_told = summary

    def _call_attention(self) -> None:
        """Ring once and flash the header for what has just started to want attention."""
        value = self.query_one(NowNextLine).value
        overrunning = [(step.step_id, step.title) for step in value.running if step.overrun] if value else []
        now = self.now()
        due = day_rows.incident_alarms(self.runbook, self.snapshot.state, now) if self.snapshot else {}
        news = self.attention.news(self.probe_states, overrunning, self.runbook.window.rollback_deadline, now,
                                   self._go_live_due(), due)
        if news:
            self.console.ring()
            self.query_one(DeploymentHeader).flash()
            told = "; ".join(news)
            self.notify(told[0].upper() + told[1:], severity="error", timeout=10)

    def _go_live_due(self) -> bool:
        """Without a `gate: go-live` step, the rollback deadline itself asks for the go-live decision."""
        state = self._shown_state()
        return (state is not None and state.latest_decision(DecisionPoint.GO_LIVE) is None
                and not any(step.gate == DecisionPoint.GO_LIVE for step in self.runbook.steps))

    @property
    def probe_states(self) -> dict[str, str]:
        """Probe name -> its state's value (UP, DEGRADED, ...), as shown."""
        return rows.probe_states(self.probe_statuses.values())

    def on_probes_updated(self, message: ProbesUpdated) -> None:
        """Repaint what the batch changed: the board, the header's summary, the Checks of the steps
        that validate with a probe whose state moved, and the activity for recorded changes.
        The batch itself never costs a full repaint (at 500 steps that is ~60 ms of the UI thread),
        so a batch of readings alone repaints no more than that. A batch that recorded probe changes
        also reads the snapshot again shortly, as our own writes do (_refresh_soon): what the ledger
        wrote beside them (runbook.loaded) shows too, and the log is cut back to its one rule."""
        moved = {status.name for status in message.statuses
                 if status.name not in self.probe_statuses or self.probe_statuses[status.name].state != status.state}
        self.probe_statuses.update((status.name, status) for status in message.statuses)
        for event in message.recorded:
            self._fold_own_event(event)
        if message.recorded:
            self._refresh_soon()
        self.query_one(DeploymentHeader).probes = self.probe_states
        self._call_attention()
        if moved:
            self._repaint_steps(self._timeline_rows.steps_validating(moved))
        if not self.side_ready:
            return  # the side column fills itself from what is kept here once it is mounted
        if message.recorded and self.snapshot is not None:
            self._show_activity(self.snapshot.recent)
        board = self.query_one(ProbeBoard)
        board.update_rows(self._probe_rows(message.statuses))
        label = f"7 Probes {state_badge(board.counts)}".rstrip()
        if self.narrow:
            self._set_tab_label(self.query_one("#panes", TabbedContent), "pane-probes", label)
        else:
            board.border_title = label

    def _probe_rows(self, statuses: Iterable[ProbeStatus]) -> list[ProbeBoardRow]:
        """The board's rows, each with other machines' view of the probe (from the snapshot)."""
        if self.snapshot is None or not self.snapshot.state.probes:
            return [rows.probe_row(status) for status in statuses]
        observations, here = self.snapshot.state.probes, self.console.ledger.node
        names = rows.vantage_names(self.console.sync_status)
        return [rows.probe_row(status, rows.elsewhere_text(status.name, observations, here, names))
                for status in statuses]

    @on(ProbeBoard.ProbeSelected, "#probes")
    def show_probe_history(self, message: ProbeBoard.ProbeSelected) -> None:
        status = self.probe_statuses.get(message.name)
        if status:
            self.console.open_probe_history(status)

    @property
    def console(self) -> WarroomApp:
        """The app, typed: the screen asks it for every read and write (it never opens the ledger)."""
        return cast("WarroomApp", self.app)

    def _shown_state(self) -> RunState | None:
        return self.snapshot.state if self.snapshot else None

    # --- actions ----------------------------------------------------------------------------
    # Step keys act on the timeline's selected step, and only while the timeline has focus (or in
    # the step's detail): a key never acts on a step the operator cannot see. Each action goes
    # ahead only as prepared: on the state that was on screen, with its guards answered.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """False hides a key from the footer where it would do nothing."""
        if action in STEP_ACTIONS:
            return self.focused is not None and self.focused.id == "timeline"
        if action == "rollback_view":
            return self.snapshot is not None and rolling_back(self.snapshot.state)
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # the footer offers what the focused pane can do

    def action_step(self, action: str) -> None:
        step_id = self.query_one(Timeline).selected_step
        if step_id is None:
            self.notify("Select a step in the timeline first.", severity="warning")
            return
        self.act_on_step(step_id, action)

    def act_on_step(self, step_id: str, action: str) -> None:
        """`action` (start, done, fail, skip, reopen) on the step: asked first when something
        stands in the way or a reason is owed, then recorded against the step as shown."""
        state = self._shown_state()
        if state is None:
            return
        if self.go_live.showing_branch:
            self.go_live.act(step_id, action)
            return
        seen = state.step(step_id).event_id
        title = self._quoted_title(step_id)
        # What no override answers (sign-offs, the go/no-go decision) is said, not asked about;
        # a go-live step waiting only for its decision asks for the decision.
        refusals = [r for r in step_refusals(self.runbook, state, step_id, action) if r != FINISHED_BY_GO_LIVE]
        if not refusals and self.go_live.needs_decision(step_id, action, state):
            self.go_live.open(step_id)
            return
        if refusals:
            self.notify(f"'{title}' {'; '.join(refusals)}.", severity="warning", timeout=8)
            return
        record = partial(self._record, step_id, action, seen=seen)
        guards = step_guards(self.runbook, state, step_id, action, self.probe_states)
        if guards:
            doing = ACTION_PHRASE[action].format(title)
            prompt = TextPrompt(f"{doing[0].upper()}{doing[1:]} ({step_id}) anyway?",
                                "why you go ahead (recorded with the step)", required=True,
                                details=[f"· it {guard}" for guard in guards])
            self.app.push_screen(prompt, partial(self._record_if_answered, partial(record, override=guards)))
        elif action in NEEDS_NOTE:
            asked = {"fail": f"Why did '{title}' ({step_id}) fail?", "skip": f"Why skip '{title}' ({step_id})?"}
            prompt = TextPrompt(asked[action], NEEDS_NOTE[action], required=True)
            self.app.push_screen(prompt, partial(self._record_if_answered, record))
        elif action == "reopen":
            question = f"Set '{title}' ({step_id}) back to pending? Its history stays in the log."
            self.app.push_screen(Confirm(question), lambda yes: record() if yes else None)
        else:
            record()

    # --- sign-offs and the go/no-go decision --------------------------------------------------

    def action_signoff(self) -> None:
        step_id = self.query_one(Timeline).selected_step
        if step_id is None:
            self.notify("Select a step in the timeline first.", severity="warning")
            return
        self.sign_off_step(step_id)

    def sign_off_step(self, step_id: str) -> None:
        """Sign off on the step; when this operator already has, ask whether to withdraw it."""
        state = self._shown_state()
        if state is None:
            return
        problem = signing_problem(self.runbook, state, step_id)
        if problem:
            self.notify(problem[0].upper() + problem[1:], severity="warning", timeout=8)
            return
        me = self.console.ledger.operator
        if any(signed.operator == me for signed in state.signoffs(step_id)):
            question = f"You signed off '{self._quoted_title(step_id)}' ({step_id}). Withdraw your sign-off?"
            self.app.push_screen(Confirm(question), lambda yes: self._sign(step_id, withdraw=True) if yes else None)
        else:
            self._sign(step_id, withdraw=False)

    def _sign(self, step_id: str, *, withdraw: bool) -> None:
        change = withdraw_sign_off if withdraw else sign_off
        # Against the ledger's state, not the one shown: a sign-off is counted by whoever holds one now.
        self.console.write(lambda ledger, state: change(ledger, self.runbook, state, step_id))

    def action_review(self) -> None:
        """The go/no-go readiness review; the decision taken there is recorded here."""
        if self.snapshot is None:
            return
        state, now = self.snapshot.state, self.now()
        outlook = forecast(self.runbook, actuals(state), now)
        review = readiness(self.runbook, state, outlook, now, self.probe_states)
        self.app.push_screen(ReadinessReview(review, self.zone), self._decide)

    def _decide(self, answer: tuple[Decision, str | None] | None) -> None:
        if answer is not None:
            decision, note = answer
            self.console.write(lambda ledger, state: record_decision(ledger, self.runbook, state, decision, note))

    def _record_if_answered(self, record: Callable[..., None], note: str | None) -> None:
        if note:  # None or empty: the operator cancelled the prompt
            record(note=note)

    def _record(self, step_id: str, action: str, note: str | None = None, *, seen: str | None,
                override: list[str] | None = None) -> None:
        again = partial(self._record, step_id, action, note, override=override)
        doing = ACTION_PHRASE[action].format(self._quoted_title(step_id))
        self.console.write(
            lambda ledger, state: record_step(ledger, self.runbook, state, step_id, action, note,
                                              override=override, seen=seen),
            self._shown_state(),
            on_changed=partial(self._changed_meanwhile, STEP_EVENTS[action], doing, again),
        )

    def _changed_meanwhile(self, intended: str, doing: str, again: Callable[..., None], current: Event | None) -> None:
        """Someone changed the subject after this action was prepared: nothing was written. Say
        who did what and when, and let the operator choose."""
        if current is None:
            return
        what = who_did_what(current, self.runbook, self.zone)
        if current.kind == intended:
            self.notify(f"{what}; nothing more recorded.", severity="warning", timeout=8)
            return
        question = f"While this was being prepared, {what}. Still {doing}?"
        self.app.push_screen(Confirm(question), lambda yes: again(seen=current.id) if yes else None)

    def _quoted_title(self, step_id: str) -> str:
        """The title as a question quotes it: cut short, so that the question's end stays in sight."""
        return for_screen(self.runbook.step(step_id).title, limit=QUOTED_TITLE_LIMIT)

    def action_note(self) -> None:
        """A note on what has focus: the selected step, the highlighted checklist item, or the log."""
        self._ask_note(self._note_subject())

    def _ask_note(self, subject: str) -> None:
        """Ask for a note on `subject` (a step or checklist item id; empty: the log) and record it."""
        name = for_screen(subject_name(subject, self.runbook), limit=QUOTED_TITLE_LIMIT)
        target = f"'{name}'" if subject else "the log"
        prompt = TextPrompt(f"Note on {target}", "what happened, what was decided", required=True)
        self.app.push_screen(prompt, partial(self._add_note, subject))

    def _note_subject(self) -> str:
        focused = self.focused
        if isinstance(focused, Timeline):
            return focused.selected_step or ""
        if isinstance(focused, ChecklistPane):
            return focused.highlighted_item or ""
        return ""

    def _add_note(self, subject: str, text: str | None) -> None:
        if text:
            # The state is not needed: given the one on screen, the ledger's is not read for nothing.
            self.console.write(lambda ledger, state: add_note(ledger, subject, text), self._shown_state())

    def action_to_current(self) -> None:
        """The timeline, on the step running now (or the next one)."""
        value = self.query_one(NowNextLine).value
        step_id = rows.focus_step(value) if value else None
        self.action_pane(1)
        if step_id:
            self.query_one(Timeline).select_step(step_id)

    def action_pane(self, number: int) -> None:
        pane_ids = ["pane-timeline"] + [f"pane-{name}" for name in CHECKLIST_NAMES] + ["pane-activity", "pane-probes",
                                                                                       "pane-incidents"]
        if number == 7 and not self.runbook.probes:
            self.notify("This runbook defines no probes.", severity="warning")
            return
        if number != 1 and not self.side_ready:
            return  # a key pressed in the moment before the side column is mounted
        if self.narrow:
            self.query_one("#panes", TabbedContent).active = pane_ids[number - 1]
        elif 2 <= number <= 5:
            self.query_one("#checklists", TabbedContent).active = pane_ids[number - 1]
        checklist = f"#list-{CHECKLIST_NAMES[min(max(number - 2, 0), 3)]}"
        target = {1: "#timeline", 6: "#activity", 7: "#probes", 8: "#incidents"}.get(number, checklist)
        self._focus_when_mounted(target)

    def _focus_when_mounted(self, selector: str, tries: int = 5) -> None:
        """A hidden tab's pane mounts when the tab first shows (Lazy): focus it once it is there."""
        found = self.query(selector)
        if found:
            found.first().focus()
        elif tries:
            self.call_after_refresh(self._focus_when_mounted, selector, tries - 1)

    @on(ChecklistPane.ToggleRequested)
    def toggle_check(self, message: ChecklistPane.ToggleRequested) -> None:
        state = self._shown_state()
        if state is None:
            return
        check = state.check(message.item_id)
        self._record_outcome(message.item_id, "cleared" if check.ticked else "passed", seen=check.event_id)

    @on(ChecklistPane.OutcomeRequested)
    def ask_outcome(self, message: ChecklistPane.OutcomeRequested) -> None:
        """`f` (failed), `b` (blocked) or `w` (waived) on an item: ask why, then record it; `w` on a
        waived item asks to clear the waiver."""
        state = self._shown_state()
        if state is None:
            return
        item_id, outcome, check = message.item_id, message.outcome, state.check(message.item_id)
        text = for_screen(self.runbook.item(item_id).text, limit=QUOTED_TITLE_LIMIT)
        record = partial(self._record_outcome, item_id, outcome, seen=check.event_id)
        if outcome == "waived" and check.outcome == "waived":
            clear = partial(self._record_outcome, item_id, "cleared", seen=check.event_id)
            question = f"Clear the waiver of '{text}'? It was waived: {for_screen(check.note or '')}."
            self.app.push_screen(Confirm(question), lambda yes: clear() if yes else None)
            return
        asked = {"failed": f"What failed in '{text}'?", "blocked": f"Why could '{text}' not be run?",
                 "waived": f"Why is '{text}' waived?"}
        required = outcome in OUTCOME_NEEDS_NOTE
        placeholder = OUTCOME_NEEDS_NOTE.get(outcome, "why it is blocked (optional)")
        prompt = TextPrompt(asked[outcome], placeholder, required=required)
        then = partial(self._offer_incident, item_id) if outcome == "failed" else None
        self.app.push_screen(prompt, partial(self._record_outcome_if_answered, record, then))

    def _record_outcome_if_answered(self, record: Callable[..., None], then: Callable[[str], None] | None,
                                    note: str | None) -> None:
        if note is not None:  # None: the operator cancelled; empty: no note, where none is owed
            record(note=note)
            if then:
                then(note)

    def _offer_incident(self, item_id: str, note: str) -> None:
        """A failed smoke test is often an incident: offer to open one, linked to the test."""
        text = self.runbook.item(item_id).text
        question = f"Open an incident for the failed smoke test '{for_screen(text, limit=QUOTED_TITLE_LIMIT)}'?"
        title = f"Smoke test failed: {text}"
        self.app.push_screen(Confirm(question), lambda yes: self.open_incident_form(
            title=title, item_id=item_id, description=note) if yes else None)

    def _record_outcome(self, item_id: str, outcome: str, note: str | None = None, *, seen: str | None) -> None:
        text = for_screen(self.runbook.item(item_id).text, limit=QUOTED_TITLE_LIMIT)
        doing = f"{OUTCOME_PHRASE[outcome]} '{text}'"
        self.console.write(
            lambda ledger, state: record_outcome(ledger, self.runbook, state, item_id, outcome, note, seen=seen),
            self._shown_state(),
            on_changed=partial(self._changed_meanwhile, OUTCOME_EVENTS[outcome], doing,
                               partial(self._record_outcome, item_id, outcome, note)),
        )

    @on(Timeline.StepSelected, "#timeline")
    def show_step_detail(self, message: Timeline.StepSelected) -> None:
        state = self._shown_state()
        if state is None:
            return
        status = state.step(message.step_id)
        step = self.runbook.step(message.step_id)
        unheld = owner_unheld(step, status.status, self._unheld_roles())
        signoffs = rows.signoff_lines(step, state, self.zone)
        self.console.open_detail(message.step_id, status, self.probe_states,
                                 partial(self._act_from_detail, message.step_id), owner_unheld=unheld,
                                 signoffs=signoffs)

    def _act_from_detail(self, step_id: str, action: str | None) -> None:
        """The detail closed with a step key: act on its step, as from the timeline."""
        if action == "note":
            self._ask_note(step_id)
        elif action == "keep":
            self.keep_step(step_id)
        elif action == "signoff":
            self.sign_off_step(step_id)
        elif action:
            self.act_on_step(step_id, action)

    @on(ActivityLog.EntrySelected, "#activity")
    def show_activity_entry(self, message: ActivityLog.EntrySelected) -> None:
        self.console.open_activity_entry(message.event_ids)

    # --- conflicts and quarantine -----------------------------------------------------------------

    def action_keep(self) -> None:
        """K: keep the standing version of the selected step (or the highlighted checklist item,
        asked first) and clear its conflict marker, for everyone, with a new event."""
        state = self._shown_state()
        if state is None:
            return
        focused = self.focused
        if isinstance(focused, ChecklistPane) and focused.highlighted_item:
            self.keep_item(focused.highlighted_item)
        elif isinstance(focused, Timeline) and focused.selected_step:
            self.keep_step(focused.selected_step)
        else:
            self.notify("Select a step or checklist item marked ⚡ first.", severity="warning")

    def keep_step(self, step_id: str) -> None:
        state = self._shown_state()
        if state is None:
            return
        status = state.step(step_id)
        title = self._quoted_title(step_id)
        if not status.conflict:
            self.notify(f"'{title}' has no conflict to resolve.", severity="warning")
            return
        self._resolve("step", step_id, f"keep '{title}' as it stands", seen=status.event_id)

    def keep_item(self, item_id: str) -> None:
        state = self._shown_state()
        if state is None:
            return
        check = state.check(item_id)
        text = for_screen(self.runbook.item(item_id).text, limit=QUOTED_TITLE_LIMIT)
        if not check.conflict:
            self.notify(f"'{text}' has no conflict to resolve.", severity="warning")
            return
        standing = rows.check_version_text("ticked" if check.ticked else "unticked", check.by or "?", check.at,
                                           self.zone)
        displaced = "; ".join(rows.check_version_text(d.what, d.by, d.at, self.zone) for d in check.conflict)
        question = f"Keep '{text}' as it stands, {standing}? It displaced: {displaced}."
        keep = partial(self._resolve, "check", item_id, f"keep '{text}' as it stands", seen=check.event_id)
        self.app.push_screen(Confirm(question), lambda yes: keep() if yes else None)

    def _resolve(self, kind: str, subject: str, doing: str, *, seen: str | None) -> None:
        intended = EventKind.STEP_CONFLICT_RESOLVED if kind == "step" else EventKind.CHECK_CONFLICT_RESOLVED
        self.console.write(
            lambda ledger, state: resolve_conflict(ledger, kind, subject, seen),
            self._shown_state(),
            on_changed=partial(self._changed_meanwhile, intended, doing, partial(self._resolve, kind, subject, doing)),
        )

    def action_quarantine(self) -> None:
        self.console.open_quarantine()

    # --- people: the roster, the roles held, my steps ---------------------------------------------

    def _seen(self) -> frozenset[str]:
        """The people who have written to this run (see ops.people.seen_operators)."""
        return seen_operators(self.snapshot.version) if self.snapshot else frozenset()

    def _unheld_roles(self) -> frozenset[str]:
        if self.snapshot is None:
            return frozenset()
        return unheld_roles(self.runbook, self.snapshot.state, self._seen())

    def _my_roles(self, state: RunState) -> tuple[str, ...]:
        return roles_of(self.runbook, state, self.console.ledger.operator)

    def action_roster(self) -> None:
        state = self._shown_state()
        if state is None:
            return
        entries = roster(self.runbook, state, self._seen())
        screen = Roster(entries, self._my_roles(state), self.console.ledger.operator)
        self.app.push_screen(screen, lambda answer: self.ask_roles() if answer == "roles" else None)

    def ask_roles(self) -> None:
        """The picker of the team's roles, this operator's ticked; Enter records them (roles.declared)."""
        state = self._shown_state()
        if state is None:
            return
        if not self.runbook.team:
            self.notify("This runbook names no team, so there are no roles to hold.", severity="warning")
            return
        picker = RolePicker(roster_roles(self.runbook), self._my_roles(state), self.console.ledger.operator)
        self.app.push_screen(picker, self._declare_roles)

    def _ask_roles_on_first_open(self, state: RunState) -> None:
        """`warroom open` without --role, in a run where this operator holds no role: ask, once."""
        if self.console.ask_roles and not self.roles_asked and self.runbook.team and not self._my_roles(state):
            self.roles_asked = True
            self.call_after_refresh(self.ask_roles)

    def _declare_roles(self, roles: tuple[str, ...] | None) -> None:
        if roles is not None:  # None: Escape, not now
            self.console.write(lambda ledger, state: declare_roles(ledger, self.runbook, state, roles),
                               self._shown_state())

    def action_mine(self) -> None:
        """Only the steps of the roles this operator holds, or every step again."""
        state = self._shown_state()
        if state is None:
            return
        if not self.mine_only and not self._my_roles(state):
            self.notify("You hold no role in this run, so no step is yours; t shows the roster, r there "
                        "declares your roles.", severity="warning")
            return
        self.mine_only = not self.mine_only
        self.show_snapshot()

    def _show_plan(self, timeline: Timeline, shown: Sequence[PhaseRow | TimelineRow]) -> None:
        """The plan's rows, only this operator's steps (and their phases) with `m`; its title says which."""
        roles = self._my_roles(self.snapshot.state) if self.mine_only and self.snapshot else ()
        title = "Timeline"
        if roles:
            mine = {step.id for step in self.runbook.steps if step.owner in roles}
            phases = {for_screen(self.runbook.step(step_id).phase) for step_id in mine}  # as a PhaseRow says it
            shown = [row for row in shown
                     if (row.step_id in mine if isinstance(row, TimelineRow) else row.phase in phases)]
            title = f"Timeline · my steps ({for_screen(', '.join(roles))})"
        selected = timeline.selected_step
        timeline.show(shown)
        if selected and timeline.get_row_index(selected) is None:
            timeline.action_jump(-1)  # the step that was selected is filtered out: the first of those shown
        timeline.border_title = title
        if self.narrow:
            tab = "1 Mine" if roles else "1 Steps"
            self._set_tab_label(self.query_one("#panes", TabbedContent), "pane-timeline", tab)

    # --- the go-live decision and the rollback branch (tui/golive.py) -------------------------------

    def action_go_live(self) -> None:
        self.go_live.open()

    def action_rollback_view(self) -> None:
        self.go_live.toggle()
        self.show_snapshot()

    # --- incidents and status updates -------------------------------------------------------------

    def _tick_day(self) -> None:
        """Every second: the countdowns move, and an incident crossing its target rings once."""
        if self.snapshot is not None:
            self._show_day(self.snapshot.state, self.now())
            self._call_attention()

    def _show_day(self, state: RunState, now: datetime) -> None:
        """The header's incidents and next update, and the incidents pane (and its tab's label)."""
        self.query_one(DeploymentHeader).day = day_rows.day_info(self.runbook, state, now)
        if not self.side_ready:
            return
        pane = self.query_one(IncidentsPane)
        pane.show(day_rows.incident_rows(self.runbook, state, now))
        overdue = f" · ⚠ {pane.overdue_count} OVERDUE" if pane.overdue_count else ""
        if self.narrow:
            label = "8 Inc ⚠" if pane.overdue_count else "8 Inc"  # no more: the row of tabs must fit 80 columns
            self._set_tab_label(self.query_one("#panes", TabbedContent), "pane-incidents", label)
        else:
            pane.border_title = f"8 Incidents {pane.open_count} open{overdue}" if pane.open_count else "8 Incidents"

    def action_new_incident(self) -> None:
        """i, wherever the focus is: the form, linked to the step selected in the timeline."""
        self.open_incident_form(step_id=self.query_one(Timeline).selected_step)

    def open_incident_form(self, *, severity: str = "P2", title: str = "", step_id: str | None = None,
                           item_id: str | None = None, description: str = "") -> None:
        """The incident form, prefilled (a failed smoke test opens it with its item, a title and
        what failed)."""
        item_text = self.runbook.item(item_id).text if item_id and self.runbook.has_item(item_id) else ""
        form = IncidentForm(severity=severity, title=title, owner=self.console.ledger.operator, step_id=step_id,
                            item_id=item_id, item_text=item_text, description=description,
                            check=self._check_incident)
        self.app.push_screen(form, self._open_incident)

    def _check_incident(self, draft: IncidentDraft) -> None:
        """What open_incident would refuse, asked before the form closes (UsageProblem)."""
        parse_severity(draft.severity)
        if draft.step_id:
            find_step(self.runbook, draft.step_id)
        if draft.item_id:
            find_item(self.runbook, draft.item_id)

    def _open_incident(self, draft: IncidentDraft | None) -> None:
        if draft is None:
            return
        self.console.write(
            lambda ledger, state: open_incident(ledger, self.runbook, state, draft.severity, draft.title,
                                                description=draft.description, owner=draft.owner,
                                                step_id=draft.step_id, item_id=draft.item_id),
            self._shown_state(),
        )

    @on(IncidentsPane.IncidentSelected, "#incidents")
    def show_incident_detail(self, message: IncidentsPane.IncidentSelected) -> None:
        state = self._shown_state()
        incident = state.incidents.get(message.incident_id) if state else None
        if incident is None:
            return
        due = countdown(incident, self.runbook, self.now())
        then = partial(self._act_on_incident, incident.id)

        def read_history() -> None:
            events = self.console.ledger.events(subject=incident.id)
            detail = IncidentDetail(incident, due.text if due else "",
                                    rows.activity_rows(events, self.runbook, self.zone), self.zone)
            self.app.call_from_thread(self.app.push_screen, detail, then)

        self.run_worker(read_history, thread=True, group="ledger", exit_on_error=False)

    def _act_on_incident(self, incident_id: str, action: str | None) -> None:
        """The incident's detail closed with an action: ask what it needs, then record it."""
        title = for_screen(self._shown_incident_title(incident_id), limit=QUOTED_TITLE_LIMIT)
        if action in ("active", "closed"):
            self._update_incident(incident_id, status=action)
        elif action == "resolved":
            prompt = TextPrompt(f"Resolve {incident_id} '{title}': what fixed it?", "the resolution (required)",
                                required=True)
            self.app.push_screen(prompt, lambda note: self._update_incident(incident_id, status="resolved",
                                                                            note=note) if note else None)
        elif action == "note":
            prompt = TextPrompt(f"Note on {incident_id} '{title}'", "what happened, what was found", required=True)
            self.app.push_screen(prompt, lambda note: self._update_incident(incident_id, note=note) if note else None)
        elif action == "severity":
            prompt = TextPrompt(f"New severity for {incident_id} '{title}'", "P1, P2, P3 or P4", required=True)
            self.app.push_screen(prompt, partial(self._change_severity, incident_id))
        elif action == "owner":
            prompt = TextPrompt(f"New owner for {incident_id} '{title}'", "who works on it now", required=True)
            self.app.push_screen(prompt, lambda owner: self._update_incident(incident_id, owner=owner)
                                 if owner else None)

    def _shown_incident_title(self, incident_id: str) -> str:
        state = self._shown_state()
        incident = state.incidents.get(incident_id) if state else None
        return incident.title if incident else incident_id

    def _change_severity(self, incident_id: str, answer: str | None) -> None:
        if not answer:
            return
        try:
            severity = parse_severity(answer)
        except UsageProblem as problem:
            self.notify(str(problem), severity="warning")
            return
        self._update_incident(incident_id, severity=severity)

    def _update_incident(self, incident_id: str, **change: str) -> None:
        self.console.write(lambda ledger, state: update_incident(ledger, state, incident_id, **change),
                           self._shown_state())

    def action_compose_update(self) -> None:
        """u: the status update, drafted from what is on screen, to edit and post."""
        state = self._shown_state()
        if state is None:
            return
        now = self.now()
        draft = draft_update(self.runbook, state, forecast(self.runbook, actuals(state), now), self.probe_states, now)
        where = updates_path(self.runbook, self.console.updates_file)
        self.app.push_screen(UpdateComposer(draft, for_screen(str(where)) if where else ""), self._post_update)

    def _post_update(self, text: str | None) -> None:
        """Record it, copy it to the clipboard (OSC 52: through SSH too), append it to the file."""
        if not text:
            return

        def warn(sentence: str) -> None:  # from the writer's thread
            self.app.call_from_thread(self.notify, sentence, severity="warning", timeout=10)

        self.console.write(lambda ledger, state: post_update(ledger, text, self.runbook, self.console.updates_file,
                                                             on_warning=warn), self._shown_state())
        self.app.copy_to_clipboard(text)
        where = updates_path(self.runbook, self.console.updates_file)
        self.notify("Status update copied to the clipboard" + (f"; appending it to {where}" if where else "") + ".")
