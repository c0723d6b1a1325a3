"""The per-probe state machine: PENDING before DOWN, recovery, DEGRADED, offline, uptime."""

from __future__ import annotations

from datetime import timedelta

from support import T0

from warroom.probes import ProbeResult, ProbeState, ProbeTracker, Verdict

PASS = Verdict(ok=True)
WARN = Verdict(ok=True, degraded=True, reason="[RESPONSE_TIME] (612) < 200")
FAIL = Verdict(ok=False, reason="[STATUS] (500) == 200")
OFFLINE = Verdict(ok=False, reason="network unreachable (this machine looks offline)", offline=True)


class Feed:
    """Feeds verdicts 30 s apart on the test's clock (from T0) and keeps every transition."""

    def __init__(self, clock, fail_after=3, recover_after=2):
        self.tracker = ProbeTracker("web", "http", fail_after=fail_after, recover_after=recover_after)
        self.transitions = []
        self.samples = []
        self.clock = clock

    def __call__(self, *verdicts: Verdict) -> list[ProbeState]:
        states = []
        for verdict in verdicts:
            at = self.clock.advance(timedelta(seconds=30))
            latency = None if not verdict.ok else 42.0
            update = self.tracker.record(verdict, ProbeResult(value="v", response_time_ms=latency), at)
            if update.transition:
                self.transitions.append(update.transition)
            self.samples.append(update.sample)
            states.append(update.status.state)
        return states


def test_unknown_before_the_first_check():
    status = ProbeTracker("web", "http").status
    assert status.state is ProbeState.UNKNOWN
    assert (status.changed_at, status.uptime_1h, status.uptime_24h, status.history) == (None, None, None, ())


def test_three_failures_in_a_row_make_it_down(clock):
    feed = Feed(clock)
    assert feed(PASS, FAIL, FAIL, FAIL, FAIL) == [ProbeState.UP, ProbeState.PENDING, ProbeState.PENDING, ProbeState.DOWN, ProbeState.DOWN]
    assert feed.tracker.status.failed_condition == "[STATUS] (500) == 200"


def test_flapping_never_reaches_down(clock):
    feed = Feed(clock, fail_after=3)
    states = feed(*([FAIL, PASS] * 20))
    assert ProbeState.DOWN not in states
    assert set(states) == {ProbeState.PENDING, ProbeState.UP}


def test_two_failures_then_a_pass_resets_the_count(clock):
    feed = Feed(clock)
    assert feed(FAIL, FAIL, PASS, FAIL, FAIL) == [ProbeState.PENDING] * 2 + [ProbeState.UP] + [ProbeState.PENDING] * 2


def test_recovery_needs_two_passes_in_a_row(clock):
    feed = Feed(clock)
    feed(FAIL, FAIL, FAIL)
    assert feed(PASS) == [ProbeState.DOWN]
    assert feed.tracker.status.failed_condition == "[STATUS] (500) == 200"  # still says why it went down
    assert feed(FAIL, PASS) == [ProbeState.DOWN, ProbeState.DOWN]
    assert feed(PASS) == [ProbeState.UP]
    assert feed.tracker.status.failed_condition is None


def test_recovery_into_degraded(clock):
    feed = Feed(clock)
    feed(FAIL, FAIL, FAIL)
    assert feed(WARN, WARN) == [ProbeState.DOWN, ProbeState.DEGRADED]


def test_fail_after_one_goes_down_at_once(clock):
    assert Feed(clock, fail_after=1, recover_after=1)(FAIL, PASS) == [ProbeState.DOWN, ProbeState.UP]


def test_degraded_when_a_warn_condition_fails(clock):
    feed = Feed(clock)
    assert feed(WARN) == [ProbeState.DEGRADED]
    assert feed.tracker.status.failed_condition == "[RESPONSE_TIME] (612) < 200"
    assert feed(PASS) == [ProbeState.UP]


def test_transitions_are_emitted_exactly_once_per_change(clock):
    feed = Feed(clock)
    feed(PASS, PASS, FAIL, FAIL, FAIL, FAIL, PASS, PASS, PASS, WARN, WARN, PASS)
    pairs = [(t.old, t.new) for t in feed.transitions]
    assert pairs == [
        (ProbeState.UNKNOWN, ProbeState.UP), (ProbeState.UP, ProbeState.PENDING), (ProbeState.PENDING, ProbeState.DOWN),
        (ProbeState.DOWN, ProbeState.UP), (ProbeState.UP, ProbeState.DEGRADED), (ProbeState.DEGRADED, ProbeState.UP),
    ]
    down = feed.transitions[2]
    assert down.probe == "web" and down.failed_condition == "[STATUS] (500) == 200"
    assert down.at == T0 + timedelta(seconds=30 * 5)


def test_changed_at_moves_only_on_a_change(clock):
    feed = Feed(clock)
    feed(PASS)
    first = feed.tracker.status.changed_at
    feed(PASS, PASS)
    assert feed.tracker.status.changed_at == first
    assert feed.tracker.status.checked_at == T0 + timedelta(seconds=90)


def test_offline_is_unknown_and_left_out_of_uptime(clock):
    feed = Feed(clock)
    feed(PASS, FAIL, FAIL, FAIL)  # 1 up (PASS), 2 up (PENDING), 1 down
    assert feed.tracker.status.uptime_1h == 75.0
    assert feed(OFFLINE, OFFLINE) == [ProbeState.UNKNOWN, ProbeState.UNKNOWN]
    assert feed.tracker.status.uptime_1h == 75.0
    assert feed.tracker.status.failed_condition.startswith("network unreachable")
    assert feed.samples[-1].state is ProbeState.UNKNOWN and not feed.samples[-1].ok


def test_offline_does_not_break_a_failure_streak_or_end_a_confirmed_down(clock):
    feed = Feed(clock)
    assert feed(FAIL, FAIL, OFFLINE, FAIL) == [ProbeState.PENDING, ProbeState.PENDING, ProbeState.UNKNOWN, ProbeState.DOWN]
    assert feed(OFFLINE, PASS, PASS) == [ProbeState.UNKNOWN, ProbeState.DOWN, ProbeState.UP]


def test_uptime_counts_degraded_and_pending_as_up(clock):
    feed = Feed(clock)
    feed(WARN, FAIL, PASS)
    assert feed.tracker.status.uptime_1h == 100.0
    assert feed.tracker.status.uptime_24h == 100.0


def test_uptime_window_forgets_old_checks(clock):
    feed = Feed(clock, fail_after=1)
    feed(FAIL)
    clock.advance(timedelta(hours=2))
    feed(PASS, PASS)  # recover_after=2: DOWN, then UP
    status = feed.tracker.status
    assert status.uptime_1h == 50.0  # the first FAIL is two hours old
    assert round(status.uptime_24h, 1) == 33.3


def test_history_is_bounded_and_keeps_gaps(clock):
    tracker = ProbeTracker("web", "http", history_size=5)
    for index in range(12):
        verdict = PASS if index % 2 else FAIL
        tracker.record(verdict, ProbeResult(response_time_ms=float(index) if verdict.ok else None),
                       clock.advance(timedelta(seconds=30)))
    assert tracker.status.history == (7.0, None, 9.0, None, 11.0)


def test_host_history_holds_the_metric(clock):
    tracker = ProbeTracker("cpu", "host")
    update = tracker.record(PASS, ProbeResult(value="cpu 12.5%", metric=12.5), clock.now())
    assert update.status.history == (12.5,)
    assert update.sample.value == "cpu 12.5%" and update.sample.ok


def test_samples_describe_each_check(clock):
    feed = Feed(clock)
    feed(PASS, FAIL)
    first, second = feed.samples
    assert (first.probe, first.state, first.ok, first.response_time_ms) == ("web", ProbeState.UP, True, 42.0)
    assert (second.state, second.ok, second.reason) == (ProbeState.PENDING, False, "[STATUS] (500) == 200")
