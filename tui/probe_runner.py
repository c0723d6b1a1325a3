"""Runs the probes beside the app: its own thread and event loop, batched results.

Probes never share the UI's event loop, so a burst of checks cannot delay a keystroke. Statuses
are collected and handed over in one batch a few times a second (a board of 1,000 probes gets
one repaint, not 1,000); samples go to the local samples file in batches; each real state change
becomes a `probe.changed` event written as this machine (`probe@<node>`), with it as the vantage.

One console per machine and ledger probes: the one holding the prober lock (store/prober.py).
Every other console on that ledger follows it: it reads the samples the prober stores, once a
second, and shows them; and it asks for the lock each time, so that it takes over within a second
or two of the prober quitting or dying. Whoever starts probing starts where the last one stopped:
uptime, sparkline and failure streaks from the samples, each probe's state from the last one the
ledger recorded for this machine. Reopening a console therefore records nothing new unless
something changed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from warroom.probes import Past, ProbeState, ProbeStatus, ProbeTracker, Sample, Transition, to_config
from warroom.probes.state import DAY_WINDOW, HISTORY_SIZE, HOUR_WINDOW
from warroom.runbook.model import ProbeSpec
from warroom.store import Event, Ledger, LedgerError, SampleRow
from warroom.store.prober import ProberLock
from warroom.vocabulary import EventKind

if TYPE_CHECKING:
    from warroom.probes import ProbeScheduler

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25  # how often the prober hands over its batch
FOLLOW_SECONDS = 1.0  # how often a follower reads the prober's samples and asks for the lock

PROBING, FOLLOWING = "probing", "following"


def transition_event_body(transition: Transition, node: str, recorded: str | None) -> dict:
    """`recorded`: the state last recorded for this probe and vantage, which the change is from."""
    return {
        "from": recorded or transition.old.value,
        "to": transition.new.value,
        "failed_condition": transition.failed_condition,
        "vantage": node,
    }


def worth_recording(transition: Transition, recorded: str | None) -> bool:
    """News for the ledger: a state other than the one last recorded for this probe and machine,
    except a first UP (every start-up of a healthy system, not news)."""
    new = transition.new.value
    return new != recorded and not (recorded is None and transition.new is ProbeState.UP)


def sample_row(sample: Sample) -> SampleRow:
    return SampleRow(sample.probe, sample.at, sample.state.value, sample.ok, sample.response_time_ms, sample.value,
                     sample.reason, sample.metric)


def stored_sample(row: SampleRow) -> Sample:
    return Sample(row.probe, row.at, _state(row.state), row.ok, row.response_time_ms, row.value, row.reason,
                  row.metric)


def _state(text: str) -> ProbeState:
    try:
        return ProbeState(text)
    except ValueError:  # a state this release does not know: no judgement it can show
        return ProbeState.UNKNOWN


class ProbeRunner:
    def __init__(
        self,
        specs: Iterable[ProbeSpec],
        ledger: Ledger,
        on_statuses: Callable[[list[ProbeStatus], list[Event]], None],
        on_error: Callable[[Exception], None] = lambda error: None,
    ) -> None:
        self._specs = tuple(specs)
        self._ledger = ledger
        self._on_statuses = on_statuses
        self._on_error = on_error
        self._pending: dict[str, ProbeStatus] = {}
        self._samples: list[Sample] = []
        self._transitions: list[Transition] = []
        self._recorded: dict[str, str] = {}  # probe -> the state last recorded for it from this machine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()  # set by stop(); bound to the probe thread's loop on its first wait
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.scheduler: ProbeScheduler | None = None
        self.role: str | None = None  # PROBING or FOLLOWING once started

    def start(self) -> None:
        if not self._specs or self._thread:
            return
        lock = ProberLock(self._ledger.path)
        probing = _try_lock(lock)
        if probing:
            # The scheduler brings httpx, dnspython and psutil: ~110 ms of imports, paid when the
            # probes start rather than when the app is built. Here, in the caller's thread: imported
            # in the probe thread, beside a busy UI thread, they would hold the GIL against it. A
            # follower never needs them unless it takes over, when the UI is long up.
            import warroom.probes.scheduler  # noqa: F401
        self._thread = threading.Thread(target=self._run, args=(lock, probing), name="warroom-probes", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stopped.set()  # first: the loop looks at it before each wait
        loop = self._loop
        if loop is not None and loop.is_running():
            try:
                loop.call_soon_threadsafe(self._wake.set)  # end the wait now, not at its end
            except RuntimeError:  # the loop closed meanwhile
                pass
        if self._thread:
            self._thread.join(timeout)

    def _run(self, lock: ProberLock, probing: bool) -> None:
        asyncio.run(self._main(lock, probing))

    async def _main(self, lock: ProberLock, probing: bool) -> None:
        """`lock`: the prober lock, held when `probing`, asked for again while following."""
        self._loop = asyncio.get_running_loop()
        try:
            if not probing:
                await self._follow(lock)
            if not self._stopped.is_set():
                await self._probe()
        finally:
            lock.release()

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds`, or less if stop() comes; False once stopped."""
        if self._stopped.is_set():
            return False
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass
        return not self._stopped.is_set()

    # --- following another console ----------------------------------------------------------------

    async def _follow(self, lock: ProberLock) -> None:
        """Show what the prober stores until this console gets the lock (or stops)."""
        self.role = FOLLOWING
        trackers = {c.name: ProbeTracker.for_config(c) for c in map(to_config, self._specs)}
        past, position = await asyncio.to_thread(self._read_past, following=True)
        self._on_statuses([tracker.resume(past.get(name, Past()), _now()) for name, tracker in trackers.items()], [])
        told = None  # the read error last reported: one that lasts is said once, not every second
        while await self._pause(FOLLOW_SECONDS):
            if lock.try_acquire():
                return
            try:
                rows, position = await asyncio.to_thread(self._ledger.samples.after, position)
            except Exception as error:  # noqa: BLE001 - a bad read must not stop the board
                if repr(error) != told:
                    self._on_error(error)
                told = repr(error)
                continue
            told = None
            changed = {row.probe: trackers[row.probe].follow(stored_sample(row))
                       for row in rows if row.probe in trackers}
            if changed:
                self._on_statuses(list(changed.values()), [])

    # --- probing ----------------------------------------------------------------------------------

    async def _probe(self) -> None:
        # Loaded by start() when this console probed from the first; here, at a takeover.
        from warroom.probes import ProbeScheduler

        past, _ = await asyncio.to_thread(self._read_past, following=False)
        self.role = PROBING
        self.scheduler = ProbeScheduler(
            self._specs,
            # Look the batches up on each call: the flush below swaps them for new ones.
            on_status=lambda status: self._pending.__setitem__(status.name, status),
            on_transition=lambda transition: self._transitions.append(transition),
            on_sample=lambda sample: self._samples.append(sample),
            past=past,
        )
        # Every probe shows at once: as it was last recorded, with its uptime and sparkline.
        self._on_statuses(self.scheduler.statuses(), [])
        await self.scheduler.start()
        try:
            while await self._pause(FLUSH_SECONDS):
                await self._flush()
        finally:
            try:
                await self.scheduler.stop()
            finally:
                await self._flush(tell=False)  # the last checks are stored before another console takes over

    async def _flush(self, tell: bool = True) -> None:
        # Swap the batches here, on the loop that fills them; write them off the loop.
        batch = list(self._pending.values()), self._samples, self._transitions
        self._pending, self._samples, self._transitions = {}, [], []
        await asyncio.to_thread(self._deliver, *batch, tell=tell)

    def _deliver(self, statuses: list[ProbeStatus], samples: list[Sample], transitions: list[Transition],
                 tell: bool = True) -> None:
        """Record first, then tell the app, with the events it recorded: when it hears of a change,
        the event is in the ledger."""
        recorded: list[Event] = []
        try:
            if samples:
                self._ledger.record_samples(sample_row(s) for s in samples)
            recorded = self._record(transitions)
        except Exception as error:  # a full disk must not stop the probes; say so and go on
            self._on_error(error)
        if tell and (statuses or recorded):
            self._on_statuses(statuses, recorded)

    def _record(self, transitions: list[Transition]) -> list[Event]:
        """The batch's changes that are news, in one transaction, as this machine."""
        last = dict(self._recorded)
        changes = []
        for transition in transitions:
            if worth_recording(transition, last.get(transition.probe)):
                body = transition_event_body(transition, self._ledger.node, last.get(transition.probe))
                changes.append((EventKind.PROBE_CHANGED.value, transition.probe, body))
                last[transition.probe] = transition.new.value
        if not changes:
            return []
        events = self._ledger.append_observed(changes)
        self._recorded = last  # only once it is in the ledger: a change that failed to record is not news yet
        return events

    # --- where a probe starts -------------------------------------------------------------------------

    def _read_past(self, *, following: bool) -> tuple[dict[str, Past], int]:
        try:
            return self._past(following=following)
        except Exception as error:  # noqa: BLE001 - the probes run without their past rather than not at all
            self._on_error(error)
            return {}, 0

    def _past(self, *, following: bool) -> tuple[dict[str, Past], int]:
        """Each probe's past from the samples store and the ledger, and the samples' position to
        follow on from. A prober starts in the state the ledger last recorded for this machine;
        a follower in the one the prober stored last."""
        names = [spec.name for spec in self._specs]
        samples, now = self._ledger.samples, _now()
        recent, position = samples.latest(names, HISTORY_SIZE)
        hour = samples.uptime_counts(names, now - timedelta(seconds=sum(HOUR_WINDOW)), HOUR_WINDOW[1], position)
        day = samples.uptime_counts(names, now - timedelta(seconds=sum(DAY_WINDOW)), DAY_WINDOW[1], position)
        seen = {probe: observation for (probe, vantage), observation in self._ledger.probe_observations().items()
                if vantage == self._ledger.node}
        if not following:
            self._recorded = {probe: observation.state for probe, observation in seen.items()}
        past = {}
        for name in names:
            checks = tuple(stored_sample(row) for row in recent[name])
            observation = seen.get(name)
            if following:
                state, reason = (checks[-1].state, checks[-1].reason) if checks else (ProbeState.UNKNOWN, None)
                recorded_since = observation.since if observation and observation.state == state.value else None
                since = recorded_since or _start_of_last_run(checks)
            elif observation:
                state, reason, since = _state(observation.state), observation.failed_condition, observation.since
            else:
                state, reason, since = ProbeState.UNKNOWN, None, None
            past[name] = Past(checks, tuple(hour[name]), tuple(day[name]), state, reason, since)
        return past, position


def _try_lock(lock: ProberLock) -> bool:
    """True when this console is to probe: it holds the prober lock, or nobody could."""
    try:
        return lock.try_acquire()
    except LedgerError as error:
        # No lock file (a read-only folder, say): nobody could take the lock, so probe alone.
        log.warning("probes not shared with other consoles: %s", error)
        return True


def _start_of_last_run(checks: tuple[Sample, ...]) -> datetime | None:
    """When the latest checks' state began, as far back as they go."""
    since = None
    for check in reversed(checks):
        if since is not None and check.state is not checks[-1].state:
            break
        since = check.at
    return since


def _now() -> datetime:
    return datetime.now(UTC)

