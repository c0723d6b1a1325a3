"""The aggregates of running the day: sign-offs, decisions, incidents, status updates, the
rollback branch and roles, folded from real ledger files."""

from __future__ import annotations

import pytest

from warroom.store import Ledger, LedgerError
from warroom.vocabulary import Decision, DecisionPoint, IncidentStatus, StepStatus


@pytest.fixture()
def ledgers(tmp_path):
    path = tmp_path / "day.sqlite"
    ana = Ledger.open(path, "billing", "ana", node="n-ana")
    lee = Ledger.open(path, "billing", "lee", node="n-lee")
    yield ana, lee
    ana.close()
    lee.close()


def test_the_same_operator_signing_twice_counts_once_and_a_withdrawal_takes_it_back(ledgers):
    ana, lee = ledgers
    ana.append("signoff.given", "traffic-10", {"role": "DevOps"})
    ana.append("signoff.given", "traffic-10", {"role": "DevOps"})
    assert [s.operator for s in ana.state().signoffs("traffic-10")] == ["ana"]
    lee.append("signoff.given", "traffic-10")
    assert [s.operator for s in ana.state().signoffs("traffic-10")] == ["ana", "lee"]
    ana.append("signoff.withdrawn", "traffic-10")
    assert [s.operator for s in ana.state().signoffs("traffic-10")] == ["lee"]


def test_decisions_are_kept_in_order_and_the_latest_per_point_stands(ledgers):
    ana, lee = ledgers
    ana.append("decision.recorded", "go-no-go", {"decision": "no-go", "note": "DBA missing", "role": "Deployment Lead"})
    lee.append("decision.recorded", "go-no-go", {"decision": "conditional", "note": "rollback rehearsed by 10:00"})
    state = ana.state()
    assert [d.decision for d in state.decisions] == [Decision.NO_GO, Decision.CONDITIONAL]
    latest = state.latest_decision(DecisionPoint.GO_NO_GO)
    assert latest is not None and (latest.operator, latest.label) == ("lee", "CONDITIONAL GO")
    assert state.latest_decision(DecisionPoint.GO_LIVE) is None


def test_a_decision_names_a_known_point_and_word(ledgers):
    ana, _ = ledgers
    with pytest.raises(LedgerError, match="go-no-go or go-live"):
        ana.append("decision.recorded", "launch", {"decision": "go"})
    with pytest.raises(LedgerError, match="use one of"):
        ana.append("decision.recorded", "go-no-go", {"decision": "maybe"})
    assert ana.state().decisions == ()


def test_an_incident_moves_through_its_states_and_keeps_when_it_was_answered_and_resolved(ledgers):
    ana, lee = ledgers
    opened = ana.append("incident.opened", "INC-1a2b3c4d", {"severity": "P1", "title": "Checkout 500s"})
    incident = ana.state().incidents["INC-1a2b3c4d"]
    assert (incident.status, incident.severity, incident.opened_by, incident.responded_at) == (
        IncidentStatus.NEW, "P1", "ana", None)
    lee.append("incident.updated", "INC-1a2b3c4d", {"status": "active", "owner": "lee"})
    lee.append("incident.updated", "INC-1a2b3c4d", {"status": "resolved", "note": "pool size raised"})
    incident = ana.state().incidents["INC-1a2b3c4d"]
    assert (incident.status, incident.owner, incident.resolution) == (IncidentStatus.RESOLVED, "lee", "pool size raised")
    assert incident.opened_at < incident.responded_at <= incident.resolved_at
    ana.append("incident.updated", "INC-1a2b3c4d", {"status": "active", "note": "back again"})
    assert ana.state().incidents["INC-1a2b3c4d"].resolved_at is None
    assert opened.subject == "INC-1a2b3c4d"


def test_an_incident_needs_a_title_and_a_known_severity(ledgers):
    ana, _ = ledgers
    with pytest.raises(LedgerError, match="title"):
        ana.append("incident.opened", "INC-1", {"severity": "P1", "title": "  "})
    with pytest.raises(LedgerError, match="P1, P2, P3, P4"):
        ana.append("incident.opened", "INC-1", {"severity": "P0", "title": "x"})


def test_status_updates_and_the_rollback_branch_and_roles(ledgers):
    ana, lee = ledgers
    ana.append("status.posted", "", {"text": "Status Update - 09:15"})
    ana.append("rollback.started", "traffic-10")
    assert ana.state().rollback("traffic-10").status is StepStatus.IN_PROGRESS
    lee.append("rollback.done", "traffic-10", {"note": "weight back to 0"})
    rolled = ana.state().rollback("traffic-10")
    assert (rolled.status, rolled.by, rolled.note) == (StepStatus.DONE, "lee", "weight back to 0")
    assert rolled.started_at is not None and rolled.finished_at is not None
    ana.append("roles.declared", "", {"roles": ["Deployment Lead", "DBA"]})
    ana.append("roles.declared", "", {"roles": ["DBA"]})
    state = ana.state()
    assert [u.text for u in state.updates] == ["Status Update - 09:15"]
    assert state.roles == {"ana": ("DBA",)}
    with pytest.raises(LedgerError, match="list of names"):
        ana.append("roles.declared", "", {"roles": ["DBA", ""]})
