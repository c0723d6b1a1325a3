"""Sync rounds end to end on real ledgers and real exports (a folder, a bare git repository):
convergence with conflicts marked, tampering refused and shown, untrusted keys quarantined and
released, the export failing and coming back, kills in the middle of publishing."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from warroom.runbook.model import TeamMember
from warroom.store import Ledger
from warroom.sync.export import open_export
from warroom.sync.keys import DeviceKey, device_key
from warroom.sync.round import Syncer
from warroom.sync.trust import Trust

START_MS = 1_800_000_000_000


class Clock:
    def __init__(self, skew_ms: int = 0) -> None:
        self.now = START_MS + skew_ms

    def __call__(self) -> int:
        return self.now


@dataclass
class Operator:
    name: str
    ledger: Ledger
    key: DeviceKey
    clock: Clock
    syncer: Syncer | None = None

    def sync(self):
        assert self.syncer is not None
        return self.syncer.round()


def git_bare(tmp_path: Path) -> str:
    path = tmp_path / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return str(path)


def folder(tmp_path: Path) -> str:
    path = tmp_path / "share"
    path.mkdir()
    return str(path)


@pytest.fixture(params=["folder", "git"])
def spec(request, tmp_path):
    return folder(tmp_path) if request.param == "folder" else git_bare(tmp_path)


def team(tmp_path: Path, spec: str, names=("ana", "bob"), *, trusted=None, skews=None) -> list[Operator]:
    """Operators with their own ledger, key and clock, syncing through `spec`; `trusted` names
    whose keys are in everyone's team (all by default)."""
    people = []
    for name in names:
        clock = Clock((skews or {}).get(name, 0))
        ledger = Ledger.open(tmp_path / f"{name}.sqlite", "billing", name, node=f"node-{name}", clock=clock)
        people.append(Operator(name, ledger, device_key(tmp_path / f"keys-{name}"), clock))
    trusted = names if trusted is None else trusted
    members = [TeamMember("Engineer", p.name, keys=(p.key.public,)) for p in people if p.name in trusted]
    for p in people:
        export = open_export(spec, tmp_path / f"cache-{p.name}")
        p.syncer = Syncer(p.ledger, export, p.key, Trust.build(members, [], p.key.public), wall=lambda: 1000.0)
    return people


def tick(people, ms=1000):
    for p in people:
        p.clock.now += ms


def test_two_operators_offline_converge_with_the_conflict_marked(tmp_path, spec):
    ana, bob = team(tmp_path, spec)
    ana.ledger.append("step.started", "backup")
    ana.sync()
    bob.sync()
    tick([ana, bob])
    ana.ledger.append("step.done", "backup", {"note": "4 GB"})  # both offline: each saw only the start
    bob.clock.now += 500
    bob.ledger.append("step.failed", "backup", {"note": "dump failed"})
    ana.ledger.append("note.added", "", {"text": "ana was here"})
    bob.ledger.append("check.ticked", "pre-1")
    for p in (ana, bob, ana):
        report = p.sync()
        assert report.ok and not report.problems
    assert ana.ledger.state_hash() == bob.ledger.state_hash()
    for p in (ana, bob):
        step = p.ledger.state().step("backup")
        assert step.status == "failed" and step.by == "bob"
        assert [(d.by, d.what) for d in step.conflict] == [("ana", "done")]
        assert {n.text for n in p.ledger.state().notes} == {"ana was here"}
        assert p.ledger.state().check("pre-1").ticked
    tick([ana, bob])
    ana.ledger.append("step.conflict_resolved", "backup")
    ana.sync()
    bob.sync()
    assert bob.ledger.state().step("backup").conflict == ()
    assert ana.ledger.state_hash() == bob.ledger.state_hash()


def test_three_writers_with_skewed_clocks_converge(tmp_path, spec):
    people = team(tmp_path, spec, ("ana", "bob", "cy"), skews={"bob": -3_600_000, "cy": 3_600_000})
    for round_no in range(3):
        for i, p in enumerate(people):
            tick(people, 700)
            p.ledger.append("step.started" if round_no % 2 else "step.done", f"s{(round_no + i) % 2}")
            p.ledger.append("note.added", "", {"text": f"{p.name} {round_no}"})
        people[round_no % 3].sync()
    for _ in range(2):
        for p in people:
            assert p.sync().ok
    assert len({p.ledger.state_hash() for p in people}) == 1
    assert len({p.ledger.event_count() for p in people}) == 1
    cy_ahead = people[0].ledger.clock_flags()
    assert cy_ahead and all(ms > 10 * 60 * 1000 for ms in cy_ahead.values())  # cy's clock flagged on ana's side


def test_a_second_round_reads_nothing_new_and_publishes_nothing_twice(tmp_path):
    ana, bob = team(tmp_path, folder(tmp_path))
    ana.ledger.append("step.started", "backup")
    first = ana.sync()
    assert first.exported == 1  # no runbook.loaded before it: these ledgers are opened without a runbook
    again = ana.sync()
    assert (again.exported, again.segments_read) == (0, 0)
    bob.sync()
    assert bob.sync().segments_read == 0
    assert bob.syncer.status().waiting == 0 and [p.operator for p in bob.syncer.status().peers] == ["ana"]


def segment_files(spec: str) -> list[Path]:
    return sorted(Path(spec).rglob("*.jsonl"))


def test_a_tampered_segment_is_refused_whole_and_reported(tmp_path):
    spec = folder(tmp_path)
    ana, bob = team(tmp_path, spec)
    for i in range(5):
        ana.ledger.append("note.added", "", {"text": f"note {i}"})
    ana.sync()
    [path] = segment_files(spec)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    before = bob.ledger.state_hash()
    report = bob.sync()
    assert report.ok and len(report.problems) == 1
    assert path.name in report.problems[0].path and report.problems[0].reason
    assert bob.ledger.event_count() == 0 and bob.ledger.state_hash() == before
    assert bob.syncer.status().rejected == 1


def test_a_segment_replayed_from_another_deployment_is_refused(tmp_path):
    spec = folder(tmp_path)
    ana, bob = team(tmp_path, spec)
    ana.ledger.append("note.added", "", {"text": "billing"})
    ana.sync()
    [path] = segment_files(spec)
    foreign = Path(spec) / "warroom" / "payroll" / "writers" / path.parent.name
    foreign.mkdir(parents=True)
    (foreign / path.name).write_bytes(path.read_bytes())
    other = Ledger.open(tmp_path / "payroll.sqlite", "payroll", "bob", node="node-bob", clock=bob.clock)
    syncer = bob.syncer.on(other)
    report = syncer.round()
    assert len(report.problems) == 1 and "billing" in report.problems[0].reason
    assert other.event_count() == 0
    other.close()


def test_an_untrusted_key_is_quarantined_then_released_when_trusted(tmp_path):
    spec = folder(tmp_path)
    ana, eve = team(tmp_path, spec, ("ana", "eve"), trusted=("ana",))
    eve.ledger.append("step.done", "backup")
    eve.sync()
    report = ana.sync()
    assert report.quarantined == 1 and ana.ledger.event_count() == 0
    assert not report.problems[0].alarm and report.problems[0].operator == "eve"
    assert ana.syncer.status().quarantined == 1
    assert ana.sync().quarantined == 0  # counted once, not read again
    trust = Trust.build([TeamMember("Engineer", "eve", keys=(eve.key.public,))], [], ana.key.public)
    assert ana.syncer.retrust(trust) == 1
    assert ana.ledger.state().step("backup").status == "done"
    assert ana.syncer.status().quarantined == 0


def test_a_known_operator_with_an_unknown_key_is_an_alarm(tmp_path):
    spec = folder(tmp_path)
    ana, bob = team(tmp_path, spec)
    impostor = Ledger.open(tmp_path / "impostor.sqlite", "billing", "bob", node="node-x", clock=Clock())
    key = device_key(tmp_path / "keys-impostor")
    Syncer(impostor, open_export(spec, tmp_path / "cache-x"), key, ana.syncer.trust).round()
    impostor.append("step.done", "backup")
    Syncer(impostor, open_export(spec, tmp_path / "cache-x"), key, ana.syncer.trust).round()
    report = ana.sync()
    assert report.problems and all(p.alarm for p in report.problems)
    assert "bob" in report.problems[0].reason
    assert ana.ledger.event_count() == 0
    assert ana.syncer.status().alarms
    impostor.close()


def test_a_missing_then_full_export_fails_the_round_and_sync_resumes(tmp_path, monkeypatch):
    share = tmp_path / "share"
    ana, _bob = team(tmp_path, str(share))  # not created yet: the drive is not mounted
    ana.ledger.append("step.started", "backup")
    report = ana.sync()
    assert not report.ok and "share" in report.error
    assert ana.syncer.status().unreachable_since == 1000.0 and ana.syncer.status().waiting == 1
    share.mkdir()
    real_rename = os.rename

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "rename", full)
    report = ana.sync()
    assert not report.ok and "space" in report.error.lower()
    assert not list(share.rglob("*.tmp")) and not list(share.rglob("*.jsonl"))
    monkeypatch.setattr(os, "rename", real_rename)
    assert ana.sync().exported == 1
    status = ana.syncer.status()
    assert status.error is None and status.unreachable_since is None and status.waiting == 0


KILLED_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from warroom.store import Ledger
    from warroom.sync.export import open_export
    from warroom.sync.keys import device_key
    from warroom.sync.round import Syncer
    from warroom.sync.trust import Trust
    db, share, keys, cache = sys.argv[1:5]
    ledger = Ledger.open(db, "billing", "ana", node="node-ana")
    key = device_key(Path(keys))
    syncer = Syncer(ledger, open_export(share, Path(cache)), key, Trust.build((), [], key.public))
    print("ready", flush=True)
    while True:
        ledger.append("note.added", "", {"text": "x" * 2000})
        syncer.round()
""")


def test_kills_in_the_middle_of_publishing_leave_only_whole_segments_and_no_duplicates(tmp_path):
    share = Path(folder(tmp_path))
    args = [sys.executable, "-c", KILLED_WRITER, str(tmp_path / "ana.sqlite"), str(share), str(tmp_path / "keys-ana"),
            str(tmp_path / "cache-ana")]
    for kill in range(6):
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        try:
            process.wait(timeout=0.2 + 0.15 * kill)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
    key = device_key(tmp_path / "keys-ana")
    ledger = Ledger.open(tmp_path / "ana.sqlite", "billing", "ana", node="node-ana")
    Syncer(ledger, open_export(str(share), tmp_path / "cache-ana"), key, Trust.build((), [], key.public)).round()
    reader = Ledger.open(tmp_path / "bob.sqlite", "billing", "bob", node="node-bob")
    report = Syncer(reader, open_export(str(share), tmp_path / "cache-bob"), device_key(tmp_path / "keys-bob"),
                    Trust.build([TeamMember("E", "ana", keys=(key.public,))], [], "")).round()
    assert not report.problems  # every file there is whole and verifies
    ranges = sorted(tuple(map(int, path.name.split("-")[:2])) for path in share.rglob("*.jsonl"))
    assert ranges[0][0] == 1 and all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:], strict=False))  # no overlap
    assert reader.event_count() == ledger.event_count() == ranges[-1][1]
    reader.close()
    ledger.close()


TWO_PROCESSES = textwrap.dedent("""
    import sys
    from pathlib import Path
    from warroom.store import Ledger
    from warroom.sync.export import open_export
    from warroom.sync.keys import device_key
    from warroom.sync.round import Syncer
    from warroom.sync.trust import Trust
    db, share, keys, cache, operator = sys.argv[1:6]
    ledger = Ledger.open(db, "billing", operator, node="node-shared")
    key = device_key(Path(keys))
    syncer = Syncer(ledger, open_export(share, Path(cache)), key, Trust.build((), [], key.public))
    for i in range(40):
        ledger.append("note.added", "", {"text": operator + str(i)})
        syncer.round()
""")


def test_two_processes_on_one_database_and_one_export_duplicate_nothing(tmp_path):
    share = Path(folder(tmp_path))
    args = [str(tmp_path / "shared.sqlite"), str(share), str(tmp_path / "keys"), str(tmp_path / "cache")]
    Ledger.open(tmp_path / "shared.sqlite", "billing", "setup", node="node-shared").close()
    processes = [subprocess.Popen([sys.executable, "-c", TWO_PROCESSES, *args, name], stderr=subprocess.PIPE, text=True)
                 for name in ("ana", "lee")]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    names = [path.name for path in share.rglob("*.jsonl")]
    by_writer: dict[str, list[tuple[int, int]]] = {}
    for path in share.rglob("*.jsonl"):
        first, last = map(int, path.name.split("-")[:2])
        by_writer.setdefault(path.parent.name, []).append((first, last))
    assert len(by_writer) == 2 and len(names) == len(set(names))
    for ranges in by_writer.values():
        ranges.sort()
        assert ranges[0][0] == 1 and ranges[-1][1] == 40
        assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:], strict=False))  # each event published once


def test_a_gap_in_a_writers_events_is_shown(tmp_path):
    from datetime import UTC, datetime

    from warroom.tui.quarantine import status_lines

    spec = folder(tmp_path)
    ana, bob = team(tmp_path, spec)
    ana.ledger.append("note.added", "", {"text": "one"})
    ana.ledger.append("note.added", "", {"text": "two"})
    ana.sync()
    ana.ledger.append("note.added", "", {"text": "three"})
    ana.sync()
    first_segment = min(segment_files(spec), key=lambda path: int(path.name.split("-")[0]))
    first_segment.unlink()  # lost on the way (a sync tool that has not copied it yet)
    bob.sync()
    [peer] = bob.syncer.status().peers
    assert (peer.operator, peer.last, peer.missing) == ("ana", 3, 2)
    lines = status_lines(bob.syncer.status(), UTC, datetime(2027, 1, 15, tzinfo=UTC))
    assert any("Peer ana" in line and "2 missing (a gap)" in line for line in lines)


def test_a_key_signing_as_another_operator_is_an_alarm(tmp_path):
    spec = folder(tmp_path)
    ana, bob, cy = team(tmp_path, spec, ("ana", "bob", "cy"))
    forged = Ledger.open(tmp_path / "forged.sqlite", "billing", "ana", node="node-bob", clock=Clock())
    forged.append("step.done", "backup")  # bob's device and key, writing as ana
    Syncer(forged, open_export(spec, tmp_path / "cache-f"), bob.key, bob.syncer.trust).round()
    report = cy.sync()
    assert report.problems and report.problems[0].alarm
    assert "bob" in report.problems[0].reason and "ana" in report.problems[0].reason
    assert cy.ledger.event_count() == 0
    forged.close()
