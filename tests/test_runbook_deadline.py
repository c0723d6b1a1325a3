"""The window's end, pure: how far the forecast runs past it. Times are fixed by hand, never read
from the wall. (The rollback deadline's warnings are tui/attention.py's, tested in test_attention.py.)"""

from __future__ import annotations

from datetime import timedelta

from warroom.runbook.forecast import forecast


def test_the_forecast_measures_its_overrun_against_the_windows_end(web_cutover, clock):
    clock.at("17:50")  # nothing done yet: the whole plan from now on runs far past 18:00
    outlook = forecast(web_cutover, {}, clock.now())
    assert outlook.window_end == web_cutover.window.end
    assert outlook.overrun == outlook.expected_end - web_cutover.window.end > timedelta(0)
    clock.at("08:00")
    assert forecast(web_cutover, {}, clock.now()).overrun == timedelta(0)
