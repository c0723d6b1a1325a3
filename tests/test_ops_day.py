"""The application layer of running the day: sign-offs and gates, decisions, incidents and the
rollback branch, on the bundled sample and a real ledger file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import WEB_CUTOVER

from warroom.ops.actions import UsageProblem, record_step
from warroom.ops.decisions import (
    go_live_blockers,
    parse_decision,
    record_decision,
    sign_off,
    sign_off_text,
    step_refusals,
    withdraw_sign_off,
)
from warroom.ops.incidents import find_incident, next_target, open_incident, update_incident
from warroom.ops.loading import load_runbook
from warroom.ops.rollback import record_rollback, rollback_plan, rollback_time
from warroom.vocabulary import Decision, IncidentStatus


@pytest.fixture(scope="module")
def runbook():
    return load_runbook(str(WEB_CUTOVER))


@pytest.fixture
def pair(open_ledger, runbook):
    ana = open_ledger("ana", deployment=runbook.id, runbook_sha256=runbook.sha256)
    lee = open_ledger("lee", deployment=runbook.id, node="n2", runbook_sha256=runbook.sha256)
    return ana, lee


def test_two_sign_offs_unblock_a_step_and_the_same_operator_counts_once(pair, runbook):
    ana, lee = pair
    assert "needs 0 of 2 sign-offs" in step_refusals(runbook, ana.state(), "traffic-10", "start")[0]
    sign_off(ana, runbook, ana.state(), "traffic-10")
    assert sign_off(ana, runbook, ana.state(), "traffic-10") is None
    assert sign_off_text(2, ana.state(), "traffic-10") == "1 of 2 sign-offs (ana)"
    sign_off(lee, runbook, lee.state(), "traffic-10")
    assert step_refusals(runbook, ana.state(), "traffic-10", "start") == []


def test_a_sign_off_is_withdrawn_only_before_the_step_starts_and_only_where_one_is_needed(pair, runbook):
    ana, lee = pair
    with pytest.raises(UsageProblem, match="needs no sign-off"):
        sign_off(ana, runbook, ana.state(), "backup")
    sign_off(ana, runbook, ana.state(), "go-no-go")
    withdraw_sign_off(ana, runbook, ana.state(), "go-no-go")
    assert ana.state().signoffs("go-no-go") == ()
    sign_off(ana, runbook, ana.state(), "go-no-go")
    sign_off(lee, runbook, lee.state(), "go-no-go")
    record_step(ana, runbook, ana.state(), "go-no-go", "start")
    with pytest.raises(UsageProblem, match="before the step starts"):
        withdraw_sign_off(ana, runbook, ana.state(), "go-no-go")


def test_the_go_no_go_gate_waits_for_a_go_and_words_are_owed(pair, runbook):
    ana, _ = pair
    assert "waits for a GO" in step_refusals(runbook, ana.state(), "deploy-green", "start")[0]
    with pytest.raises(UsageProblem, match="CONDITIONAL GO needs the conditions"):
        record_decision(ana, runbook, ana.state(), Decision.CONDITIONAL, "  ")
    with pytest.raises(UsageProblem, match="NO-GO needs the reason"):
        record_decision(ana, runbook, ana.state(), parse_decision("no-go"))
    record_decision(ana, runbook, ana.state(), Decision.NO_GO, "DBA not on the bridge")
    assert "NO-GO (ana)" in step_refusals(runbook, ana.state(), "deploy-green", "start")[0]
    record_decision(ana, runbook, ana.state(), Decision.CONDITIONAL, "DBA joins by 09:10")
    assert step_refusals(runbook, ana.state(), "deploy-green", "start") == []
    with pytest.raises(UsageProblem, match="not a decision"):
        parse_decision("maybe")


def test_proceed_is_held_back_by_smoke_tests_and_an_open_p1_unless_overridden(pair, runbook):
    ana, _ = pair
    smoke = runbook.checklists["smoke_tests"].items
    for item in smoke:
        ana.append("check.ticked", item.id)
    ana.append("check.failed", smoke[0].id, {"note": "SSO 500"})
    opened = open_incident(ana, runbook, ana.state(), "p1", "Checkout down")
    blockers = go_live_blockers(runbook, ana.state())
    assert blockers == [f"smoke test '{smoke[0].text}' failed", f"P1 {opened.subject} 'Checkout down' is open"]
    with pytest.raises(UsageProblem, match="PROCEED is held back"):
        record_decision(ana, runbook, ana.state(), Decision.PROCEED)
    with pytest.raises(UsageProblem, match="note saying why"):
        record_decision(ana, runbook, ana.state(), Decision.PROCEED, override=True)
    event = record_decision(ana, runbook, ana.state(), Decision.PROCEED, "CFO accepts", override=True)
    assert event.body["override"] == "; ".join(blockers)
    assert "is finished by the go-live decision" not in " ".join(step_refusals(runbook, ana.state(),
                                                                            "go-live-decision", "done"))


def test_incidents_get_fresh_ids_a_countdown_and_need_a_resolution(pair, runbook, clock):
    ana, lee = pair
    first = open_incident(ana, runbook, ana.state(), "P1", "Checkout 500s", step_id="traffic-10")
    second = open_incident(lee, runbook, lee.state(), "P3", "Slow invoice search")
    assert first.subject != second.subject and first.subject.startswith("INC-")
    incident = find_incident(ana.state(), first.subject[4:].upper())
    target = next_target(incident, runbook)
    assert target is not None and (target.what, target.due - incident.opened_at) == ("respond", timedelta(minutes=15))
    with pytest.raises(UsageProblem, match="resolution"):
        update_incident(ana, ana.state(), first.subject, status="resolved")
    with pytest.raises(UsageProblem, match="no title"):
        open_incident(ana, runbook, ana.state(), "P2", " ")
    with pytest.raises(UsageProblem, match="not a severity"):
        open_incident(ana, runbook, ana.state(), "P0", "x")
    update_incident(ana, ana.state(), first.subject, status="active")
    target = next_target(ana.state().incidents[first.subject], runbook)
    assert target is not None and target.what == "resolve"
    update_incident(ana, ana.state(), first.subject, status="resolved", note="pool raised")
    assert ana.state().incidents[first.subject].status is IncidentStatus.RESOLVED
    assert next_target(ana.state().incidents[first.subject], runbook) is None


def test_the_rollback_branch_walks_done_steps_newest_first(pair, runbook, clock):
    ana, _ = pair
    for step_id in ("deploy-green", "db-migrate", "notify-start"):
        clock.advance(timedelta(minutes=1))
        ana.append("step.done", step_id)
    plan = rollback_plan(runbook, ana.state())
    assert [s.id for s in plan] == ["db-migrate", "deploy-green"]  # notify-start needs none
    assert rollback_time(runbook, ana.state()) == timedelta(minutes=20 + 20)
    with pytest.raises(UsageProblem, match="not on the rollback branch"):
        record_rollback(ana, runbook, ana.state(), "notify-start", "start")
    record_rollback(ana, runbook, ana.state(), "db-migrate", "start")
    record_rollback(ana, runbook, ana.state(), "db-migrate", "done")
    assert rollback_time(runbook, ana.state()) == timedelta(minutes=20)


def test_the_log_says_who_decided_what_and_in_which_role(pair, runbook):
    from warroom.ops.describe import describe, kind_group

    ana, _ = pair
    ana.append("roles.declared", "", {"roles": ["Deployment Lead"]})
    decided = record_decision(ana, runbook, ana.state(), Decision.CONDITIONAL, "DBA joins by 09:10")
    assert describe(decided, runbook) == "go/no-go decision: CONDITIONAL GO as Deployment Lead: DBA joins by 09:10"
    opened = open_incident(ana, runbook, ana.state(), "P2", "Slow search", step_id="traffic-10")
    assert describe(opened, runbook) == f"incident {opened.subject} opened · P2 Slow search · on traffic-10"
    failed = ana.append("check.failed", runbook.checklists["smoke_tests"].items[0].id, {"note": "SSO 500"})
    assert describe(failed, runbook).startswith("failed Smoke tests: ") and describe(failed, runbook).endswith(": SSO 500")
    assert {kind_group(e.kind) for e in (decided, opened, failed)} == {"decision", "incident", "check"}


def test_marking_a_pending_step_done_owes_what_starting_it_owes(pair, runbook):
    ana, lee = pair
    assert "before it starts" in step_refusals(runbook, ana.state(), "traffic-10", "done")[0]
    assert "waits for a GO" in step_refusals(runbook, ana.state(), "deploy-green", "done")[0]
    sign_off(ana, runbook, ana.state(), "traffic-10")
    sign_off(lee, runbook, lee.state(), "traffic-10")
    record_step(ana, runbook, ana.state(), "traffic-10", "start")
    assert step_refusals(runbook, ana.state(), "traffic-10", "done") == []
