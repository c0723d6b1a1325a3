"""Other writers' events imported into a ledger: idempotent, refolded when late, conflicts marked
the same on every replica, clocks far ahead bounded and flagged."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.store import Ledger
from warroom.store.hlc import pack
from warroom.store.ledger import MAX_DRIFT_MS

START_MS = 1_800_000_000_000


class SkewedClock:
    """A wall clock that the test moves, off true time by `skew_ms`."""

    def __init__(self, skew_ms: int = 0) -> None:
        self.now = START_MS
        self.skew_ms = skew_ms

    def __call__(self) -> int:
        return self.now + self.skew_ms


def replicas(tmp_path, count, skews=None):
    skews = skews or [0] * count
    tmp_path.mkdir(parents=True, exist_ok=True)
    clocks = [SkewedClock(skew) for skew in skews]
    ledgers = [Ledger.open(tmp_path / f"r{i}.sqlite", "billing", f"op{i}", node=f"node{i}", clock=clocks[i])
               for i in range(count)]
    return ledgers, clocks


def exchange(target: Ledger, source: Ledger):
    return target.import_events(source.events())


def test_a_step_marked_apart_is_a_conflict_on_both_sides_until_resolved(tmp_path):
    (ana, bob), clocks = replicas(tmp_path, 2)
    ana.append("step.started", "backup")
    exchange(bob, ana)
    clocks[0].now += 1000
    clocks[1].now += 2000
    ana.append("step.done", "backup")
    bob.append("step.failed", "backup", {"note": "dump failed"})
    exchange(ana, bob)
    exchange(bob, ana)
    assert ana.state_hash() == bob.state_hash()
    for ledger in (ana, bob):
        step = ledger.state().step("backup")
        assert step.status == "failed" and step.by == "op1"  # the later by clock wins
        assert [(d.by, d.what) for d in step.conflict] == [("op0", "done")]  # and the other stays in view
        assert ledger.state().conflict_count() == 1
    clocks[0].now += 5000
    ana.append("step.conflict_resolved", "backup")
    exchange(bob, ana)
    for ledger in (ana, bob):
        assert ledger.state().step("backup").conflict == ()
        assert ledger.state().step("backup").status == "failed"
    assert ana.state_hash() == bob.state_hash()


def test_a_change_made_after_seeing_the_other_is_no_conflict(tmp_path):
    (ana, bob), clocks = replicas(tmp_path, 2)
    ana.append("check.ticked", "pre-1")
    exchange(bob, ana)
    clocks[1].now += 1000
    bob.append("check.unticked", "pre-1")
    exchange(ana, bob)
    assert ana.state().check("pre-1").conflict == ()
    assert ana.state().check("pre-1").ticked is False


def test_importing_twice_adds_nothing_and_late_events_refold(tmp_path):
    (ana, bob), clocks = replicas(tmp_path, 2)
    bob.append("step.started", "backup")  # bob's clock: earlier
    clocks[0].now += 5000
    ana.append("step.done", "backup")  # ana had not seen bob's start
    first = exchange(ana, bob)
    assert first.new == 1
    assert exchange(ana, bob).new == 0
    fresh, _ = replicas(tmp_path / "fresh", 1)
    fresh[0].import_events(ana.events())
    assert fresh[0].state() == ana.state() and fresh[0].state_hash() == ana.state_hash()
    ana.rebuild()
    assert fresh[0].state_hash() == ana.state_hash()


def test_a_clock_far_ahead_is_flagged_and_does_not_drag_ours(tmp_path):
    (ana, bob), clocks = replicas(tmp_path, 2, skews=[0, 3_600_000])
    late = bob.append("note.added", "", {"text": "from the future"})
    result = exchange(ana, bob)
    assert result.clock_ahead >= 1
    assert ana.clock_flags()[late.id] >= MAX_DRIFT_MS
    mine = ana.append("note.added", "", {"text": "now"})
    assert mine.hlc < pack(START_MS + MAX_DRIFT_MS)  # our clock stayed with our wall time


def test_a_change_after_seeing_a_far_ahead_one_still_sorts_after_it(tmp_path):
    (ana, bob), _ = replicas(tmp_path, 2, skews=[0, 3_600_000])
    ahead = bob.append("step.started", "backup")
    exchange(ana, bob)
    done = ana.append("step.done", "backup")
    assert done.hlc > ahead.hlc and done.body["seen"] == ahead.id
    assert ana.state().step("backup").status == "done" and ana.state().step("backup").conflict == ()


def test_an_event_of_another_deployment_is_refused(tmp_path):
    (ana,), _ = replicas(tmp_path, 1)
    other = Ledger.open(tmp_path / "other.sqlite", "payroll", "eve", node="n9", clock=SkewedClock())
    event = other.append("note.added", "", {"text": "x"})
    try:
        ana.import_events([event])
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        assert "payroll" in str(exc)
    else:
        raise AssertionError("a foreign event was imported")
    assert ana.event_count() == 0
    other.close()


def test_many_events_at_once_fold_onto_the_rows_and_refold_what_they_reach_back_into(tmp_path):
    (ana, bob), clocks = replicas(tmp_path, 2)
    for i in range(6000):
        clocks[1].now += 1
        bob.append("check.ticked" if i % 3 else "step.started", f"s{i % 40}")
    clocks[0].now += 1
    ana.append("step.done", "s0")
    exchange(ana, bob)
    reference, _ = replicas(tmp_path / "ref", 1)
    reference[0].import_events(bob.events() + ana.events())
    assert ana.state_hash() == reference[0].state_hash()
    assert ana.state().step("s0").status == "in_progress"  # bob's later start (by clock) wins
    assert ana.state().step("s0").conflict  # and it did not see ana's done


ACTIONS = ["step.started", "step.done", "step.failed", "step.skipped", "step.reopened",
           "check.ticked", "check.unticked", "note.added", "step.conflict_resolved"]
SUBJECTS = ["a", "b", "c"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    writers=st.integers(min_value=3, max_value=5),
    skews=st.lists(st.integers(min_value=-3_600_000, max_value=3_600_000), min_size=5, max_size=5),
    script=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(ACTIONS), st.sampled_from(SUBJECTS),
                              st.integers(0, 4), st.integers(1, 5000)), min_size=1, max_size=40),
)
def test_replicas_with_the_same_events_converge(tmp_path_factory, writers, skews, script):
    """Random actions, random partial syncs (events re-delivered), clocks up to an hour apart:
    after everyone has everyone's events, every replica has the same state and the same conflicts."""
    tmp = tmp_path_factory.mktemp("converge")
    ledgers, clocks = replicas(tmp, writers, skews[:writers])
    try:
        for who, kind, subject, sync_from, step_ms in script:
            who %= writers
            for clock in clocks:
                clock.now += step_ms
            body = {"text": "n"} if kind == "note.added" else None
            ledgers[who].append(kind, "" if kind == "note.added" else subject, body)
            exchange(ledgers[who], ledgers[sync_from % writers])  # a partial sync, maybe of old news
        for target, source in itertools.product(ledgers, repeat=2):
            exchange(target, source)
        hashes = {ledger.state_hash() for ledger in ledgers}
        assert len(hashes) == 1
        states = [ledger.state() for ledger in ledgers]
        assert all(state == states[0] for state in states)
        for ledger in ledgers:
            ledger.rebuild()
        assert {ledger.state_hash() for ledger in ledgers} == hashes
    finally:
        for ledger in ledgers:
            ledger.close()
