"""Runs the probe scheduler beside the app: its own thread and event loop, batched results.

Probes never share the UI's event loop, so a burst of checks cannot delay a keystroke. Statuses
are collected and handed over in one batch a few times a second (a board of 1,000 probes gets
one repaint, not 1,000); samples go to the ledger's local table in batches; each real state
change becomes a `probe.changed` event with this node as its vantage point.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from warroom.probes import ProbeState, ProbeStatus, Sample, Transition
from warroom.runbook.model import ProbeSpec
from warroom.store import Event, Ledger, SampleRow
from warroom.vocabulary import EventKind

if TYPE_CHECKING:
    from warroom.probes import ProbeScheduler

FLUSH_SECONDS = 0.25


def transition_event_body(transition: Transition, node: str) -> dict:
    return {
        "from": transition.old.value if isinstance(transition.old, ProbeState) else str(transition.old),
        "to": transition.new.value if isinstance(transition.new, ProbeState) else str(transition.new),
        "failed_condition": transition.failed_condition,
        "vantage": node,
    }


def worth_recording(transition: Transition) -> bool:
    """UNKNOWN -> UP is every start-up, not news; everything else is."""
    return not (transition.old == ProbeState.UNKNOWN and transition.new == ProbeState.UP)


def sample_row(sample: Sample) -> SampleRow:
    state = sample.state.value if isinstance(sample.state, ProbeState) else str(sample.state)
    return SampleRow(sample.probe, sample.at, state, sample.ok, sample.response_time_ms, sample.value, sample.reason)


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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.scheduler: ProbeScheduler | None = None

    def start(self) -> None:
        if not self._specs or self._thread:
            return
        # The scheduler brings httpx, dnspython and psutil: ~110 ms of imports, paid when the probes
        # start rather than when the app is built. Here, in the caller's thread: imported in the
        # probe thread, beside a busy UI thread, they would hold the GIL against it.
        import warroom.probes.scheduler  # noqa: F401
        self._thread = threading.Thread(target=self._run, name="warroom-probes", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stopped.set()
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(lambda: None)  # wake it to notice
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        from warroom.probes import ProbeScheduler  # loaded by start()

        self._loop = asyncio.get_running_loop()
        self.scheduler = ProbeScheduler(
            self._specs,
            # Look the batches up on each call: the flush below swaps them for new ones.
            on_status=lambda status: self._pending.__setitem__(status.name, status),
            on_transition=lambda transition: self._transitions.append(transition),
            on_sample=lambda sample: self._samples.append(sample),
        )
        self._on_statuses(self.scheduler.statuses(), [])  # every probe shows at once, as UNKNOWN
        await self.scheduler.start()
        try:
            while not self._stopped.is_set():
                await asyncio.sleep(FLUSH_SECONDS)
                # Swap the batches here, on the loop that fills them; write them off the loop.
                batch = list(self._pending.values()), self._samples, self._transitions
                self._pending, self._samples, self._transitions = {}, [], []
                await asyncio.to_thread(self._deliver, *batch)
        finally:
            await self.scheduler.stop()

    def _deliver(self, statuses: list[ProbeStatus], samples: list[Sample], transitions: list[Transition]) -> None:
        """Record first, then tell the app, with the events it recorded: when it hears of a change,
        the event is in the ledger."""
        recorded: list[Event] = []
        try:
            if samples:
                self._ledger.record_samples(sample_row(s) for s in samples)
            for transition in transitions:
                if worth_recording(transition):
                    body = transition_event_body(transition, self._ledger.node)
                    recorded.append(self._ledger.append(EventKind.PROBE_CHANGED, transition.probe, body))
        except Exception as error:  # a full disk must not stop the probes; say so and go on
            self._on_error(error)
        if statuses or recorded:
            self._on_statuses(statuses, recorded)
