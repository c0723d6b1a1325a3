"""The probe history dialog says why in full: a failing condition is never cut or split across columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from textual.widgets import Static

from warroom.probes import ProbeState, ProbeStatus
from warroom.store import SampleRow
from warroom.tui.probe_history import DETAIL_INDENT, CheckLines, ProbeHistory, check_lines

ZONE = timezone(timedelta(hours=1))
AT = datetime(2026, 11, 28, 9, 0, tzinfo=ZONE)
FAILING = "[STATUS] (500) == 200"
LONG = "[BODY].status (MAINTENANCE-WINDOW) == UP"
SLOW = "[RESPONSE_TIME] (356) < 200"

SAMPLES = [
    SampleRow("web", AT + timedelta(seconds=6), "DOWN", False, 5.3, "500 Internal Server Error", FAILING),
    SampleRow("web", AT + timedelta(seconds=4), "PENDING", False, 6.0, "503", LONG),
    SampleRow("web", AT + timedelta(seconds=2), "DEGRADED", True, 356.0, "200 OK", SLOW),
    SampleRow("web", AT, "UP", True, 7.8, "200 OK", None),
]


def test_a_reason_that_fits_sits_beside_its_check():
    lines = check_lines(SAMPLES, ZONE, width=100)
    assert lines[0] == f"09:00:06  ✖ DOWN        5.3 ms  {FAILING}"
    assert lines[2].endswith(SLOW)  # a degraded check says why too, not just "200 OK"
    assert lines[3].endswith("200 OK")
    assert len(lines) == len(SAMPLES)


def test_a_reason_that_does_not_fit_goes_whole_onto_the_next_line():
    lines = check_lines(SAMPLES, ZONE, width=46)
    assert all(len(line) <= 46 for line in lines)
    for reason in (FAILING, SLOW):
        assert " " * DETAIL_INDENT + reason in lines  # whole, on a line of its own, under the state
    assert "  " + LONG in lines  # too wide to start under the state: it starts nearer the edge, still whole
    assert "09:00:06  ✖ DOWN        5.3 ms" in lines


async def test_the_dialog_shows_every_failing_condition_whole_in_a_narrow_terminal(hosted):
    status = ProbeStatus("web", "http", ProbeState.DOWN, "500 Internal Server Error", 5.3, FAILING, AT, AT,
                         (7.8, 356.0, 6.0, 5.3), 50.0, 50.0)
    async with hosted(Static(), size=(52, 40)) as (_, pilot):
        pilot.app.push_screen(ProbeHistory(status, SAMPLES, ZONE))
        await pilot.pause()
        shown = "\n".join(str(widget.render()) for widget in pilot.app.screen.query(Static)).splitlines()
        checks = pilot.app.screen.query_one(CheckLines)
        assert checks.size.height == len(check_lines(SAMPLES, ZONE, checks.content_size.width))
        for reason in (FAILING, LONG, SLOW):
            assert any(line.strip() == reason for line in shown), reason
