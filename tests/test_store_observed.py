"""What a machine observes (probe changes) is written as the machine, with a chain of its own."""

from __future__ import annotations

from warroom.store.ledger import machine_operator

CHANGE = ("probe.changed", "web", {"from": "UP", "to": "DOWN", "failed_condition": "[STATUS] (500) == 200",
                                   "vantage": "n1"})


def test_observed_events_are_the_machines_with_a_chain_of_their_own(open_ledger):
    ana = open_ledger("ana", runbook_sha256="abc")
    lee = open_ledger("lee")
    ana.append("step.started", "backup")
    first, second = ana.append_observed([CHANGE, CHANGE])
    third, = lee.append_observed([CHANGE])  # another console on the same machine: the same chain
    assert {e.operator for e in (first, second, third)} == {machine_operator("n1")} == {"probe@n1"}
    assert [(e.seq, e.prev) for e in (first, second, third)] == [(1, ""), (2, first.id), (3, second.id)]
    assert all(e.node == "n1" for e in (first, second, third))
    # The operators' own chains go on undisturbed, and no runbook.loaded was written for the machine.
    step = ana.append("step.done", "backup")
    assert step.operator == "ana" and step.seq == 3  # runbook.loaded, step.started, step.done
    assert [e.kind for e in ana.events() if e.operator == "probe@n1"] == ["probe.changed"] * 3


def test_observed_events_leave_the_state_hash_alone(open_ledger):
    ledger = open_ledger()
    ledger.append("step.done", "backup")
    before = ledger.state_hash()
    ledger.append_observed([CHANGE])
    assert ledger.state_hash() == before
    assert ledger.probe_observations()[("web", "n1")].state == "DOWN"
