"""The window's deadlines, pure: how far the forecast runs past the window's end, and which
rollback warning the clock has just crossed. Times are fixed by hand, never read from the wall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.runbook.deadline import rollback_warning
from warroom.runbook.forecast import forecast


def test_the_forecast_measures_its_overrun_against_the_windows_end(web_cutover, clock):
    clock.at("17:50")  # nothing done yet: the whole plan from now on runs far past 18:00
    outlook = forecast(web_cutover, {}, clock.now())
    assert outlook.window_end == web_cutover.window.end
    assert outlook.overrun == outlook.expected_end - web_cutover.window.end > timedelta(0)
    clock.at("08:00")
    assert forecast(web_cutover, {}, clock.now()).overrun == timedelta(0)


def test_each_rollback_warning_is_said_once_as_the_clock_crosses_it():
    deadline = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)

    def at(hhmm: str, seconds: int = 0) -> datetime:
        hour, minute = map(int, hhmm.split(":"))
        return deadline.replace(hour=hour, minute=minute, second=seconds)

    assert rollback_warning(deadline, at("12:59", 59), at("13:00")) == 60
    assert rollback_warning(deadline, at("13:00"), at("13:00", 1)) is None  # already said
    assert rollback_warning(deadline, at("13:29", 59), at("13:30", 2)) == 30  # a late reading
    assert rollback_warning(deadline, at("13:49"), at("13:51")) == 10
    assert rollback_warning(deadline, at("12:00"), at("13:55")) == 10  # a jump: the most urgent
    assert rollback_warning(deadline, at("13:51"), at("13:49")) is None  # the clock went back
    assert rollback_warning(deadline, at("13:55"), at("14:05")) is None  # no mark between
    assert rollback_warning(None, at("12:00"), at("13:55")) is None
    assert rollback_warning(deadline, at("13:40"), at("13:45"), marks=(15,)) == 15
