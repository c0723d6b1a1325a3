"""The projection kept incrementally equals a from-scratch fold, whatever the insertion order."""

import random
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ManualClock

from warroom.store import Ledger
from warroom.store.schema import EVENT_COLUMNS
from warroom.store.state import fold


def copy_events(source: Path, target: Path, *, order=None, seed=None):
    """Test-only stand-in for a sync import: copy raw event rows into another ledger file in a
    chosen order, then let the target rebuild its projection."""
    with sqlite3.connect(source) as conn:
        rows = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events").fetchall()
    if order == "reversed":
        rows.reverse()
    elif seed is not None:
        random.Random(seed).shuffle(rows)
    conn = sqlite3.connect(target)
    with conn:
        conn.executemany(f"INSERT OR IGNORE INTO events VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", rows)
    conn.close()


def test_rebuild_equals_incremental(ledger):
    for i in range(30):
        ledger.append(["step.started", "step.done", "step.failed", "step.reopened", "step.skipped"][i % 5],
                      f"step-{i % 7}", {"note": f"n{i}"} if i % 3 else None)
        ledger.append(["check.ticked", "check.unticked"][i % 2], f"pre/{i % 4}")
        if i % 4 == 0:
            ledger.append("note.added", f"step-{i % 7}", {"text": f"note {i}"})
    state, digest = ledger.state(), ledger.state_hash()
    ledger.rebuild()
    assert (ledger.state(), ledger.state_hash()) == (state, digest)


def test_rebuild_repairs_a_damaged_projection(ledger, db_path):
    ledger.append("step.done", "backup")
    ledger.append("note.added", "", {"text": "x"})
    digest = ledger.state_hash()
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM step_state")
        conn.execute("UPDATE notes SET text = 'y'")
    assert ledger.state_hash() != digest
    ledger.rebuild()
    assert ledger.state_hash() == digest


def test_open_rebuilds_a_projection_made_by_other_fold_rules(open_ledger, db_path):
    with open_ledger() as ledger:
        ledger.append("step.done", "backup")
        digest = ledger.state_hash()
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM step_state")
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'projection'")
    with open_ledger() as ledger:
        assert ledger.state_hash() == digest
        assert ledger.state().step("backup").status == "done"


def two_laptops(open_ledger, clock, folder):
    """Two operators on separate files whose clocks collide, writing on the same subjects."""
    ana = open_ledger("ana", path=folder / "ana.sqlite", node="n1")
    lee = open_ledger("lee", path=folder / "lee.sqlite", node="n2")
    start = clock.ms
    for i in range(40):
        clock.ms = start + (i // 3) * 1000  # both files restart their clocks at the same instants
        ana.append(["step.started", "step.done", "step.failed"][i % 3], f"s{i % 4}", {"note": f"a{i}"})
        lee.append(["step.skipped", "step.reopened", "step.done"][i % 3], f"s{i % 4}", {"note": f"l{i}"})
        ana.append(["check.ticked", "check.unticked"][i % 2], f"c{i % 3}")
        lee.append(["check.unticked", "check.ticked"][i % 2], f"c{i % 3}")
        if i % 5 == 0:
            ana.append("note.added", "", {"text": f"a{i}"})
            lee.append("note.added", "", {"text": f"l{i}"})
    ana_hlcs = {e.hlc for e in ana.events()}
    assert ana_hlcs & {e.hlc for e in lee.events()}, "the test needs clock ties between operators"
    ana.close()
    lee.close()
    return folder / "ana.sqlite", folder / "lee.sqlite"


def test_same_events_in_different_order_give_the_same_state_hash(open_ledger, clock, tmp_path):
    ana_file, lee_file = two_laptops(open_ledger, clock, tmp_path)
    hashes, states = [], []
    for name, steps in [
        ("x", [(ana_file, {}), (lee_file, {})]),
        ("y", [(lee_file, {"order": "reversed"}), (ana_file, {"order": "reversed"})]),
        ("z", [(ana_file, {"seed": 1}), (lee_file, {"seed": 2}), (ana_file, {"seed": 3})]),
    ]:
        target = tmp_path / f"{name}.sqlite"
        open_ledger("zoe", path=target, node="n3").close()  # creates the schema
        for source, how in steps:
            copy_events(source, target, **how)
        with open_ledger("zoe", path=target, node="n3") as ledger:
            ledger.rebuild()
            hashes.append(ledger.state_hash())
            states.append(ledger.state())
            assert ledger.event_count() == 40 * 4 + 8 * 2
            assert ledger.state() == fold(ledger.events())
    assert len(set(hashes)) == 1
    assert states[0] == states[1] == states[2]


def test_a_clock_tie_is_broken_by_operator(open_ledger, clock, tmp_path):
    ana_file, lee_file = two_laptops(open_ledger, clock, tmp_path)
    target = tmp_path / "t.sqlite"
    open_ledger("zoe", path=target, node="n3").close()
    copy_events(lee_file, target)
    copy_events(ana_file, target)
    with open_ledger("zoe", path=target, node="n3") as ledger:
        ledger.rebuild()
        events = ledger.events()
        for subject, state in ledger.state().steps.items():
            last = [e for e in events if e.subject == subject and e.kind.startswith("step.")][-1]
            assert (state.hlc, state.by) == (last.hlc, last.operator)
        tied = [(a, b) for a, b in zip(events, events[1:], strict=False) if a.hlc == b.hlc]
        assert tied and all((a.operator, a.id) < (b.operator, b.id) for a, b in tied)


STEP_KINDS = ["step.started", "step.done", "step.failed", "step.skipped", "step.reopened"]
actions = st.lists(
    st.tuples(
        st.integers(0, 3),  # which writer: (ana|lee) x (live|rehearsal-1)
        st.sampled_from(STEP_KINDS + ["check.ticked", "check.unticked", "note.added"]),
        st.sampled_from(["backup", "deploy-app", "smoke"]),
        st.one_of(st.none(), st.text(max_size=8)),  # a note, or none
        st.integers(-3_000, 3_000),  # how the shared wall clock moves before the action
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_random_histories_rebuild_to_the_same_projection(script):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.sqlite"
        clock = ManualClock()  # a fixture would last across examples
        writers = [
            Ledger.open(path, "billing", operator, run=run, node=f"n-{operator}", clock=clock,
                        runbook_sha256="abc" if operator == "ana" else "")
            for operator in ("ana", "lee") for run in ("live", "rehearsal-1")
        ]
        try:
            for who, kind, subject, note, jump in script:
                clock.ms += jump
                if kind == "note.added":
                    body = {"text": (note or "").strip() or "-"}
                else:
                    body = None if note is None else {"note": note}
                writers[who].append(kind, subject if not kind.startswith("check.") else f"pre/{subject}", body)
            incremental = writers[0].state_hash()
            states = {w.run: w.state() for w in writers}
            writers[3].rebuild()
            assert writers[0].state_hash() == incremental
            for writer in writers:
                assert writer.state() == states[writer.run] == fold(writer.events())
        finally:
            for writer in writers:
                writer.close()
