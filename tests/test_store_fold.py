"""The fold rules, kind by kind, through the real ledger and against the in-memory reference fold."""

import sqlite3

import pytest

from warroom.store import CheckState, Event, NoteEntry, StepState, fold, hlc
from warroom.store.events import canonical_json
from warroom.store.schema import EVENT_COLUMNS


@pytest.fixture
def ledgers(open_ledger, clock):
    clock.step_ms = 1000  # each event a second after the one before, so their times tell them apart
    return open_ledger("ana", node="n1"), open_ledger("lee", node="n2")


def at(event):
    return hlc.hlc_to_datetime(event.hlc)


def test_absent_subjects_have_defaults(ledgers):
    ana, _ = ledgers
    state = ana.state()
    assert state.step("backup") == StepState(status="pending")
    assert state.check("pre/a") == CheckState(ticked=False)
    assert dict(state.steps) == {} and dict(state.checks) == {} and state.notes == ()


def test_started(ledgers):
    ana, _ = ledgers
    event = ana.append("step.started", "backup", {"note": "on it"})
    assert ana.state().step("backup") == StepState("in_progress", at(event), None, "ana", "on it", event.hlc, event.id)


def test_done_keeps_the_start_and_finishes(ledgers):
    ana, lee = ledgers
    started = ana.append("step.started", "backup", {"note": "on it"})
    done = lee.append("step.done", "backup")
    assert ana.state().step("backup") == StepState("done", at(started), at(done), "lee", None, done.hlc, done.id)


def test_done_without_a_start_starts_and_finishes_at_once(ledgers):
    ana, _ = ledgers
    done = ana.append("step.done", "backup", {"note": "done by hand"})
    assert ana.state().step("backup") == StepState("done", at(done), at(done), "ana", "done by hand", done.hlc, done.id)


@pytest.mark.parametrize("kind, status", [("step.failed", "failed"), ("step.skipped", "skipped")])
def test_failed_and_skipped_finish_and_keep_the_start(ledgers, kind, status):
    ana, _ = ledgers
    started = ana.append("step.started", "backup")
    ended = ana.append(kind, "backup", {"note": "why"})
    assert ana.state().step("backup") == StepState(status, at(started), at(ended), "ana", "why", ended.hlc, ended.id)


@pytest.mark.parametrize("kind, status", [("step.failed", "failed"), ("step.skipped", "skipped")])
def test_failed_and_skipped_without_a_start_have_no_start(ledgers, kind, status):
    ana, _ = ledgers
    ended = ana.append(kind, "backup")
    assert ana.state().step("backup") == StepState(status, None, at(ended), "ana", None, ended.hlc, ended.id)


def test_reopened_clears_both_times(ledgers):
    ana, lee = ledgers
    ana.append("step.started", "backup")
    ana.append("step.failed", "backup")
    reopened = lee.append("step.reopened", "backup", {"note": "retry with more disk"})
    assert ana.state().step("backup") == StepState("pending", None, None, "lee", "retry with more disk", reopened.hlc, reopened.id)


def test_done_after_reopen_starts_fresh(ledgers):
    ana, _ = ledgers
    ana.append("step.started", "backup")
    ana.append("step.reopened", "backup")
    done = ana.append("step.done", "backup")
    assert ana.state().step("backup").started_at == at(done)


def test_restart_after_done_clears_the_finish(ledgers):
    ana, _ = ledgers
    ana.append("step.done", "backup")
    again = ana.append("step.started", "backup")
    assert ana.state().step("backup") == StepState("in_progress", at(again), None, "ana", None, again.hlc, again.id)


def test_checks_tick_and_untick_last_writer_wins(ledgers):
    ana, lee = ledgers
    ticked = ana.append("check.ticked", "pre_deployment/war-room-prepared")
    assert ana.state().check("pre_deployment/war-room-prepared") == CheckState(True, "ana", at(ticked), ticked.hlc, ticked.id,
                                                                                     outcome="passed")
    unticked = lee.append("check.unticked", "pre_deployment/war-room-prepared")
    assert ana.state().check("pre_deployment/war-room-prepared") == CheckState(False, "lee", at(unticked), unticked.hlc, unticked.id)


def test_a_smoke_test_fails_is_blocked_or_is_waived_and_a_tick_clears_the_note(ledgers):
    ana, lee = ledgers
    item = "smoke_tests/user-login"
    ana.append("check.failed", item, {"note": "SSO returns 500"})
    failed = ana.state().check(item)
    assert (failed.ticked, failed.outcome, failed.note, failed.settled) == (False, "failed", "SSO returns 500", False)
    lee.append("check.waived", item, {"note": "SSO checked by hand"})
    assert (ana.state().check(item).outcome, ana.state().check(item).settled) == ("waived", True)
    ana.append("check.ticked", item)
    passed = ana.state().check(item)
    assert (passed.ticked, passed.outcome, passed.note) == (True, "passed", None)


def test_notes_are_kept_in_order_with_their_subject(ledgers):
    ana, lee = ledgers
    general = ana.append("note.added", "", {"text": "war room open"})
    on_step = lee.append("note.added", "backup", {"text": "slow disk"})
    assert ana.state().notes == (
        NoteEntry(at(general), "ana", "", "war room open", general.id),
        NoteEntry(at(on_step), "lee", "backup", "slow disk", on_step.id),
    )


def insert_from_a_peer(ledger, kind, subject, body):
    """An event as a newer release on another laptop may write it: stored raw, then refolded."""
    events = ledger.events()
    event = Event.create(deployment=ledger.deployment, run=ledger.run, operator="zoe", node="n-zoe",
                         seq=len(events) + 1, prev="", hlc=(events[-1].hlc if events else hlc.pack(1_800_000_000_000)) + 1,
                         kind=kind, subject=subject, body=body)
    with sqlite3.connect(ledger.path) as conn:
        conn.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                     (*[getattr(event, c) for c in EVENT_COLUMNS[:-1]], canonical_json(event.body)))
    ledger.rebuild()
    return event


def test_unknown_kinds_from_a_peer_are_logged_but_change_nothing(ledgers):
    ana, _ = ledgers
    ana.append("step.started", "backup")
    before = (ana.state(), ana.state_hash())
    incident = insert_from_a_peer(ana, "postmortem.filed", "backup", {"severity": "P2"})
    assert (ana.state(), ana.state_hash()) == before
    assert ana.events()[-1] == incident


def test_a_malformed_body_from_a_peer_folds_without_failing(ledgers):
    ana, _ = ledgers
    insert_from_a_peer(ana, "step.done", "backup", {"note": ["not", "text"]})
    insert_from_a_peer(ana, "probe.changed", "web", {"to": 3})
    assert ana.state().step("backup").status == "done" and ana.state().step("backup").note is None
    (observation,) = ana.state().probes.values()
    assert (observation.probe, observation.vantage, observation.state) == ("web", "n-zoe", "UNKNOWN")
    assert ana.state() == fold(ana.events())


def test_the_projection_equals_the_reference_fold(ledgers):
    ana, lee = ledgers
    for ledger, kind, subject, body in [
        (ana, "step.started", "backup", None), (lee, "check.ticked", "pre/a", None),
        (lee, "step.done", "backup", {"note": "ok"}), (ana, "note.added", "backup", {"text": "t"}),
        (ana, "step.skipped", "smoke", None), (lee, "step.reopened", "smoke", None),
        (ana, "check.unticked", "pre/a", None),
    ]:
        ledger.append(kind, subject, body)
    assert ana.state() == fold(ana.events())


def test_with_event_matches_the_projection(ledger):
    """What the screen folds in memory equals what the ledger's projection says after the write."""
    for kind, subject, body in [
        ("step.started", "a", {}), ("step.done", "a", {"note": "ok"}), ("step.failed", "b", {"note": "x"}),
        ("check.ticked", "pre/x", {}), ("note.added", "a", {"text": "hello"}), ("step.reopened", "a", {}),
        ("step.done", "c", {}), ("check.unticked", "pre/x", {}), ("step.skipped", "b", {"note": "later"}),
    ]:
        before = ledger.state()
        event = ledger.append(kind, subject, body)
        assert before.with_event(event) == ledger.state()
