"""The header tells the truth: one headline for the schedule and the probes' health, one baseline
for the drift, dates and zones on the times, honest counts, and all of it fitted to the width
(the headline and health never cut from 80 columns on). The clock is fixed by hand throughout.
The pure parts under it (the forecast's overrun, the rollback warnings) are in test_runbook_deadline.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from rich.style import Style
from rich.text import Text
from support import ManualClock, until

from warroom.ops.progress import actuals
from warroom.runbook.forecast import ON_TRACK_TOLERANCE, forecast
from warroom.store import Ledger
from warroom.tui import rows
from warroom.widgets.display import moment_text, signed_span, span, t_minus, zone_label
from warroom.widgets.header import DeploymentHeader, HeaderInfo, Part, fit_line

WIDTHS = (80, 100, 120, 200)
ALL_DOWN = {"web": "DOWN", "api": "DOWN", "db": "DOWN", "host-cpu": "UP"}
EVERY_STATE = {"web": "DOWN", "api": "DOWN", "db": "DOWN", "queue": "PENDING", "cache": "DEGRADED",
               "dns": "UNKNOWN", "host-cpu": "UP"}


def record(ledger: Ledger, clock: ManualClock, script) -> None:
    for hhmm, kind, subject in script:
        clock.at(hhmm)
        ledger.append(kind, subject)


@pytest.fixture
def info_at(web_cutover, db_path, clock):
    """`info_at(script, "10:20")`: the header's info for the web cutover after the (hh:mm, kind,
    step) events, read at that time, as the console builds it."""

    def build(script=(), hhmm: str = "08:30") -> HeaderInfo:
        with Ledger.open(db_path, web_cutover.id, "ana", runbook_sha256=web_cutover.sha256, clock=clock) as ledger:
            record(ledger, clock, script)
            clock.at(hhmm)
            state = ledger.state()
            outlook = forecast(web_cutover, actuals(state), clock.now())
            return rows.header_info(web_cutover, state, outlook, "rehearsal-1", "ana.ruiz")

    return build


def header_for(clock: ManualClock, info: HeaderInfo, probes: dict[str, str] | None = None) -> DeploymentHeader:
    header = DeploymentHeader(clock.now)
    header.info = info
    header.probes = dict(probes or {})
    return header


def style_at(text: Text, index: int) -> Style:
    return Style.combine([Style(), *(s.style for s in text.spans if s.start <= index < s.end and isinstance(s.style, Style))])


def headline_text(header: DeploymentHeader) -> Text:
    return header.render().split("\n")[0]


# --- one truthful headline ------------------------------------------------------------------------


async def test_on_track_with_probes_down_is_said_in_the_failure_colour(hosted, clock, info_at):
    info = info_at()
    assert info.headline == "ON TRACK"
    async with hosted(header_for(clock, info, ALL_DOWN), size=(120, 4)) as (header, _):
        top = headline_text(header)
        assert "● ON TRACK · ✖ 3 probes DOWN · ● 1 UP" in top.plain
        failure = header.get_component_rich_style("deployment-header--failure", partial=True)
        assert failure.color is not None
        for word in ("ON TRACK", "DOWN"):
            assert style_at(top, top.plain.index(word)).color == failure.color, word


async def test_degraded_probes_turn_the_headline_to_the_warning_colour_and_all_up_is_calm(hosted, clock, info_at):
    info = info_at()
    async with hosted(header_for(clock, info, {"web": "DEGRADED", "api": "UP", "db": "UP", "host-cpu": "UP"}), size=(120, 4)) as (header, pilot):
        warning = header.get_component_rich_style("deployment-header--warning", partial=True)
        calm = header.get_component_rich_style("deployment-header--calm", partial=True)
        assert warning.color != calm.color
        top = headline_text(header)
        assert "● ON TRACK · ▲ 1 probe DEGRADED · ● 3 UP" in top.plain
        assert style_at(top, top.plain.index("ON TRACK")).color == warning.color

        header.probes = dict.fromkeys(("web", "api", "db", "host-cpu"), "UP")
        await pilot.pause()
        top = headline_text(header)
        assert "● ON TRACK · ● 4 probes UP" in top.plain
        assert style_at(top, top.plain.index("ON TRACK")).color == calm.color


async def test_probes_not_reported_yet_read_unknown_not_well(hosted, clock, info_at):
    info = info_at()
    assert info.probe_count == 4  # the web cutover's probes
    async with hosted(header_for(clock, info, {}), size=(120, 4)) as (header, pilot):
        assert "● ON TRACK · ? 4 probes UNKNOWN" in header.lines[0]
        header.probes = {"web": "DOWN"}
        await pilot.pause()
        assert "✖ 1 probe DOWN · ? 3 UNKNOWN" in header.lines[0]


# --- one baseline -------------------------------------------------------------------------------


async def test_the_drift_and_the_headline_share_the_plans_end(hosted, clock, info_at, web_cutover):
    """The review ran late: the drift is against the plan's end, and says so; the plan ends with the
    window, so the forecast runs past it by as much, which is said on its own."""
    late = info_at([("08:00", "step.started", "war-room-open"), ("08:14", "step.done", "war-room-open"),
                    ("08:15", "step.started", "checklist-review")], "09:30")
    planned_end = forecast(web_cutover, {}, clock.now()).planned_end
    assert late.drift == late.expected_end - planned_end > ON_TRACK_TOLERANCE
    assert late.headline == "DELAYED"
    assert late.overrun == late.expected_end - late.window_end > timedelta(0)
    async with hosted(header_for(clock, late), size=(200, 4)) as (header, pilot):
        end = f"{late.expected_end.astimezone(late.zone):%H:%M}"
        assert f"forecast end {end} {signed_span(late.drift)} vs plan  {span(late.overrun)} past window end" \
            in header.lines[1]
        assert "▲ DELAYED" in header.lines[0]
        # A window that ends later holds the same forecast: the drift stays, the overrun is not said.
        header.info = replace(late, window_end=late.window_end + timedelta(hours=2), overrun=timedelta(0))
        await pilot.pause()
        assert f"forecast end {end} {signed_span(late.drift)} vs plan  rollback" in header.lines[1]
        assert "past window" not in header.lines[1]


async def test_a_forecast_past_the_windows_end_is_said_in_the_failure_colour(hosted, clock, info_at):
    info = info_at()
    past = replace(info, expected_end=info.window_end + timedelta(minutes=25), overrun=timedelta(minutes=25))
    async with hosted(header_for(clock, past, ALL_DOWN), size=(80, 4)) as (header, _):
        bottom = header.render().split("\n")[1]
        assert "25m past window" in bottom.plain
        failure = header.get_component_rich_style("deployment-header--failure", partial=True)
        assert style_at(bottom, bottom.plain.index("past window")).color == failure.color


# --- dates, spans and the zone ------------------------------------------------------------------


def test_times_on_another_day_carry_their_date_and_long_spans_read_in_days():
    zone = ZoneInfo("Europe/Madrid")
    now = datetime(2026, 11, 2, 9, 2, 14, tzinfo=zone)
    deadline = datetime(2026, 12, 14, 16, 0, tzinfo=zone)
    assert moment_text(deadline, zone, now) == "Mon 14 Dec 16:00"
    assert moment_text(deadline.replace(year=2027), zone, now) == "Tue 14 Dec 2027 16:00"
    assert moment_text(now.replace(hour=23, minute=59), zone, now) == "23:59"
    # Midnight in the zone decides "today", not UTC's: 00:30 CET is 23:30 UTC the day before.
    assert moment_text(datetime(2026, 11, 2, 23, 30, tzinfo=UTC), zone, now) == "Tue 3 Nov 00:30"
    assert span(deadline - now) == "42d 6h"
    assert span(timedelta(hours=23, minutes=59)) == "23h59m"
    assert signed_span(timedelta(days=-2, hours=-3)) == "-2d 3h"
    assert signed_span(timedelta(minutes=65)) == "+1h05m"
    assert t_minus(now, deadline) == "T-42d06h"
    assert t_minus(now, now + timedelta(hours=23, minutes=59, seconds=59)) == "T-23:59:59"
    assert t_minus(now, now - timedelta(seconds=5)) == "T+00:00:05"


def test_the_zone_is_named_by_its_abbreviation_or_its_key():
    winter, summer = datetime(2026, 11, 28, 12, tzinfo=UTC), datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert zone_label(ZoneInfo("Europe/Madrid"), winter) == "CET"
    assert zone_label(ZoneInfo("Europe/Madrid"), summer) == "CEST"
    assert zone_label(ZoneInfo("Asia/Dubai"), winter) == "Asia/Dubai"  # its abbreviation is only '+04'
    assert zone_label(UTC, winter) == "UTC"
    assert zone_label(timezone(timedelta(hours=1)), winter) == "UTC+01:00"  # a bare offset, as in the samples


async def test_a_far_window_reads_in_days_with_dates_and_the_zone(hosted, info_at, clock):
    info = info_at()
    clock.advance(-timedelta(days=41, hours=6))  # 41 days before the window's morning
    async with hosted(header_for(clock, info), size=(120, 4)) as (header, _):
        top, bottom = header.lines
        assert top.startswith(f"{clock.now():%H:%M:%S} UTC+01:00  T-41d")
        assert "rollback by Sat 28 Nov 14:00 (in 41d" in bottom
        assert "end Sat 28 Nov " in bottom
        assert "h5" not in bottom and "989" not in top  # no hundreds of hours


# --- never cut at 80 columns --------------------------------------------------------------------


@pytest.fixture
def worst_day(info_at):
    """Everything at once: BLOCKED, steps done, skipped and failed, past the window, every probe
    state, the rollback deadline minutes away, and long names."""
    info = info_at([("08:00", "step.started", "war-room-open"), ("08:14", "step.done", "war-room-open"),
                    ("08:15", "step.skipped", "checklist-review"), ("08:16", "step.started", "notify-start"),
                    ("08:20", "step.failed", "notify-start")], "13:55")
    return replace(info, title="Billing web platform 2.4.0 blue-green cutover, with a title that goes on",
                   run="rehearsal-with-a-long-name", operator="ana.ruiz.de.la.fuente")


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_headline_and_health_are_never_cut(hosted, clock, worst_day, width):
    assert (worst_day.headline, worst_day.done, worst_day.skipped, worst_day.failed) == ("BLOCKED", 1, 1, 1)
    assert worst_day.overrun > timedelta(0)
    async with hosted(header_for(clock, worst_day, EVERY_STATE), size=(width, 4)) as (header, _):
        top, bottom = header.lines
        assert header.size.width == width - 2  # the padding
        assert len(top) <= width - 2 and len(bottom) <= width - 2
        assert top.startswith("13:55")
        assert "UTC+01:00" in top
        for said in ("■ BLOCKED", "3 probes DOWN", "1 PENDING", "1 DEGRADED", "1 UNKNOWN"):
            assert said in top, (width, said)
        assert "…" not in top.split("UNKNOWN")[0]
        assert " vs plan" in bottom and "past window" in bottom
        assert "rollback 14:00 in 5m" in bottom or "rollback by 14:00 (in 5m)" in bottom
        if width >= 120:
            assert "1 done · 1 skipped · 1 failed of 27" in bottom
        if width >= 200:
            assert "run rehearsal-with-a-long-name" in top and "T+05:55:00" in top
            assert "[" in bottom  # the gauge


@pytest.mark.parametrize("width", WIDTHS)
async def test_on_an_ordinary_morning_the_least_needed_goes_first(hosted, clock, info_at, width):
    info = info_at([("08:00", "step.started", "war-room-open")], "08:20")
    async with hosted(header_for(clock, info, ALL_DOWN), size=(width, 4)) as (header, _):
        top, bottom = header.lines
        assert "08:20:00 UTC+01:00  T+00:20:00  ● ON TRACK · ✖ 3 probes DOWN" in top
        assert "rollback by 14:00 (in 5h40m)" in bottom and "0 done of 27" in bottom
        assert ("run rehearsal-1" in top) == (width >= 100)
        assert ("08:00[" in bottom) == (width >= 120)  # the gauge goes first
        assert ("operator ana.ruiz" in top) == (width >= 200)
        if width == 120:
            assert "Billing web platform" in top and top.endswith("…  run rehearsal-1")


def test_fit_line_gives_way_by_rank_shortens_and_cuts_and_keeps_what_must_stay():
    parts = [Part([Text("A" * 10), Text("A" * 4)], [1]),  # stays: at most it shortens, last of all
             Part([Text("B" * 10)], [3]),
             Part([Text("C" * 10), Text("C" * 5)], [6, 2]),  # shortens early, goes late
             Part([Text("title " * 5)], [4], right=True, flexible=True)]
    assert fit_line(parts, 80).plain == "A" * 10 + "  " + "B" * 10 + "  " + "C" * 10 + " " * 16 + ("title " * 5)
    assert fit_line(parts, 61).plain == "A" * 10 + "  " + "B" * 10 + "  " + "C" * 5 + "  " + "title " * 5
    assert fit_line(parts, 50).plain == "A" * 10 + "  " + "B" * 10 + "  " + "C" * 5 + "   title title title…"
    assert fit_line(parts, 38).plain == "A" * 10 + "  " + "B" * 10 + "  " + "C" * 5  # no room for 12: it goes
    assert fit_line(parts, 20).plain == "A" * 10 + "  " + "C" * 5
    assert fit_line(parts, 10).plain == "A" * 10
    assert fit_line(parts, 6).plain == "A" * 4
    assert fit_line(parts, 3).plain == "AA…"  # what must stay is cropped only when nothing else can give


# --- honest counts ------------------------------------------------------------------------------


def test_skipped_and_failed_steps_are_never_counted_done(info_at):
    info = info_at([("08:00", "step.started", "war-room-open"), ("08:14", "step.done", "war-room-open"),
                    ("08:15", "step.skipped", "checklist-review"), ("08:16", "step.skipped", "notify-start"),
                    ("08:17", "step.started", "health-check"), ("08:20", "step.failed", "health-check")])
    assert (info.done, info.skipped, info.failed, info.total) == (1, 2, 1, 27)


# --- the attention hook -------------------------------------------------------------------------


async def test_flash_reverses_the_headline_for_a_moment(hosted, clock, info_at):
    async with hosted(header_for(clock, info_at(), ALL_DOWN), size=(120, 4)) as (header, pilot):
        def reversed_headline() -> bool:
            top = headline_text(header)
            return bool(style_at(top, top.plain.index("ON TRACK")).reverse)

        assert not reversed_headline()
        header.flash(seconds=1.0)
        await pilot.pause()
        assert header.has_class("-flash") and reversed_headline()
        await until(pilot, lambda: not header.has_class("-flash"), "the flash to end", timeout=5)
        await pilot.pause()
        assert not reversed_headline()
