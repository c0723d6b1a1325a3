"""The scheduler: probes on their own intervals, a slow one never delays the others, a check
that raises is a failing result, stop() is prompt. Time bounds are generous correctness bounds."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from types import MappingProxyType

import pytest
from test_probes_support import LOOPBACK, closed_port, http_url, live_members, spec, tcp_port, wait_until  # noqa: F401 (fixtures)

from warroom.probes import ProbeConfigError, ProbeResult, ProbeScheduler, ProbeState


class Recorder:
    def __init__(self):
        self.statuses = []
        self.transitions = []
        self.samples = []

    def scheduler(self, specs, **kwargs) -> ProbeScheduler:
        return ProbeScheduler(specs, on_status=self.statuses.append, on_transition=self.transitions.append,
                              on_sample=self.samples.append, **kwargs)

    def runs(self, name: str) -> int:
        return sum(1 for status in self.statuses if status.name == name)


async def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # bounded by `timeout`
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_a_slow_probe_does_not_delay_a_fast_one(http_url, tcp_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([
        spec("http", f"{http_url}/slow", name="slow", interval="100ms", timeout="10s"),
        spec("tcp", f"{LOOPBACK}:{tcp_port}", name="fast", interval="100ms"),
    ])
    await scheduler.start()
    try:
        await asyncio.sleep(1.5)
        fast_runs, slow_runs = recorder.runs("fast"), recorder.runs("slow")
    finally:
        await scheduler.stop()
    assert fast_runs >= 3, fast_runs
    assert slow_runs == 0  # its first check (2 s) is still running
    assert scheduler.status("fast").state is ProbeState.UP


async def test_checks_of_one_probe_never_overlap(http_url):
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("http", f"{http_url}/slow", name="slow", interval="100ms", timeout="10s")])
    await scheduler.start()
    try:
        await wait_for(lambda: recorder.runs("slow") >= 1, timeout=8)
        await asyncio.sleep(0.5)
        runs = recorder.runs("slow")
    finally:
        await scheduler.stop()
    assert runs == 1  # the next one is due 100 ms after the first finished, and takes 2 s


async def test_a_failing_probe_goes_pending_then_down_with_one_transition_each(closed_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("tcp", f"{LOOPBACK}:{closed_port}", name="db", interval="100ms",
                                         fail_after=2)])
    await scheduler.start()
    try:
        await wait_for(lambda: recorder.runs("db") >= 4)
    finally:
        await scheduler.stop()
    assert [(t.old, t.new) for t in recorder.transitions] == [(ProbeState.UNKNOWN, ProbeState.PENDING),
                                                              (ProbeState.PENDING, ProbeState.DOWN)]
    assert recorder.transitions[-1].failed_condition == "connection refused"
    assert scheduler.status("db").uptime_1h < 100.0
    assert len(recorder.samples) == recorder.runs("db")


async def test_a_check_that_raises_is_a_failing_result(tcp_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="broken", interval="100ms"),
                                    spec("tcp", f"{LOOPBACK}:{tcp_port}", name="fine", interval="100ms")])

    async def explode():
        raise RuntimeError("probe bug")

    scheduler._checks["broken"].run = explode
    await scheduler.start()
    try:
        await wait_for(lambda: recorder.runs("broken") >= 3 and recorder.runs("fine") >= 3)
    finally:
        await scheduler.stop()
    status = scheduler.status("broken")
    assert status.state is ProbeState.DOWN
    assert status.failed_condition == "check crashed: RuntimeError: probe bug"
    assert scheduler.status("fine").state is ProbeState.UP


async def test_an_exception_inside_a_kind_is_a_clear_failure(tcp_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="odd")])

    async def check():
        raise ValueError("unexpected reply")

    scheduler._checks["odd"].check = check
    [status] = await scheduler.run_once()
    await scheduler.stop()
    assert status.state is ProbeState.PENDING
    assert status.failed_condition == "ValueError: unexpected reply"


@pytest.mark.parametrize("broken", ["on_sample", "on_status", "on_transition"])
async def test_a_listener_that_raises_stops_neither_the_other_listeners_nor_later_checks(tcp_port, broken):
    heard = {"on_sample": [], "on_status": [], "on_transition": []}

    def listener(name):
        def hear(value):
            heard[name].append(value)
            if name == broken:
                raise RuntimeError("widget bug")
        return hear

    scheduler = ProbeScheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="db", interval="100ms")],
                               **{name: listener(name) for name in heard})
    [first] = await scheduler.run_once()  # the caller still gets the status
    await scheduler.start()
    try:
        await wait_for(lambda: len(heard["on_status"]) >= 4)
    finally:
        await scheduler.stop()
    assert first.state is ProbeState.UP
    assert len(heard["on_sample"]) == len(heard["on_status"]) >= 4
    assert [(t.old, t.new) for t in heard["on_transition"]] == [(ProbeState.UNKNOWN, ProbeState.UP)]


async def test_stop_is_prompt_and_kills_running_commands(tmp_path):
    pid_file = tmp_path / "pid"
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("command", f"echo $$ > {pid_file}; sleep 30", name="long", timeout="60s")])
    await scheduler.start()
    await wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != "")
    started = time.monotonic()
    await scheduler.stop()
    assert time.monotonic() - started < 3.0
    assert not scheduler.running
    pgid = int(pid_file.read_text())
    assert wait_until(lambda: not live_members(pgid), timeout=3.0)


async def test_stop_ends_a_probe_whose_check_finishes_as_it_is_cancelled():
    """Python 3.11's wait_for() hands back a result that came in the moment it was cancelled and
    drops the cancellation: the probe's loop must end all the same, not check on past stop()."""
    scheduler = Recorder().scheduler([spec("command", "true", name="c", interval="100ms")])
    answer, waiting = asyncio.Event(), asyncio.Event()

    async def answers_when_told():
        waiting.set()
        await answer.wait()
        return ProbeResult(result=MappingProxyType({"status": 0}), value="exit 0")

    scheduler._checks["c"].run = answers_when_told
    await scheduler.start()
    await asyncio.wait_for(waiting.wait(), 10.0)
    answer.set()  # the check ends in the same turn of the loop as stop() cancels its probe
    await scheduler.stop()
    still_checking = [task for task in asyncio.all_tasks() if task.get_name().startswith("probe:")]
    for task in still_checking:
        task.cancel()
    assert still_checking == []


async def test_run_once_checks_each_probe_once_concurrently(http_url, tcp_port, closed_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([
        spec("http", f"{http_url}/json", name="web", expect=("[STATUS] == 200",)),
        spec("tcp", f"{LOOPBACK}:{tcp_port}", name="db"),
        spec("tcp", f"{LOOPBACK}:{closed_port}", name="legacy"),
        spec("command", "sleep 0.3", name="sleepy-1"),
        spec("command", "sleep 0.3", name="sleepy-2"),
    ])
    started = time.monotonic()
    statuses = await scheduler.run_once()
    elapsed = time.monotonic() - started
    await scheduler.stop()
    assert [s.name for s in statuses] == ["web", "db", "legacy", "sleepy-1", "sleepy-2"]
    assert [s.state for s in statuses] == [ProbeState.UP, ProbeState.UP, ProbeState.PENDING, ProbeState.UP, ProbeState.UP]
    assert statuses[2].failed_condition == "connection refused"
    assert elapsed < 3.0
    assert Counter(s.name for s in recorder.statuses) == Counter(s.name for s in statuses)


async def test_run_once_by_name(tcp_port):
    scheduler = Recorder().scheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="a"),
                                      spec("tcp", f"{LOOPBACK}:{tcp_port}", name="b")])
    assert [s.name for s in await scheduler.run_once(["b"])] == ["b"]
    assert scheduler.status("a").state is ProbeState.UNKNOWN
    with pytest.raises(ValueError, match="unknown probe: c"):
        await scheduler.run_once(["c"])


async def test_concurrency_is_capped():
    recorder = Recorder()
    specs = [spec("command", "sleep 0.4", name=f"c{i}") for i in range(4)]
    scheduler = recorder.scheduler(specs, max_concurrency=2)
    started = time.monotonic()
    await scheduler.run_once()
    elapsed = time.monotonic() - started
    await scheduler.stop()
    assert elapsed >= 0.75  # two rounds of two


async def test_schedule_lag_is_measured(tcp_port):
    scheduler = Recorder().scheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="db", interval="100ms")])
    await scheduler.start()
    try:
        await wait_for(lambda: len(scheduler.schedule_lags) >= 3)
    finally:
        await scheduler.stop()
    assert all(0 <= lag < 5 for lag in scheduler.schedule_lags)
    assert scheduler.lag_percentile(0.95) is not None
    assert scheduler.last_lag("db") is not None


async def test_timeouts_are_enforced_by_the_scheduler(tcp_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="hangs", timeout="200ms")])

    async def hang():
        await asyncio.sleep(60)

    scheduler._checks["hangs"].run = hang  # a check that ignores its own timeout
    started = time.monotonic()
    [status] = await scheduler.run_once()
    await scheduler.stop()
    assert time.monotonic() - started < 3.0
    assert status.failed_condition == "timed out after 200ms"


def test_invalid_specs_are_refused_up_front():
    with pytest.raises(ProbeConfigError):
        Recorder().scheduler([spec("http", "http://127.0.0.1/", timeout="soon")])
    with pytest.raises(ValueError, match="two probes are named 'a'"):
        Recorder().scheduler([spec("tcp", "127.0.0.1:1", name="a"), spec("tcp", "127.0.0.1:2", name="a")])


async def test_stop_before_start_and_twice_is_harmless():
    scheduler = Recorder().scheduler([spec("command", "true", name="c")])
    await scheduler.stop()
    await scheduler.start()
    await scheduler.stop()
    await scheduler.stop()


async def test_a_probe_loop_survives_a_bug_outside_the_check(tcp_port):
    recorder = Recorder()
    scheduler = recorder.scheduler([spec("tcp", f"{LOOPBACK}:{tcp_port}", name="db", interval="100ms")])
    tracker = scheduler._trackers["db"]
    real_record, calls = tracker.record, []

    def flaky_record(*args):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("tracker bug")
        return real_record(*args)

    tracker.record = flaky_record
    await scheduler.start()
    try:
        await wait_for(lambda: recorder.runs("db") >= 2)
    finally:
        await scheduler.stop()


async def test_a_hand_built_config_without_expect_uses_the_default(closed_port):
    from warroom.probes import ProbeConfig

    scheduler = Recorder().scheduler([ProbeConfig("db", "tcp", f"{LOOPBACK}:{closed_port}")])
    [status] = await scheduler.run_once()
    await scheduler.stop()
    assert status.state is ProbeState.PENDING and status.failed_condition == "connection refused"
