"""The go/no-go review and decisions (issue 10, item 2): `g` shows the go/no-go checklist by
category (ticked apart from waived, by whom), the open P1/P2 incidents, the probes DOWN and the
steps overdue; GO, CONDITIONAL GO (needs the conditions) and NO-GO (asks first, needs the reason)
are recorded with the decider's name and role; the header shows the latest decision; `warroom
decide` does the same from the command line, and `warroom status` reports it."""

from __future__ import annotations

import json

from click.testing import CliRunner
from support import WEB_CUTOVER

from warroom.ops.incidents import open_incident
from warroom.probes import ProbeState, ProbeStatus
from warroom.tui.cli import main
from warroom.tui.main_screen import ProbesUpdated
from warroom.tui.review import ReadinessReview
from warroom.tui.screens import Confirm, TextPrompt
from warroom.widgets.header import DeploymentHeader


def decisions(ledger):
    return ledger.state().decisions


def header_top(ui) -> str:
    return ui.screen.query_one(DeploymentHeader).lines[0]


def shown(review: ReadinessReview, widget_id: str) -> str:
    return str(review.query_one(f"#{widget_id}").render())


async def open_review(ui) -> ReadinessReview:
    await ui.press("g")
    await ui.until(lambda: isinstance(ui.app.screen, ReadinessReview), "the readiness review")
    return ui.app.screen


async def test_the_review_shows_the_checklist_by_category_incidents_probes_down_and_overdue_steps(
        console, web_cutover, clock):
    clock.at("08:30")  # half an hour into the window: the first steps are due, and none has started
    app = console.app(operator="ana", clock=clock)
    items = {item.text: item.id for item in web_cutover.checklists["go_no_go"].items}
    app.ledger.append("check.ticked", items["Production environment validated"])
    app.ledger.append("check.ticked", items["Performance SLAs met"])
    app.ledger.append("check.waived", items["Backups configured"], {"note": "snapshots cover it"})
    open_incident(app.ledger, web_cutover, app.ledger.state(), "P1", "Checkout returns 500")
    open_incident(app.ledger, web_cutover, app.ledger.state(), "P3", "Typo on the invoice footer")
    async with console.run(app=app, size=(80, 24)) as ui:
        ui.screen.post_message(ProbesUpdated([ProbeStatus("db", "tcp", ProbeState.DOWN),
                                              ProbeStatus("web", "http", ProbeState.UP)]))
        await ui.until(lambda: ui.screen.probe_states.get("db") == "DOWN")
        review = await open_review(ui)
        checklist = shown(review, "review-checklist")
        assert "technical 2/6 · 1 waived" in checklist and "functional 0/3" in checklist
        assert "☑ ticked  Production environment validated · ana 08:30" in checklist
        assert "≈ waived  Backups configured · ana 08:30 · snapshots cover it" in checklist
        assert checklist.index("functional") < checklist.index("technical") < checklist.index("governance")
        incidents = shown(review, "review-incidents")
        assert "P1" in incidents and "Checkout returns 500" in incidents and "Typo" not in incidents
        assert shown(review, "review-probes") == "✖ db DOWN"
        overdue = shown(review, "review-overdue")
        assert "War room opens, roll call on the bridge (war-room-open) · 30m past its planned start" in overdue
        assert "(checklist-review) · 15m past" in overdue
        assert "(backup)" not in overdue and "(health-check)" not in overdue  # due now, not yet late
        assert "No go/no-go decision recorded yet." in shown(review, "review-latest")
        await ui.press("escape")
        await ui.until(lambda: not isinstance(ui.app.screen, ReadinessReview))
        assert decisions(ui.app.ledger) == ()


async def test_go_is_recorded_with_the_deciders_role_and_the_header_shows_it(console, web_cutover, clock):
    async with console.run(app=console.app(operator="Ana Ruiz", clock=clock), size=(80, 24)) as ui:
        assert "GO" not in header_top(ui).replace("ON TRACK", "")
        await open_review(ui)
        await ui.press("g")  # GO asks for an optional note: pressing g twice alone never decides
        await ui.until(lambda: isinstance(ui.app.screen, TextPrompt))
        assert decisions(ui.app.ledger) == ()
        await ui.press("enter")
        await ui.until(lambda: len(decisions(ui.app.ledger)) == 1, "GO recorded")
        (go,) = decisions(ui.app.ledger)
        assert (go.decision, go.operator, go.role, go.note) == ("go", "Ana Ruiz", "Deployment Lead", None)
        # At 80 columns its time gives way first; the word and glyph stay.
        await ui.until(lambda: "GO ✓" in header_top(ui), "the decision in the header at 80 columns")
        await ui.pilot.resize_terminal(140, 40)
        await ui.until(lambda: "GO ✓ 09:00" in header_top(ui), "with its time when there is room")


async def test_conditional_go_without_conditions_is_refused_and_with_them_recorded(console, clock):
    async with console.run(app=console.app(operator="ana", clock=clock), notifications=True) as ui:
        await open_review(ui)
        await ui.press("c")
        await ui.until(lambda: isinstance(ui.app.screen, TextPrompt))
        await ui.press("enter")  # no conditions: refused where the operator is
        await ui.pause(0.1)
        assert isinstance(ui.app.screen, TextPrompt)
        assert any("Write a reason first" in n.message for n in ui.app._notifications)
        await ui.press("escape")  # back to the review, nothing recorded
        await ui.until(lambda: isinstance(ui.app.screen, ReadinessReview))
        assert decisions(ui.app.ledger) == ()
        await ui.press("c", *"rollback plan re-read by 13:00", "enter")
        await ui.until(lambda: len(decisions(ui.app.ledger)) == 1)
        (conditional,) = decisions(ui.app.ledger)
        assert (conditional.label, conditional.note) == ("CONDITIONAL GO", "rollback plan re-read by 13:00")
        await ui.until(lambda: "COND GO ◐ 09:00" in header_top(ui))
        review = await open_review(ui)  # the review shows the latest decision and its conditions
        latest = shown(review, "review-latest")
        assert "CONDITIONAL GO by ana at 09:00" in latest and "The conditions: rollback plan re-read" in latest


async def test_no_go_asks_first_then_needs_its_reason(console, web_cutover, clock):
    async with console.run(app=console.app(operator="ana", clock=clock)) as ui:
        await open_review(ui)
        await ui.press("n")
        await ui.until(lambda: isinstance(ui.app.screen, Confirm), "NO-GO asks first")
        await ui.press("n")  # not after all
        await ui.until(lambda: isinstance(ui.app.screen, ReadinessReview))
        await ui.press("n", "y")
        await ui.until(lambda: isinstance(ui.app.screen, TextPrompt), "then the reason")
        await ui.press(*"P1 open on checkout", "enter")
        await ui.until(lambda: len(decisions(ui.app.ledger)) == 1)
        (no_go,) = decisions(ui.app.ledger)
        assert (no_go.label, no_go.note) == ("NO-GO", "P1 open on checkout")
        await ui.until(lambda: "NO-GO ✗ 09:00" in header_top(ui))
        await ui.until(lambda: any("go/no-go decision: NO-GO: P1 open on checkout" in row.text
                                   for row in ui.screen.query_one("#activity").entries), "the decision in the log")


async def test_a_go_no_go_gate_waits_for_a_go(console, web_cutover, clock):
    app = console.app(operator="ana", clock=clock)
    app.ledger.append("step.done", "go-no-go")
    async with console.run(app=app, notifications=True) as ui:
        ui.timeline.select_step("deploy-green")
        await ui.press("s")
        await ui.until(lambda: any("waits for a GO" in n.message for n in ui.app._notifications))
        assert ui.status_of("deploy-green") == "pending"
        await open_review(ui)
        await ui.press("g", "enter")
        await ui.until(lambda: ui.screen.snapshot.state.latest_decision("go-no-go") is not None)
        ui.timeline.select_step("deploy-green")
        await ui.press("s")
        await ui.until(lambda: ui.status_of("deploy-green") == "in_progress")


async def test_the_review_reads_at_80x24_and_scrolls_to_its_end(console, clock):
    async with console.run(app=console.app(operator="ana", clock=clock), size=(80, 24)) as ui:
        review = await open_review(ui)
        scroller = review.query_one(".dialog")
        assert scroller.size.width <= 80 and scroller.max_scroll_y > 0  # longer than the screen: it scrolls
        await ui.press("pagedown", "pagedown", "pagedown", "pagedown")
        await ui.until(lambda: scroller.scroll_y == scroller.max_scroll_y, "scrolled to the end")


# --- the command line ----------------------------------------------------------------------------


def run(db, *args: str, operator: str = "ana"):
    return CliRunner().invoke(main, [args[0], str(WEB_CUTOVER), *args[1:], "--db", str(db), "--operator", operator])


def recorded(db) -> list[dict]:
    if not db.exists():
        return []
    events = json.loads(CliRunner().invoke(main, ["log", str(WEB_CUTOVER), "--json", "--db", str(db)]).output)
    return [e for e in events if e["kind"] == "decision.recorded"]


def test_decide_refuses_what_owes_words_or_is_no_decision_with_exit_2_and_nothing_recorded(db_path):
    for args, said in ((("conditional",), "needs the conditions"), (("no-go",), "needs the reason"),
                       (("no-go", "--note", "  "), "needs the reason"), (("maybe",), "not a decision"),
                       (("go", "--override"), "--override only goes with proceed"),
                       (("proceed",), "PROCEED is held back"),
                       (("proceed", "--override"), "needs a note")):
        result = run(db_path, "decide", *args)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output and "Traceback" not in result.output
    assert recorded(db_path) == []


def test_decide_records_with_role_and_status_reports_every_decision_and_the_latest(db_path):
    assert run(db_path, "decide", "no-go", "--note", "P1 open", operator="Ana Ruiz").exit_code == 0
    said = run(db_path, "decide", "conditional", "--note", "re-read the rollback plan", operator="Tom Whitfield")
    assert said.exit_code == 0 and "go/no-go decision: CONDITIONAL GO as Technical Lead" in said.output
    forced = run(db_path, "decide", "proceed", "--override", "--note", "smoke tests ran by hand")
    assert forced.exit_code == 0, forced.output
    doc = json.loads(CliRunner().invoke(main, ["status", str(WEB_CUTOVER), "--json", "--db", str(db_path)]).output)
    assert [(d["point"], d["decision"], d["operator"]) for d in doc["decisions"]] == [
        ("go-no-go", "no-go", "Ana Ruiz"), ("go-no-go", "conditional", "Tom Whitfield"), ("go-live", "proceed", "ana")]
    latest = doc["latest_decision"]["go-no-go"]
    assert (latest["label"], latest["role"], latest["note"]) == ("CONDITIONAL GO", "Technical Lead",
                                                                 "re-read the rollback plan")
    assert latest["at"].endswith("+01:00") and latest["override"] is None
    assert "smoke test" in doc["latest_decision"]["go-live"]["override"]
    text = CliRunner().invoke(main, ["status", str(WEB_CUTOVER), "--db", str(db_path)]).output
    decided = next(line for line in text.splitlines() if line.startswith("decided: "))
    assert "go/no-go CONDITIONAL GO by Tom Whitfield (Technical Lead)" in decided and "go-live PROCEED by ana" in decided


def test_status_json_before_any_decision(db_path):
    doc = json.loads(CliRunner().invoke(main, ["status", str(WEB_CUTOVER), "--json", "--db", str(db_path)]).output)
    assert doc["decisions"] == [] and doc["latest_decision"] == {"go-no-go": None, "go-live": None}
