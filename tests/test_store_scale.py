"""A long day: 100,000 events on 500 steps. Correctness only; bench/ measures speed."""

import pytest

from warroom.store import Ledger
from warroom.store.state import fold

STEP_KINDS = ["step.started", "step.done", "step.failed", "step.reopened", "step.skipped"]


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "billing.sqlite"
    ledger = Ledger.open(path, "billing", "ana", node="n1", runbook_sha256="abc")
    batch, step_events = [], 0
    for i in range(100_000):
        if i % 10 == 9:
            batch.append(("check.ticked" if i % 20 == 9 else "check.unticked", f"pre/{(i // 10) % 40}", None))
        elif i % 1000 == 500:
            batch.append(("note.added", f"step-{i % 500}", {"text": f"note {i}"}))
        else:
            batch.append((STEP_KINDS[(step_events // 500) % 5], f"step-{step_events % 500}", {"note": str(i)} if i % 100 == 0 else None))
            step_events += 1
    ledger._append_many(batch)  # one transaction: this test is about size, not fsync
    yield ledger
    ledger.close()


def test_state_and_newest_events_on_a_big_ledger(big_ledger):
    assert big_ledger.event_count() == 100_001  # with the runbook.loaded event
    newest = big_ledger.events(limit=100, newest_first=True)
    assert len(newest) == 100
    assert [e.seq for e in newest] == list(range(100_001, 99_901, -1))
    state = big_ledger.state()
    assert len(state.steps) == 500 and len(state.checks) == 40 and len(state.notes) == 100
    assert state == fold(big_ledger.events())
    assert big_ledger.events(subject="step-7", limit=3, newest_first=True)[0].subject == "step-7"


def test_rebuild_of_a_big_ledger_changes_nothing(big_ledger):
    before = big_ledger.state_hash()
    big_ledger.rebuild()
    assert big_ledger.state_hash() == before
