"""Two operators apart run the day's decisions, each on their own ledger, and converge through a
shared folder: sign-offs made offline count once synced, incident ids neither collide nor change,
and both see the same decision."""

from __future__ import annotations

from support import WEB_CUTOVER
from test_sync_round import folder, team

from warroom.ops.decisions import record_decision, sign_off, step_refusals
from warroom.ops.incidents import open_incident
from warroom.ops.loading import load_runbook
from warroom.vocabulary import Decision, DecisionPoint


def test_sign_offs_incidents_and_decisions_made_apart_converge(tmp_path):
    runbook = load_runbook(str(WEB_CUTOVER))
    ana, bob = team(tmp_path, folder(tmp_path))
    try:
        sign_off(ana.ledger, runbook, ana.ledger.state(), "traffic-10")
        sign_off(bob.ledger, runbook, bob.ledger.state(), "traffic-10")
        for person in (ana, bob):  # offline, each has only their own sign-off
            assert step_refusals(runbook, person.ledger.state(), "traffic-10", "start")
        mine = open_incident(ana.ledger, runbook, ana.ledger.state(), "P2", "Slow invoice search").subject
        theirs = open_incident(bob.ledger, runbook, bob.ledger.state(), "P1", "Checkout 500s").subject
        record_decision(ana.ledger, runbook, ana.ledger.state(), Decision.GO)

        for person in (ana, bob, ana):
            person.sync()

        for person in (ana, bob):
            state = person.ledger.state()
            assert [s.operator for s in state.signoffs("traffic-10")] == ["ana", "bob"]
            assert step_refusals(runbook, state, "traffic-10", "start") == []
            assert set(state.incidents) == {mine, theirs} and mine != theirs
            assert state.incidents[theirs].severity == "P1" and state.incidents[theirs].opened_by == "bob"
            latest = state.latest_decision(DecisionPoint.GO_NO_GO)
            assert latest is not None and (latest.decision, latest.operator) == (Decision.GO, "ana")
        assert ana.ledger.state_hash() == bob.ledger.state_hash()
    finally:
        ana.ledger.close()
        bob.ledger.close()
