"""What each widget shows, as plain row values: pure functions of the plan, the ledger's state, the
forecast, the clock and the probes.

The widgets know nothing of runbooks, ledgers or probes: they draw these rows. Rows are frozen and
compare by value, so a widget repaints only the lines whose row changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from warroom.ops.decisions import sign_off_text
from warroom.ops.describe import describe, describe_repeats, kind_group
from warroom.ops.people import owner_unheld
from warroom.ops.progress import progress
from warroom.ops.rollback import rollback_fits, rollback_time
from warroom.probes import ProbeState, ProbeStatus
from warroom.runbook import format_duration
from warroom.runbook.forecast import Forecast
from warroom.runbook.model import Checklist, Runbook, Step
from warroom.store import Event, ProbeObservation, RunState, StepState
from warroom.store.hlc import hlc_to_datetime
from warroom.store.ledger import MACHINE_PREFIX
from warroom.tui.activity_fold import fold_repeats
from warroom.untrusted import for_screen, visible
from warroom.vocabulary import StepStatus
from warroom.widgets.activity import ActivityRow
from warroom.widgets.checklists import ChecklistRow
from warroom.widgets.display import STEP_GLYPH, STEP_WORD, clock, moment_text, signed_span, span
from warroom.widgets.header import HeaderInfo, SyncInfo
from warroom.widgets.now_next import NowNext, Running, Upcoming
from warroom.widgets.probe_board import ProbeRow, latency_text, sparkline, uptime_text
from warroom.widgets.timeline import GANTT, GanttBar, PhaseRow, TimelineRow

PEER_NAME_LIMIT = 24  # characters of a peer's name in the header
if TYPE_CHECKING:  # not at start-up: sync (and its cryptography) loads only with an export
    from warroom.sync.round import SyncStatus

LATE = timedelta(minutes=5)  # a step drifting more than this shows its drift in the warning colour

# --- the timeline --------------------------------------------------------------------------------


def timeline_rows(runbook: Runbook, state: RunState, outlook: Forecast, now: datetime,
                  probe_states: Mapping[str, str] | None = None, only: str | None = None,
                  unheld: frozenset[str] = frozenset()) -> tuple[PhaseRow | TimelineRow, ...]:
    """Every phase row and step row, in the runbook's order.

    `probe_states` (probe name -> UP/DEGRADED/...) fills the checks of steps whose validation
    names probes. `only` (a step id) gives just that step's row and its phase's row, after a
    keystroke; a subject that is not a step gives nothing. `unheld`: the roles nobody here holds
    (ops.people.unheld_roles), flagged on the unfinished steps they own.
    """
    return TimelineRows(runbook)(state, outlook, now, probe_states, only, unheld)


class TimelineRows:
    """`timeline_rows()` for one runbook, remembering what it built: a step's row is built again
    only when something it shows changed, so a 500-step timeline costs what changed since."""

    def __init__(self, runbook: Runbook) -> None:
        self.runbook = runbook
        self.zone = runbook.window.zone
        self.phases: dict[str, tuple[Step, ...]] = {}
        for step in runbook.steps:
            self.phases[step.phase] = (*self.phases.get(step.phase, ()), step)
        self.probes = {step.id: tuple(v.probe for v in step.validate if v.probe) for step in runbook.steps}
        self._built: dict[str, tuple[tuple, TimelineRow]] = {}  # step id -> (what it showed, its row)

    def steps_validating(self, probes: set[str]) -> list[str]:
        """The steps whose `validate:` names any of `probes`, in the runbook's order."""
        return [step_id for step_id, names in self.probes.items() if probes.intersection(names)]

    def __call__(self, state: RunState, outlook: Forecast, now: datetime,
                 probe_states: Mapping[str, str] | None = None, only: str | None = None,
                 unheld: frozenset[str] = frozenset()) -> tuple[PhaseRow | TimelineRow, ...]:
        runbook, probe_states = self.runbook, probe_states or {}
        now_column = gantt_column(runbook, now)
        if only is not None:
            if not runbook.has_step(only):
                return ()
            step = runbook.step(only)
            return (phase_row(step.phase, self.phases[step.phase], state, outlook),
                    self.step_row(step, state, outlook, now, now_column, probe_states, unheld))
        rows: list[PhaseRow | TimelineRow] = []
        previous_phase = None
        for step in runbook.steps:
            if step.phase != previous_phase:
                previous_phase = step.phase
                rows.append(phase_row(step.phase, self.phases[step.phase], state, outlook))
            rows.append(self.step_row(step, state, outlook, now, now_column, probe_states, unheld))
        return tuple(rows)

    def step_row(self, step: Step, state: RunState, outlook: Forecast, now: datetime, now_column: int,
                 probe_states: Mapping[str, str], unheld: frozenset[str] = frozenset()) -> TimelineRow:
        probes = self.probes[step.id]
        checks = tuple((probe, probe_states.get(probe, "UNKNOWN")) for probe in probes) if probes else ()
        status = state.step(step.id)
        overrun = overrunning(step, status, now)
        unheld_owner = owner_unheld(step, status.status, unheld)
        signed = signoff_mark(step, status, state)
        shown = (status, outlook.planned[step.id], outlook.expected[step.id], now_column, checks, overrun,
                 unheld_owner, signed)
        built = self._built.get(step.id)
        if built is not None and built[0] == shown:
            return built[1]
        row = step_row(self.runbook, step, status, outlook, now_column, checks, overrun, self.zone,
                       owner_unheld=unheld_owner, signoffs=signed)
        self._built[step.id] = (shown, row)
        return row


def phase_row(phase: str, steps: Sequence[Step], state: RunState, outlook: Forecast) -> PhaseRow:
    counts = progress([state.step(s.id).status for s in steps])
    drift = outlook.phase_drift([s.id for s in steps])
    return PhaseRow(for_screen(phase), counts["done"], counts["total"], signed_span(drift),
                    skipped=counts["skipped"], failed=counts["failed"])


def overrunning(step: Step, status: StepState, now: datetime) -> bool:
    """Running past its planned duration."""
    return (status.status is StepStatus.IN_PROGRESS and status.started_at is not None
            and now - status.started_at > step.duration)


def signoff_mark(step: Step, status: StepState, state: RunState) -> str:
    """'✍1/2' on a step that needs sign-offs and has not started; '' otherwise (once it has
    started, they no longer hold anything back; its detail still says who signed)."""
    if not step.approval or status.status is not StepStatus.PENDING:
        return ""
    return f"✍{len(state.signoffs(step.id))}/{step.approval}"


def signoff_lines(step: Step, state: RunState, zone: tzinfo) -> tuple[str, ...]:
    """The step detail's sign-offs: '1 of 2 sign-offs (lee)', then who signed, in which role, when."""
    if not step.approval:
        return ()
    signed = [f"✍ {for_screen(s.operator)}" + (f" ({for_screen(s.role)})" if s.role else "")
              + f" at {clock(s.at, zone)}" for s in state.signoffs(step.id)]
    return (for_screen(sign_off_text(step.approval, state, step.id)), *signed)


def step_row(runbook: Runbook, step: Step, status: StepState, outlook: Forecast,
             now_column: int, checks: tuple[tuple[str, str], ...], overrun: bool, zone: tzinfo,
             owner_unheld: bool = False, signoffs: str = "") -> TimelineRow:
    """One step's row from its state, the forecast (its planned and expected slots, its drift) and
    the now-marker's cell; `owner_unheld`: nobody here holds the role that owns it; `signoffs`: its
    sign-off progress ('✍1/2'), while it waits for them."""
    started = clock(status.started_at, zone) if status.started_at else ""
    finished = clock(status.finished_at, zone) if status.finished_at else ""
    planned, expected = outlook.planned[step.id], outlook.expected[step.id]
    drift = outlook.drift(step.id)
    return TimelineRow(
        step_id=step.id,
        title=for_screen(step.title),
        owner=for_screen(step.owner or ""),
        status=status.status,
        plan=clock(planned.start, zone),
        duration=format_duration(step.duration),
        actual=f"{started}–{finished}" if started or finished else "",
        drift=signed_span(drift),
        late=drift > LATE,
        gantt=GanttBar(
            planned=(gantt_column(runbook, planned.start), gantt_column(runbook, planned.end)),
            actual=(gantt_column(runbook, expected.start), gantt_column(runbook, expected.end))
            if status.status is not StepStatus.PENDING else None,
            now=now_column,
            no_return=no_return_column(runbook),
        ),
        checks=tuple((for_screen(probe), state) for probe, state in checks),
        overrun=overrun,
        conflict=bool(status.conflict),
        owner_unheld=owner_unheld,
        signoffs=signoffs,
    )


def gantt_column(runbook: Runbook, moment: datetime) -> int:
    """Which cell of the Gantt strip a moment falls in (may be outside 0..GANTT-1)."""
    start, end = runbook.window.start, runbook.window.end
    span = (end - start).total_seconds() or 1
    return int((moment - start).total_seconds() / span * GANTT)


def no_return_column(runbook: Runbook) -> int | None:
    """The Gantt strip's cell of the rollback deadline, the point of no return; None without one."""
    deadline = runbook.window.rollback_deadline
    return gantt_column(runbook, deadline) if deadline is not None else None


# --- now and next --------------------------------------------------------------------------------


def now_next(runbook: Runbook, state: RunState, outlook: Forecast, now: datetime,
             ready: Sequence[str]) -> NowNext:
    """The steps running or failed, and the first of `ready` (pending steps whose dependencies are
    finished, see ops.status.next_steps) by planned start; without any, the first pending step."""
    zone = runbook.window.zone
    running = []
    for step in runbook.steps:
        status = state.step(step.id)
        if not status.status.current:
            continue
        since = status.started_at or status.finished_at or now
        over = now - since - step.duration
        elapsed = timedelta(minutes=(now - since) // timedelta(minutes=1))  # whole minutes: seconds left out
        running.append(Running(step.id, for_screen(step.title), status.status, span(elapsed),
                               format_duration(step.duration),
                               signed_span(over) if overrunning(step, status, now) else ""))
    pending = [s.id for s in runbook.steps if state.step(s.id).status is StepStatus.PENDING]
    candidates = list(ready) or pending[:1]
    upcoming = None
    if candidates:
        step = runbook.step(min(candidates, key=lambda step_id: outlook.planned[step_id].start))
        upcoming = Upcoming(step.id, for_screen(step.title), moment_text(outlook.planned[step.id].start, zone, now))
    finished = all(state.step(s.id).status.finished for s in runbook.steps)
    return NowNext(tuple(running), upcoming, finished)


def focus_step(value: NowNext) -> str | None:
    """Where the timeline opens and `c` jumps to: the running step, else the next one."""
    if value.running:
        return value.running[0].step_id
    return value.upcoming.step_id if value.upcoming else None


# --- the header, checklists and activity ----------------------------------------------------------


def header_info(runbook: Runbook, state: RunState, outlook: Forecast, run: str, operator: str,
                runbook_warning: str = "", now: datetime | None = None) -> HeaderInfo:
    """`runbook_warning`: ops.version's one-line summary, empty when this runbook is the run's.
    `now`: the moment whether a rollback still fits is judged at (without it, it is taken to)."""
    window = runbook.window
    counts = progress([state.step(s.id).status for s in runbook.steps])
    return HeaderInfo(
        title=for_screen(runbook.title),
        deployment=runbook.id,
        version=for_screen(str(runbook.version)),
        run=for_screen(run),
        operator=for_screen(operator),
        zone=window.zone,
        window_start=window.start,
        window_end=window.end,
        rollback_deadline=window.rollback_deadline,
        done=counts["done"],  # skipped is not done: each is counted on its own
        skipped=counts["skipped"],
        failed=counts["failed"],
        total=counts["total"],
        headline=outlook.headline,
        expected_end=outlook.expected_end,
        drift=outlook.overall_drift,
        overrun=outlook.overrun,
        probe_count=len(runbook.probes),
        runbook_warning=for_screen(runbook_warning),
        conflicts=state.conflict_count(),
        decision=state.decisions[-1].decision if state.decisions else None,
        decision_at=state.decisions[-1].at if state.decisions else None,
        rollback_time=rollback_time(runbook, state),
        rollback_fits=rollback_fits(runbook, state, now) if now is not None else True,
    )


def sync_info(status: SyncStatus) -> SyncInfo:
    """The header's sync part from the syncer's status: people only (a machine's probe writer,
    `probe@node`, is not someone seen), each once at their freshest, freshest first."""
    freshest: dict[str, int] = {}
    for peer in status.peers:
        if peer.operator.startswith(MACHINE_PREFIX):
            continue
        freshest[peer.operator] = max(freshest.get(peer.operator, 0), peer.newest_hlc)
    peers = sorted(freshest.items(), key=lambda item: (-item[1], item[0]))
    return SyncInfo(
        last_ok=from_epoch(status.last_ok),
        unreachable_since=from_epoch(status.unreachable_since),
        waiting=status.waiting,
        peers=tuple((visible(name[:PEER_NAME_LIMIT]), hlc_to_datetime(hlc)) for name, hlc in peers),
        quarantined=status.quarantined,
        alarms=len(status.alarms),
    )


def from_epoch(seconds: float | None) -> datetime | None:
    """Sync's moments (epoch seconds, as its status keeps them) as aware datetimes."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


CHECK_NOTE_LIMIT = 80  # characters of a failure's, a block's or a waiver's note in its row; the log has it whole


def checklist_rows(checklist: Checklist, state: RunState, zone: tzinfo) -> tuple[ChecklistRow, ...]:
    rows = []
    for item in checklist.items:
        check = state.check(item.id)
        category = for_screen(item.category) if item.category else None
        done = bool(check.outcome)  # who and when, for a pass, a failure, a block or a waiver
        rows.append(ChecklistRow(item.id, for_screen(item.text), category, check.ticked,
                                 for_screen(check.by or "") if done else "",
                                 clock(check.at, zone) if done else "", conflict=bool(check.conflict),
                                 outcome=check.outcome, note=for_screen(check.note or "", limit=CHECK_NOTE_LIMIT)))
    return tuple(rows)


def check_version_text(what: str, by: str, at: datetime | None, zone: tzinfo) -> str:
    """One version of a conflicted row, for people: 'ticked by bob at 10:42:05'."""
    when = f" at {at.astimezone(zone):%H:%M:%S}" if at else ""
    return f"{for_screen(what)} by {for_screen(by)}{when}"


def step_conflict_lines(status: StepState, zone: tzinfo) -> tuple[tuple[str, str], ...]:
    """The step detail's conflict section: the standing version, then each it displaced."""
    if not status.conflict:
        return ()
    standing = step_version_text(status.status.value, status.by or "?",
                                 hlc_to_datetime(status.hlc) if status.hlc else None, zone)
    return (("Standing", standing),
            *(("Displaced", step_version_text(d.what, d.by, d.at, zone)) for d in status.conflict))


def step_version_text(what: str, by: str, at: datetime | None, zone: tzinfo) -> str:
    """A step's version: its status by glyph and word ('✔ done by bob at 10:42:05')."""
    try:
        status = StepStatus(what)
        what = f"{STEP_GLYPH[status]} {STEP_WORD[status]}"
    except ValueError:
        pass  # a status from another release: shown as written
    return check_version_text(what, by, at, zone)


def activity_rows(events: Iterable[Event], runbook: Runbook, zone: tzinfo) -> tuple[ActivityRow, ...]:
    """`events` in the order given (newest first on screen), each described in words; a probe's
    repeated changes folded into one row (see tui/activity_fold.py)."""
    return tuple(activity_row(entry, runbook, zone) for entry in fold_repeats(list(events)))


def activity_row(entry: Sequence[Event], runbook: Runbook, zone: tzinfo) -> ActivityRow:
    """One entry: an event, or a probe's repeated changes (newest first)."""
    newest = entry[0]
    text = describe(newest, runbook) if len(entry) == 1 else describe_repeats(entry, zone)
    return ActivityRow(newest.id, clock(newest.at, zone), for_screen(newest.operator), for_screen(text),
                       kind=kind_group(newest.kind), events=tuple(event.id for event in entry))


# --- probes --------------------------------------------------------------------------------------


def probe_row(status: ProbeStatus, elsewhere: str = "") -> ProbeRow:
    return ProbeRow(
        name=status.name,
        label=for_screen(status.name),
        kind=for_screen(status.kind),
        state=status.state.value,
        latency=sparkline(status.history),
        last=for_screen(status.value) if status.value else latency_text(status.response_time_ms),
        up_1h=uptime_text(status.uptime_1h),
        up_24h=uptime_text(status.uptime_24h),
        failing=for_screen(status.failed_condition or "") if status.state is not ProbeState.UP else "",
        elsewhere=elsewhere,
    )


def vantage_names(status: SyncStatus | None) -> dict[str, str]:
    """Node id -> the people whose events come from it (what a vantage point is called), from the
    sync status's peers; a node nobody is known on keeps its id."""
    people: dict[str, set[str]] = {}
    for peer in status.peers if status else ():
        if not peer.operator.startswith(MACHINE_PREFIX):
            people.setdefault(peer.node, set()).add(peer.operator)
    return {node: "/".join(sorted(names)) for node, names in people.items()}


def elsewhere_text(probe: str, observations: Mapping[tuple[str, str], ProbeObservation], here: str,
                   names: Mapping[str, str]) -> str:
    """Other machines' last recorded state of `probe`: 'DOWN from bob, UP from n-7f3a'."""
    seen = sorted((names.get(vantage, vantage), seen.state) for (name, vantage), seen in observations.items()
                  if name == probe and vantage != here)
    return ", ".join(f"{visible(state)} from {visible(who[:PEER_NAME_LIMIT])}" for who, state in seen)


def probe_states(statuses: Iterable[ProbeStatus]) -> dict[str, str]:
    """Probe name -> its state's value (UP, DEGRADED, ...)."""
    return {status.name: status.state.value for status in statuses}

