import sqlite3
import threading
from datetime import timedelta

import pytest
from support import ManualClock

from warroom.store import Event, Ledger, LedgerError, StateChanged, hlc


def test_append_and_read_back(ledger):
    started = ledger.append("step.started", "backup")
    done = ledger.append("step.done", "backup", {"note": "dump is 4 GB"})
    assert ledger.events() == [started, done]
    assert ledger.event_count() == 2
    assert done.deployment == "billing" and done.run == "live" and done.operator == "ana"
    assert done.node == "n1" and done.body == {"note": "dump is 4 GB", "seen": started.id}  # what it changed
    assert started.body == {"seen": ""}  # the step had no event before


def test_seq_is_gap_free_and_prev_chains_per_operator(open_ledger):
    ana = open_ledger("ana")
    lee = open_ledger("lee")
    for i in range(5):
        ana.append("check.ticked", f"pre/{i}")
        lee.append("check.unticked", f"pre/{i}")
        lee.append("note.added", "", {"text": f"note {i}"})
    events = ana.events()
    for operator, count in (("ana", 5), ("lee", 10)):
        own = sorted((e for e in events if e.operator == operator), key=lambda e: e.seq)
        assert [e.seq for e in own] == list(range(1, count + 1))
        assert own[0].prev == ""
        assert [e.prev for e in own[1:]] == [e.id for e in own[:-1]]


def test_seq_continues_across_runs_of_one_operator(open_ledger):
    with open_ledger(run="rehearsal-1") as rehearsal:
        first = rehearsal.append("step.started", "backup")
    with open_ledger(run="live") as live:
        second = live.append("step.started", "backup")
        assert live.events() == [second]
    assert (first.seq, second.seq, second.prev) == (1, 2, first.id)


def test_event_id_is_the_content_hash_of_what_was_stored(ledger):
    ledger.append("note.added", "", {"text": "go/no-go at 10:00 ✔"})
    ledger.append("probe.changed", "db", {"from": "UP", "to": "DOWN", "failed_condition": "[CONNECTED] == true",
                                          "vantage": "jump-host ✔"})
    for event in ledger.events():
        assert event.verify()
        assert Event.create(**{k: v for k, v in event.to_json().items() if k not in ("id", "at")}).id == event.id


def test_hlc_is_monotonic_even_when_the_wall_clock_goes_backwards(ledger, clock):
    t = clock.ms
    seen, expected = [], []
    for wall, want in ((t, (t, 0)), (t - 5_000, (t, 1)), (t - 5_000, (t, 2)), (t + 1, (t + 1, 0)),
                       (t + 1, (t + 1, 1)), (t - 60_000, (t + 1, 2)), (t + 10, (t + 10, 0))):
        clock.ms = wall
        seen.append(ledger.append("check.ticked", "pre/x").hlc)
        expected.append(hlc.pack(*want))
    assert seen == expected


def test_two_ledgers_on_one_file_keep_one_clock_order(open_ledger, clock):
    ana = open_ledger("ana")
    lee = open_ledger("lee", clock=ManualClock(clock.now() - timedelta(days=365)))
    first = ana.append("step.started", "backup")
    second = lee.append("step.done", "backup")  # lee's wall clock is far behind: still after
    assert second.hlc > first.hlc
    assert ana.state().step("backup").status == "done"


def test_persistence_across_close_and_reopen(open_ledger):
    with open_ledger() as ledger:
        ledger.append("step.started", "backup")
        ledger.append("check.ticked", "pre_deployment/war-room-prepared")
        ledger.append("note.added", "backup", {"text": "started late"})
        before = (ledger.events(), ledger.state(), ledger.state_hash())
    with open_ledger() as ledger:
        assert (ledger.events(), ledger.state(), ledger.state_hash()) == before
        assert ledger.append("step.done", "backup").seq == 4


def test_runs_are_separate(open_ledger):
    rehearsal, live = open_ledger(run="rehearsal-1"), open_ledger(run="live")
    rehearsal.append("step.done", "backup")
    live.append("step.failed", "backup")
    assert rehearsal.state().step("backup").status == "done"
    assert live.state().step("backup").status == "failed"
    assert rehearsal.event_count() == live.event_count() == 1


def test_events_filters_order_and_limit(ledger):
    made = [
        ledger.append("step.started", "backup"),
        ledger.append("check.ticked", "pre/a"),
        ledger.append("step.done", "backup"),
        ledger.append("note.added", "backup", {"text": "fine"}),
        ledger.append("step.started", "deploy-app"),
    ]
    assert ledger.events() == made
    assert ledger.events(newest_first=True) == made[::-1]
    assert ledger.events(limit=2, newest_first=True) == [made[4], made[3]]
    assert ledger.events(limit=2) == made[:2]
    assert ledger.events(subject="backup") == [made[0], made[2], made[3]]
    assert ledger.events(kinds=["step.started"]) == [made[0], made[4]]
    assert ledger.events(kinds="check.ticked") == [made[1]]
    assert ledger.events(kinds=[]) == []
    assert ledger.events(subject="backup", kinds=("step.done", "note.added"), newest_first=True) == [made[3], made[2]]
    assert ledger.events(ids=[made[4].id, made[1].id, "no-such-id"], newest_first=True) == [made[4], made[1]]
    assert ledger.events(ids=[]) == []


def test_events_query_uses_an_index(ledger, db_path):
    ledger.append("step.started", "backup")
    conn = sqlite3.connect(db_path)
    plan = " ".join(row[-1] for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM events WHERE run = ? ORDER BY hlc DESC, operator DESC, id DESC LIMIT 100",
        ("live",)))
    conn.close()
    assert "USING INDEX" in plan and "TEMP B-TREE" not in plan


def test_runbook_loaded_is_recorded_once_per_sha_per_run(open_ledger):
    def loaded(ledger):
        return [e.body["sha256"] for e in ledger.events(kinds=["runbook.loaded"])]

    with open_ledger(runbook_sha256="aaa") as ledger:
        assert loaded(ledger) == []  # opening alone records nothing
        first = ledger.append("step.started", "backup")
        ledger.append("step.done", "backup")
        assert loaded(ledger) == ["aaa"]
        assert first.seq == 2 and ledger.events()[0].kind == "runbook.loaded"
        assert first.prev == ledger.events()[0].id
    with open_ledger(runbook_sha256="aaa") as ledger:
        ledger.append("check.ticked", "pre/a")
        assert loaded(ledger) == ["aaa"]
    with open_ledger(runbook_sha256="bbb") as ledger:
        ledger.append("check.ticked", "pre/b")
        assert loaded(ledger) == ["aaa", "bbb"]
    with open_ledger(runbook_sha256="aaa") as ledger:
        ledger.append("check.ticked", "pre/c")
        assert loaded(ledger) == ["aaa", "bbb", "aaa"]  # the file in use changed back
    with open_ledger(runbook_sha256="aaa", run="rehearsal-2") as ledger:
        ledger.append("check.ticked", "pre/c")
        assert loaded(ledger) == ["aaa"]  # each run records its own
    with open_ledger("lee", runbook_sha256="aaa") as ledger:
        ledger.append("check.ticked", "pre/d")
        assert [e.operator for e in ledger.events(kinds=["runbook.loaded"])].count("lee") == 1
    with open_ledger(runbook_sha256="") as ledger:
        ledger.append("check.ticked", "pre/e")
        assert len(loaded(ledger)) == 4  # an unknown sha records nothing


def test_a_refused_event_writes_nothing(open_ledger):
    ledger = open_ledger(runbook_sha256="aaa")
    with pytest.raises(LedgerError):
        ledger.append("note.added", "", {"text": ""})
    with pytest.raises(LedgerError):
        ledger.append("step.done", "backup", {"when": object()})
    assert ledger.event_count() == 0
    assert ledger.append("step.done", "backup").seq == 2  # runbook.loaded, then this


def test_a_failed_transaction_rolls_back_everything(ledger, db_path):
    ledger.append("step.started", "backup")
    before = (ledger.events(), ledger.state_hash())
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TRIGGER no_notes BEFORE INSERT ON notes BEGIN SELECT RAISE(ABORT, 'no'); END")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError):
        ledger._append_many([("step.done", "backup", None), ("note.added", "", {"text": "x"})])
    assert (ledger.events(), ledger.state_hash()) == before
    assert ledger.state().step("backup").status == "in_progress"


def test_append_many_is_one_gap_free_batch(ledger):
    batch = ledger._append_many([("check.ticked", f"pre/{i}", None) for i in range(10)])
    assert [e.seq for e in batch] == list(range(1, 11))
    assert ledger._append_many([]) == []


def test_a_closed_ledger_says_so(ledger):
    ledger.close()
    ledger.close()  # twice is fine
    with pytest.raises(LedgerError, match="closed"):
        ledger.append("step.started", "backup")


def test_many_threads_share_one_ledger(ledger):
    errors = []

    def work(n):
        try:
            for i in range(25):
                ledger.append("check.ticked", f"t{n}/{i}")
                ledger.state()
                ledger.events(limit=5, newest_first=True)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(e.seq for e in ledger.events()) == list(range(1, 101))
    assert len(ledger.state().checks) == 100


def test_an_append_prepared_on_a_changed_subject_is_refused_and_names_who_changed_it(tmp_path):
    """Two operators on one file: lee's skip, prepared when the step was pending, is not applied
    over ana's done; nothing is written, and lee learns what ana did."""
    db = tmp_path / "d.sqlite"
    with Ledger.open(db, "dep", "ana") as ana, Ledger.open(db, "dep", "lee") as lee:
        seen = lee.state().step("backup").event_id
        assert seen is None
        done = ana.append("step.done", "backup")
        with pytest.raises(StateChanged) as refused:
            lee.append("step.skipped", "backup", {"note": "not needed"}, seen=seen)
        assert refused.value.current == done
        assert [e.kind for e in lee.events()] == ["step.done"]
        # Seen as it is now, it applies.
        skipped = lee.append("step.skipped", "backup", {"note": "not needed"}, seen=done.id)
        assert lee.state().step("backup").event_id == skipped.id
        # Another subject is not affected by what was seen of this one.
        lee.append("check.ticked", "pre_deployment/a", seen=None)
