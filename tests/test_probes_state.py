"""The per-probe state machine: PENDING before DOWN, recovery, DEGRADED, offline, uptime,
hysteresis (a reading hovering at a threshold does not flap), resuming and following."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

from support import T0

from warroom.probes import Past, ProbeResult, ProbeState, ProbeTracker, Sample, Verdict, judge, to_config
from warroom.runbook.model import ProbeSpec

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


def test_flapping_holds_pending_and_never_reaches_down(clock):
    feed = Feed(clock, fail_after=3)
    states = feed(*([FAIL, PASS] * 20))
    assert set(states) == {ProbeState.PENDING}  # one change, not forty
    assert [(t.old, t.new) for t in feed.transitions] == [(ProbeState.UNKNOWN, ProbeState.PENDING)]


def test_two_failures_then_a_pass_resets_the_count(clock):
    feed = Feed(clock)
    assert feed(FAIL, FAIL, PASS, FAIL, FAIL) == [ProbeState.PENDING] * 5
    assert feed(PASS, PASS) == [ProbeState.PENDING, ProbeState.UP]


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
    assert feed(PASS, WARN, PASS) == [ProbeState.DEGRADED] * 3  # back only after two passes in a row
    assert feed.tracker.status.failed_condition == "[RESPONSE_TIME] (612) < 200"  # still says why
    assert feed(PASS) == [ProbeState.UP]


def test_transitions_are_emitted_exactly_once_per_change(clock):
    feed = Feed(clock)
    feed(PASS, PASS, FAIL, FAIL, FAIL, FAIL, PASS, PASS, PASS, WARN, WARN, PASS, PASS)
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


# --- hysteresis: a reading hovering at a threshold, judged for real ---------------------------------

def hover(spec: ProbeSpec, results: list[ProbeResult], clock) -> tuple[list[ProbeState], list]:
    config = to_config(spec)
    tracker = ProbeTracker.for_config(config)
    states, transitions = [], []
    for result in results:
        update = tracker.record(judge(config, result), result, clock.advance(timedelta(seconds=2)))
        states.append(update.status.state)
        if update.transition:
            transitions.append((update.transition.old, update.transition.new))
    return states, transitions


def cpu(*readings: float) -> list[ProbeResult]:
    return [ProbeResult(result=MappingProxyType({"value": v}), value=f"cpu {v:.1f}%", metric=v) for v in readings]


def timed(*milliseconds: float) -> list[ProbeResult]:
    return [ProbeResult(result=MappingProxyType({"status": 200, "response_time_ms": ms}), value="200 OK",
                        response_time_ms=ms) for ms in milliseconds]


HOST_CPU = ProbeSpec("host-cpu", "host", "cpu", MappingProxyType({"warn_above": 70, "fail_above": 90}))
# Around the warn threshold (70), never clear of it by 10% (63 or less): it crosses 70 eleven times.
AT_WARN = (69.0, 71.0, 70.0, 72.5, 68.0, 71.0, 69.5, 70.5, 66.0, 73.0, 64.0, 71.0, 67.0, 70.2, 65.0)


def test_a_reading_hovering_at_the_warn_threshold_changes_once(clock):
    crossings = sum((a > 70) != (b > 70) for a, b in zip(AT_WARN, AT_WARN[1:], strict=False))
    assert crossings >= 10  # without hysteresis, each crossing would be a recorded change
    states, transitions = hover(HOST_CPU, cpu(*AT_WARN), clock)
    assert transitions == [(ProbeState.UNKNOWN, ProbeState.UP), (ProbeState.UP, ProbeState.DEGRADED)]
    assert states[1:] == [ProbeState.DEGRADED] * (len(AT_WARN) - 1)


def test_it_comes_back_after_clearing_the_threshold_by_the_margin_twice_in_a_row(clock):
    states, transitions = hover(HOST_CPU, cpu(75.0, 62.0, 66.0, 62.0, 60.0, 69.0), clock)
    # 66 is under 70 but within 10% of it: it holds DEGRADED and starts the count again.
    assert states == [ProbeState.DEGRADED] * 4 + [ProbeState.UP] * 2
    assert transitions == [(ProbeState.UNKNOWN, ProbeState.DEGRADED), (ProbeState.DEGRADED, ProbeState.UP)]


def test_a_reading_hovering_at_the_fail_threshold_holds_pending_and_never_flaps(clock):
    readings = (85.0, 91.0, 88.0, 92.0, 89.5, 90.5, 86.0, 91.5, 89.0, 93.0)
    states, transitions = hover(HOST_CPU, cpu(*readings), clock)
    # Over 90 is a failure; 81..90 is neither a failure nor clear of it: never three failures in a row.
    assert transitions == [(ProbeState.UNKNOWN, ProbeState.DEGRADED), (ProbeState.DEGRADED, ProbeState.PENDING)]
    assert ProbeState.DOWN not in states


def test_a_reading_held_above_the_fail_threshold_still_goes_down(clock):
    states, _ = hover(HOST_CPU, cpu(95.0, 96.0, 97.0), clock)
    assert states == [ProbeState.PENDING, ProbeState.PENDING, ProbeState.DOWN]


def test_a_response_time_hovering_at_a_warn_condition_changes_once(clock):
    web = ProbeSpec("web", "http", "http://127.0.0.1:9/", MappingProxyType(
        {"expect": ["[STATUS] == 200"], "warn": ["[RESPONSE_TIME] < 200"]}))
    states, transitions = hover(web, timed(190, 210, 195, 205, 185, 215, 199, 201), clock)
    assert transitions == [(ProbeState.UNKNOWN, ProbeState.UP), (ProbeState.UP, ProbeState.DEGRADED)]
    assert states[-1] is ProbeState.DEGRADED
    states, _ = hover(web, timed(250, 170, 175), clock)  # 170 and 175 are under 180: clear of 200 by 10%
    assert states == [ProbeState.DEGRADED, ProbeState.DEGRADED, ProbeState.UP]


def test_counts_have_no_margin(clock):
    """Three replicas are three: the margin is only for readings that jitter."""
    replicas = ProbeSpec("api", "http", "http://127.0.0.1:9/", MappingProxyType({"expect": ["[BODY].replicas >= 3"]}))
    bodies = [ProbeResult(result=MappingProxyType({"body": f'{{"replicas": {n}}}'})) for n in (3, 2, 3, 3)]
    states, _ = hover(replicas, bodies, clock)
    assert states == [ProbeState.UP, ProbeState.PENDING, ProbeState.PENDING, ProbeState.UP]


# --- resuming and following --------------------------------------------------------------------------

def sample(at, state: ProbeState, ok: bool = True, ms: float | None = 40.0, reason: str | None = None) -> Sample:
    return Sample("web", at, state, ok, ms, "200 OK" if ok else "500", reason)


def test_resume_starts_in_the_recorded_state_with_uptime_sparkline_and_failure_streak(clock):
    t = clock.now()
    recent = (sample(t, ProbeState.UP), sample(t + timedelta(seconds=30), ProbeState.PENDING, ok=False, ms=5.0,
                                                 reason="[STATUS] (500) == 200"),
              sample(t + timedelta(seconds=60), ProbeState.PENDING, ok=False, ms=6.0, reason="[STATUS] (500) == 200"))
    past = Past(recent=recent, hour=((t.timestamp(), 3, 0),), day=((t.timestamp(), 3, 0),),
                state=ProbeState.PENDING, reason="[STATUS] (500) == 200", since=t + timedelta(seconds=30))
    tracker = ProbeTracker("web", "http")
    status = tracker.resume(past, t + timedelta(seconds=61))
    assert status.state is ProbeState.PENDING and status.changed_at == t + timedelta(seconds=30)
    assert status.history == (40.0, 5.0, 6.0) and status.uptime_1h == 100.0 and status.uptime_24h == 100.0
    assert status.failed_condition == "[STATUS] (500) == 200"
    # Two failures were recorded before: the third in a row makes it DOWN, as if it never stopped.
    update = tracker.record(FAIL, ProbeResult(value="500"), t + timedelta(seconds=90))
    assert (update.transition.old, update.transition.new) == (ProbeState.PENDING, ProbeState.DOWN)


def test_resume_in_the_same_state_as_the_next_check_is_no_transition(clock):
    tracker = ProbeTracker("web", "http")
    tracker.resume(Past(state=ProbeState.DOWN, reason="[STATUS] (500) == 200"), clock.now())
    update = tracker.record(FAIL, ProbeResult(value="500"), clock.advance(timedelta(seconds=30)))
    assert update.status.state is ProbeState.DOWN and update.transition is None


def test_follow_shows_checks_as_another_console_judged_them(clock):
    tracker = ProbeTracker("web", "http")
    t = clock.now()
    tracker.follow(sample(t, ProbeState.UP))
    status = tracker.follow(sample(t + timedelta(seconds=2), ProbeState.DOWN, ok=False, ms=5.0, reason="[STATUS] (500) == 200"))
    assert status.state is ProbeState.DOWN and status.changed_at == t + timedelta(seconds=2)
    assert status.failed_condition == "[STATUS] (500) == 200" and status.history == (40.0, 5.0)
    assert status.uptime_1h == 50.0
