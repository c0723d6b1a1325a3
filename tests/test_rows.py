"""What the widgets are handed: plain row values built by tui/rows.py from the plan, the ledger's
state, the forecast, the clock and the probes. The widgets themselves know nothing of those."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.ops.progress import actuals, next_steps
from warroom.runbook.forecast import forecast
from warroom.store import Ledger
from warroom.tui import rows
from warroom.widgets.timeline import GANTT, PhaseRow, TimelineRow


@pytest.fixture
def morning(web_cutover, clock, db_path):
    """The web cutover at 08:30: the war room opened 08:00-08:14, the review running since 08:15,
    one pre-deployment item ticked at 08:04."""
    with Ledger.open(db_path, web_cutover.id, "ana", runbook_sha256=web_cutover.sha256, clock=clock) as ledger:
        item = web_cutover.checklists["pre_deployment"].items[0].id
        for hhmm, kind, subject in (("08:00", "step.started", "war-room-open"), ("08:04", "check.ticked", item),
                                    ("08:14", "step.done", "war-room-open"), ("08:15", "step.started", "checklist-review")):
            clock.at(hhmm)
            ledger.append(kind, subject)
        clock.at("08:30")
        yield ledger


def test_the_timeline_is_phase_rows_and_step_rows_in_runbook_order(web_cutover, morning, clock):
    state, now = morning.state(), clock.now()
    shown = rows.timeline_rows(web_cutover, state, forecast(web_cutover, actuals(state), now), now)
    steps = [row for row in shown if isinstance(row, TimelineRow)]
    assert [row.step_id for row in steps] == [step.id for step in web_cutover.steps]
    assert [row.phase for row in shown if isinstance(row, PhaseRow)] == list(dict.fromkeys(s.phase for s in web_cutover.steps))
    assert isinstance(shown[0], PhaseRow)

    opened, review, later = steps[0], steps[1], steps[-1]
    assert (opened.status, opened.actual, opened.plan) == ("done", "08:00–08:14", "08:00")
    assert (review.status, review.actual) == ("in_progress", "08:15–")
    assert later.status == "pending" and later.actual == "" and later.gantt.actual is None
    assert opened.gantt.actual is not None and 0 <= opened.gantt.now < GANTT
    first_phase = shown[0]
    assert first_phase.total == sum(s.phase == first_phase.phase for s in web_cutover.steps)
    assert first_phase.done == 1


def test_checks_name_each_probe_a_step_validates_with(web_cutover, morning, clock):
    state, now = morning.state(), clock.now()
    outlook = forecast(web_cutover, actuals(state), now)
    step = next(s for s in web_cutover.steps if any(v.probe for v in s.validate))
    probes = [v.probe for v in step.validate if v.probe]
    [_, row] = rows.timeline_rows(web_cutover, state, outlook, now, {probes[0]: "DOWN"}, only=step.id)
    assert row.checks == tuple((p, "DOWN" if p == probes[0] else "UNKNOWN") for p in probes)


def test_after_a_keystroke_only_its_step_and_phase_are_rebuilt(web_cutover, morning, clock):
    state, now = morning.state(), clock.now()
    outlook = forecast(web_cutover, actuals(state), now)
    phase, step = rows.timeline_rows(web_cutover, state, outlook, now, only="checklist-review")
    assert (phase.phase, step.step_id) == (web_cutover.step("checklist-review").phase, "checklist-review")
    assert rows.timeline_rows(web_cutover, state, outlook, now) == rows.timeline_rows(web_cutover, state, outlook, now)
    item = web_cutover.checklists["pre_deployment"].items[0].id
    assert rows.timeline_rows(web_cutover, state, outlook, now, only=item) == ()  # a tick is no step


def test_checklist_and_activity_rows_read_in_the_deployments_time_zone(web_cutover, morning):
    zone = web_cutover.window.start.tzinfo
    state = morning.state()
    first, second = rows.checklist_rows(web_cutover.checklists["pre_deployment"], state, zone)[:2]
    assert (first.ticked, first.by, first.at) == (True, "ana", "08:04")
    assert (second.ticked, second.by, second.at) == (False, "", "")

    log = rows.activity_rows(morning.events(limit=3, newest_first=True), web_cutover, zone)
    assert [(row.at, row.operator) for row in log] == [("08:15", "ana"), ("08:14", "ana"), ("08:04", "ana")]
    assert log[0].text.startswith("started checklist-review")


def test_the_now_line_reads_spans_as_the_header_does_and_dates_a_next_step_not_today(web_cutover, morning, clock):
    clock.at("09:20")  # the review, planned for 15m, has run since 08:15
    state, now = morning.state(), clock.now()
    ready = next_steps(web_cutover, state)
    value = rows.now_next(web_cutover, state, forecast(web_cutover, actuals(state), now), now, ready)
    review = value.running[0]
    assert (review.step_id, review.elapsed, review.planned, review.overrun) == ("checklist-review", "1h05m", "15m",
                                                                                "+50m")
    assert value.upcoming is not None and value.upcoming.at == "08:15"
    evening_before = now - timedelta(hours=14)
    earlier = rows.now_next(web_cutover, state, forecast(web_cutover, actuals(state), evening_before), evening_before,
                            ready)
    assert earlier.upcoming is not None and earlier.upcoming.at == "Sat 28 Nov 08:15"
