from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from warroom.store import hlc


def test_pack_and_unpack_round_trip():
    value = hlc.pack(1_700_000_000_123, 7)
    assert hlc.wall_ms(value) == 1_700_000_000_123
    assert hlc.counter(value) == 7


def test_tick_follows_the_wall_clock_when_it_moves_forward():
    last = hlc.pack(1000, 5)
    assert hlc.tick(last, 2000) == hlc.pack(2000, 0)


def test_tick_counts_within_one_millisecond_and_when_the_wall_clock_goes_back():
    last = hlc.pack(2000, 3)
    assert hlc.tick(last, 2000) == hlc.pack(2000, 4)
    assert hlc.tick(last, 1500) == hlc.pack(2000, 4)


def test_counter_overflow_carries_into_the_milliseconds_and_keeps_order():
    last = hlc.pack(2000, hlc.COUNTER_MASK)
    assert hlc.tick(last, 2000) == hlc.pack(2001, 0)
    assert hlc.tick(last, 2000) > last


@given(st.lists(st.integers(min_value=0, max_value=2**40), min_size=1, max_size=50))
def test_tick_is_strictly_monotonic_whatever_the_wall_clock_does(wall_times):
    clock = 0
    for now in wall_times:
        new = hlc.tick(clock, now)
        assert new > clock
        assert hlc.wall_ms(new) >= now
        clock = new


def test_hlc_to_datetime_is_utc_aware_with_milliseconds():
    moment = hlc.hlc_to_datetime(hlc.pack(1_700_000_000_123, 9))
    assert moment == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert moment.tzinfo is UTC


def test_receive_moves_past_a_remote_clock_within_the_drift_bound():
    now = 10_000
    remote = hlc.pack(now + 500, 2)
    result = hlc.receive(hlc.pack(now, 0), remote, now, max_drift_ms=60_000)
    assert result == hlc.Received(remote + 1, False)


def test_receive_keeps_the_local_clock_when_the_remote_is_behind():
    now = 10_000
    local = hlc.pack(now + 3, 4)
    result = hlc.receive(local, hlc.pack(5, 0), now, max_drift_ms=60_000)
    assert result == hlc.Received(local + 1, False)


def test_receive_uses_the_wall_clock_when_both_are_behind():
    assert hlc.receive(hlc.pack(1, 0), hlc.pack(2, 0), 10_000, 60_000) == hlc.Received(hlc.pack(10_000), False)


def test_receive_clamps_and_flags_a_remote_clock_far_ahead():
    now = 10_000
    result = hlc.receive(hlc.pack(now), hlc.pack(now + 10 * 3_600_000), now, max_drift_ms=60_000)
    assert result.clamped
    assert hlc.wall_ms(result.hlc) <= now + 60_000 + 1
    assert result.hlc > hlc.pack(now)


@given(local=st.integers(0, 2**56), remote=st.integers(0, 2**56), now=st.integers(0, 2**39),
       drift=st.integers(0, 10**7))
def test_receive_is_monotonic_and_bounded(local, remote, now, drift):
    result = hlc.receive(local, remote, now, drift)
    assert result.hlc > local
    assert hlc.wall_ms(result.hlc) >= now
    if not result.clamped:
        assert result.hlc > remote
    # never further ahead than the bound allows, unless we were already there
    assert result.hlc <= max(local + 1, hlc.pack(now + drift + 1), hlc.pack(now))
