"""Runs every probe on its own interval in the background, within a cap on concurrent checks.

A probe's next check is due `interval` after its last one finished (checks of one probe never
overlap); a slow probe holds one slot of the cap, never the others' schedules. Each check is
bounded by its timeout, and anything a check raises becomes a failing result: one bad probe
never stops the scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TypeVar

from warroom.runbook.model import ProbeSpec

from .errors import timed_out
from .judge import judge
from .kinds import Check, make_check
from .result import ProbeResult, failed
from .spec import ProbeConfig, to_config
from .state import HISTORY_SIZE, Past, ProbeStatus, ProbeTracker, Sample, Transition, Update

log = logging.getLogger(__name__)

Notice = TypeVar("Notice")  # what a listener is told: a Sample, a ProbeStatus or a Transition

LAG_SAMPLES = 10_000  # schedule lags kept for the bench's percentiles
TIMEOUT_GRACE = 1.0  # seconds on top of a probe's timeout before the scheduler gives up on a check
STOP_WAIT = 2.0  # seconds stop() waits for cancelled checks to clean up
START_RATE = 100.0  # first checks started per second at most: 4 probes start within 30 ms, 200 within 2 s


def utc_now() -> datetime:
    return datetime.now(UTC)


class ProbeScheduler:
    def __init__(
        self,
        specs: Iterable[ProbeSpec | ProbeConfig],
        on_status: Callable[[ProbeStatus], None],
        on_transition: Callable[[Transition], None],
        on_sample: Callable[[Sample], None] | None = None,
        max_concurrency: int = 50,
        clock: Callable[[], datetime] = utc_now,
        history_size: int = HISTORY_SIZE,
        past: Mapping[str, Past] | None = None,
    ):
        """`past`: where each probe's tracker starts (see ProbeTracker.resume); a probe it leaves
        out starts UNKNOWN with no history. Raises ProbeConfigError for an invalid spec and
        ValueError for a duplicate name."""
        self.configs: dict[str, ProbeConfig] = {}
        for spec in specs:
            config = to_config(spec)
            if config.name in self.configs:
                raise ValueError(f"two probes are named '{config.name}'")
            self.configs[config.name] = config
        self._checks: dict[str, Check] = {name: make_check(c) for name, c in self.configs.items()}
        self._trackers = {name: ProbeTracker.for_config(c, history_size) for name, c in self.configs.items()}
        for name, before in (past or {}).items():
            if name in self._trackers:
                self._trackers[name].resume(before, clock())
        self._on_status = on_status
        self._on_transition = on_transition
        self._on_sample = on_sample
        self._clock = clock
        self._slots = asyncio.Semaphore(max_concurrency)
        self._tasks: dict[str, asyncio.Task] = {}
        self._lags: deque[float] = deque(maxlen=LAG_SAMPLES)
        self._last_lag: dict[str, float] = {}

    # --- what callers read ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    def status(self, name: str) -> ProbeStatus:
        return self._trackers[name].status

    def statuses(self) -> list[ProbeStatus]:
        """Every probe's latest status, in the order the specs were given."""
        return [tracker.status for tracker in self._trackers.values()]

    @property
    def schedule_lags(self) -> tuple[float, ...]:
        """Seconds between when recent checks were due and when they started (newest last)."""
        return tuple(self._lags)

    def last_lag(self, name: str) -> float | None:
        return self._last_lag.get(name)

    def lag_percentile(self, fraction: float = 0.95) -> float | None:
        if not self._lags:
            return None
        ordered = sorted(self._lags)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    # --- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every probe's loop. Returns at once. The first checks are due now, spread a
        little: at most START_RATE a second, and within each probe's interval. Otherwise 200
        probes would fire in one burst, and (each next check being due an interval after the
        last) go on firing in a burst every interval, the last ones of it checked late."""
        if self._tasks:
            return
        now = asyncio.get_running_loop().time()
        count = len(self.configs)
        for index, (name, config) in enumerate(self.configs.items()):
            due = now + min(index / START_RATE, config.interval * index / count)
            self._tasks[name] = asyncio.create_task(self._run_forever(name, due), name=f"probe:{name}")

    async def stop(self) -> None:
        """Cancel every loop and running check, and close the checks' connections."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_WAIT)
        for check in self._checks.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(check.aclose(), STOP_WAIT)

    async def run_once(self, names: Iterable[str] | None = None) -> list[ProbeStatus]:
        """Check the named probes (default: all) once, concurrently; their statuses in order.
        Call stop() when done, to close connections."""
        selected = list(self.configs) if names is None else list(names)
        unknown = [name for name in selected if name not in self.configs]
        if unknown:
            raise ValueError(f"unknown probe{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
        return list(await asyncio.gather(*(self._check_and_record(name) for name in selected)))

    async def _run_forever(self, name: str, due: float) -> None:
        loop = asyncio.get_running_loop()
        this_probe = asyncio.current_task()
        interval = self.configs[name].interval
        while True:  # one check per interval (at least 100 ms); ends when stop() cancels it
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                await self._check_and_record(name, due)
            except Exception:  # noqa: BLE001 - a bug in judging or recording must not end this probe
                log.exception("probe %s: recording a check failed", name)
            # Python 3.11's wait_for() loses a cancellation that comes just as the check ends, and the
            # loop would go on checking after stop(), past the loop's close ("Task was destroyed").
            if this_probe is not None and this_probe.cancelling():
                return
            due = loop.time() + interval

    async def _check_and_record(self, name: str, due: float | None = None) -> ProbeStatus:
        async with self._slots:
            if due is not None:
                lag = max(0.0, asyncio.get_running_loop().time() - due)
                self._lags.append(lag)
                self._last_lag[name] = lag
            result = await self._run_check(name)
        config = self.configs[name]
        update = self._trackers[name].record(judge(config, result), result, self._clock())
        self._emit(update)
        return update.status

    async def _run_check(self, name: str) -> ProbeResult:
        config = self.configs[name]
        try:
            return await asyncio.wait_for(self._checks[name].run(), config.timeout + TIMEOUT_GRACE)
        except TimeoutError:
            return failed(timed_out(config.timeout))
        except Exception as exc:  # noqa: BLE001 - a broken check is a failing probe, not a dead scheduler
            log.exception("probe %s: check raised", name)
            return failed(f"check crashed: {type(exc).__name__}: {exc}")

    def _emit(self, update: Update) -> None:
        _notify(self._on_sample, update.sample)
        _notify(self._on_status, update.status)
        if update.transition is not None:
            _notify(self._on_transition, update.transition)


def _notify(listener: Callable[[Notice], None] | None, notice: Notice) -> None:
    if listener is None:
        return
    try:
        listener(notice)
    except Exception:  # noqa: BLE001 - a faulty listener must not stop the probes
        log.exception("probe listener %r failed", listener)
