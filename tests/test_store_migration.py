"""A ledger written by an older release opens in this one: every event kept, the same state hash.

`tests/fixtures/ledger-v1.sqlite` was written by release 0.1.0 (schema 1) before the store was
reshaped; `ledger-v1.json` holds what that release reported for it. Never regenerate them: every
later release must open this file and fold it to the same hash.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from warroom.store import Ledger
from warroom.store.schema import SCHEMA_VERSION

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "ledger-v1.json").read_text())


@pytest.fixture
def old_ledger(tmp_path) -> Path:
    path = tmp_path / "web-cutover.sqlite"
    shutil.copyfile(FIXTURES / "ledger-v1.sqlite", path)
    return path


def meta(path: Path, key: str) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]


def test_the_fixture_is_what_release_0_1_wrote(old_ledger):
    assert meta(old_ledger, "schema") == "1"


def test_a_schema_1_ledger_opens_with_every_event_and_the_same_state_hash(old_ledger):
    with Ledger.open(old_ledger, "web-cutover", "ana", run="live") as ledger:
        assert ledger.state_hash() == EXPECTED["state_hash"]
        state = ledger.state()
        assert {k: v.status for k, v in state.steps.items()} == EXPECTED["live_steps"]
        assert {k: v.ticked for k, v in state.checks.items()} == EXPECTED["live_checks"]
        assert [n.text for n in state.notes] == EXPECTED["live_notes"]
        with sqlite3.connect(old_ledger) as conn:
            assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == EXPECTED["events"]
        for event in ledger.events():
            assert event.verify()
    assert meta(old_ledger, "schema") == str(SCHEMA_VERSION)


def test_the_migration_moves_probe_samples_out_of_the_ledger_file(old_ledger):
    with Ledger.open(old_ledger, "web-cutover", "ana") as ledger:
        samples = ledger.recent_samples("web")
    assert [s.state for s in samples] == ["DEGRADED", "UP"]
    assert samples[0].reason == "[RESPONSE_TIME] (612) < 500"
    with sqlite3.connect(old_ledger) as conn:
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'probe_samples'").fetchall()


def test_a_migrated_ledger_reopens_unchanged_and_takes_new_events(old_ledger):
    with Ledger.open(old_ledger, "web-cutover", "lee") as ledger:
        ledger.append("step.started", "deploy-green")
    with Ledger.open(old_ledger, "web-cutover", "lee") as ledger:
        assert ledger.state().step("deploy-green").status == "in_progress"
        assert len(ledger.recent_samples("web")) == 2  # copied once, not again


def test_probe_changes_of_the_old_ledger_fold_into_probe_state(old_ledger):
    with Ledger.open(old_ledger, "web-cutover", "ana") as ledger:
        observation = ledger.state().probes[("web", "node-ana")]
    assert observation.state == "UP" and observation.failed_condition is None
