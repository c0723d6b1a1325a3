"""Durations and times as operators write them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.runbook import format_duration, parse_duration
from warroom.runbook.timeparse import format_moment, on_window_day, parse_moment


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15m", timedelta(minutes=15)),
        ("90s", timedelta(seconds=90)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("1:30", timedelta(hours=1, minutes=30)),
        ("0:05", timedelta(minutes=5)),
        ("1:00:30", timedelta(hours=1, seconds=30)),
        ("1:59:59", timedelta(hours=1, minutes=59, seconds=59)),
        ("0m", timedelta(0)),
        ("-5m", timedelta(minutes=-5)),
        (" 15M ", timedelta(minutes=15)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text, seconds", [
    ("1d", 86_400), ("1h", 3_600), ("1m", 60), ("1s", 1), ("1d 1h 1m 1s", 90_061), ("3d", 259_200),
])
def test_every_duration_unit_is_read_exactly(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("15", "write 15m, not 15"),
        ("1.5", "write 1.5m, not 1.5"),
        ("", "is not a duration"),
        ("15 minutes", "is not a duration"),
        ("1.5h", "is not a duration"),
        ("30m1h", "is not a duration"),
        ("1:75", "minutes must be below 60"),
        ("1:60", "minutes must be below 60"),
        ("0:00:60", "must be below 60"),
        ("h", "is not a duration"),
    ],
)
def test_parse_duration_errors_say_what_to_write(text, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse_duration(text)


@pytest.mark.parametrize(
    "delta, text",
    [
        (timedelta(minutes=90), "1h30m"),
        (timedelta(minutes=15), "15m"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(days=1, hours=2), "1d2h"),
        (timedelta(0), "0m"),
        (timedelta(minutes=-5), "-5m"),
        (timedelta(seconds=59, microseconds=999_999), "59s"),
    ],
)
def test_format_duration(delta, text):
    assert format_duration(delta) == text


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_format_then_parse_round_trips(seconds):
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta


@given(st.integers(min_value=0, max_value=10**8))
def test_parse_then_format_is_canonical(seconds):
    text = format_duration(timedelta(seconds=seconds))
    assert format_duration(parse_duration(text)) == text


PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("14:00", time(14, 0)),
        ("9:05", time(9, 5)),
        ("23:59:30", time(23, 59, 30)),
        ("2026-11-28T08:00+01:00", datetime(2026, 11, 28, 8, 0, tzinfo=PLUS_ONE)),
        ("2026-11-28T08:00:15+0100", datetime(2026, 11, 28, 8, 0, 15, tzinfo=PLUS_ONE)),
        ("2026-11-28 08:00", datetime(2026, 11, 28, 8, 0)),
        ("2026-11-28T07:00Z", datetime(2026, 11, 28, 7, 0, tzinfo=UTC)),
        ("2026-11-28T07:00z", datetime(2026, 11, 28, 7, 0, tzinfo=UTC)),
        ("2026-11-28T08:00+01", datetime(2026, 11, 28, 8, 0, tzinfo=PLUS_ONE)),
        ("2026-11-28T08:00+05:30", datetime(2026, 11, 28, 8, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
        ("2026-11-28T08:00-0330", datetime(2026, 11, 28, 8, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30)))),
        ("2026-11-28T08:00:15.5+01:00", datetime(2026, 11, 28, 8, 0, 15, 500_000, tzinfo=PLUS_ONE)),
        ("2026-11-28T08:00:15.1234567+01:00", datetime(2026, 11, 28, 8, 0, 15, 123_456, tzinfo=PLUS_ONE)),
    ],
)
def test_parse_moment(text, expected):
    parsed = parse_moment(text)
    assert parsed == expected and type(parsed) is type(expected)
    if isinstance(expected, datetime):
        assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text, phrase", [
    ("24:00", "'24:00' is not a time of day; write e.g. 14:00 or 2026-11-28T14:00+01:00"),
    ("9am", "'9am' is not a time; write e.g. 14:00"),
    ("2026-11-28", "'2026-11-28' has no time of day; write e.g. 2026-11-28T08:00"),
    ("2026-13-01 08:00", "'2026-13-01 08:00' is not a valid date and time; write e.g. 14:00"),
    ("2026-11-28T08:00+25:00", "is not a valid date and time"),
    ("2026-11-28T08:00+01:60", "is not a valid date and time"),
    ("tomorrow", "'tomorrow' is not a time"),
])
def test_parse_moment_rejects_nonsense_and_says_what_to_write(text, phrase):
    with pytest.raises(ValueError) as caught:
        parse_moment(text)
    assert phrase in str(caught.value)


def test_time_of_day_before_the_window_start_means_the_next_day():
    start = datetime(2026, 11, 28, 22, 0, tzinfo=PLUS_ONE)
    assert on_window_day(time(23, 0), start, PLUS_ONE) == datetime(2026, 11, 28, 23, 0, tzinfo=PLUS_ONE)
    assert on_window_day(time(22, 0), start, PLUS_ONE) == start
    assert on_window_day(time(1, 0), start, PLUS_ONE) == datetime(2026, 11, 29, 1, 0, tzinfo=PLUS_ONE)


def test_format_moment_adds_the_date_only_when_it_differs():
    start = datetime(2026, 11, 28, 8, 0, tzinfo=PLUS_ONE)
    assert format_moment(datetime(2026, 11, 28, 18, 40, tzinfo=PLUS_ONE), start) == "18:40"
    assert format_moment(datetime(2026, 11, 29, 0, 10, tzinfo=PLUS_ONE), start) == "2026-11-29 00:10"
    assert format_moment(datetime(2026, 11, 28, 17, 0, tzinfo=UTC), start) == "18:00"
    assert format_moment(datetime(2026, 11, 28, 18, 40, 30, tzinfo=PLUS_ONE), start) == "18:40:30"
