"""Sync's three figures (issue 9), each beside the same work done with raw sqlite3 in the same run:

- import 100,000 events from 10 writers through a folder export (list, read, verify signatures,
  hashes and chains, insert, fold), against json-parsing the same lines and inserting them into a
  bare table (target <= 2 s);
- an incremental round: 10 new events over 100,000 known (target <= 50 ms), against inserting 10 rows;
- rebuilding the projection of 100,000 events (target <= 1 s), against reading every event row
  and parsing its body.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from pathlib import Path

from bench import scale
from warroom.store import Ledger
from warroom.sync.export import open_export
from warroom.sync.keys import device_key
from warroom.sync.round import Syncer
from warroom.sync.trust import Trust

DEPLOYMENT = "bench"
WRITERS = 10
EVENTS = scale.pick(100_000, 500)
START_MS = 1_800_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = START_MS

    def __call__(self) -> int:
        return self.now


def make_writers(folder: Path) -> list[tuple[Ledger, Syncer]]:
    """WRITERS ledgers, each with its own key, interleaving their events in time. Each works on steps
    and items of its own, but 1% of its step changes touch a step every writer touches, unseen by
    the others (concurrent changes: conflicts)."""
    export_dir = folder / "export"
    export_dir.mkdir()
    clock = Clock()
    writers = []
    for i in range(WRITERS):
        key = device_key(folder / f"keys-{i}")
        ledger = Ledger.open(folder / f"w{i}.sqlite", DEPLOYMENT, f"op{i}", node=f"node{i:02d}", clock=clock)
        writers.append((ledger, key))
    trust = Trust.build((), [(f"op{i}", key.public) for i, (_, key) in enumerate(writers)], "")
    per_writer = EVENTS // WRITERS
    batch = 500
    for start in range(0, per_writer, batch):
        for i, (ledger, _) in enumerate(writers):
            clock.now += 7
            items = []
            for n in range(start, min(start + batch, per_writer)):
                if n % 4 == 0:
                    items.append(("note.added", "", {"text": f"writer {i} note {n} " + "x" * 60}))
                elif n % 4 == 1:
                    shared = n % 100 == 1
                    step = f"step-{n % 50}" if shared else f"step-{i}-{n % 50}"
                    items.append(("step.started" if n % 8 == 1 else "step.done", step, None))
                else:
                    items.append(("check.ticked" if n % 3 else "check.unticked", f"item-{i}-{n % 30}", None))
            ledger._append_many(items)  # one transaction per batch: building the fixture fast
    syncers = []
    for ledger, key in writers:
        syncer = Syncer(ledger, open_export(str(export_dir), folder / "cache"), key, trust)
        syncer.round()
        syncers.append((ledger, syncer))
    return syncers


def raw_import(folder: Path, export_dir: Path) -> float:
    """Baseline: parse every event line of every segment and insert the rows into a bare table."""
    conn = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    conn.execute("CREATE TABLE events (id TEXT PRIMARY KEY, operator TEXT, seq INT, hlc INT, kind TEXT, "
                 "subject TEXT, body TEXT)")
    started = time.perf_counter()
    for path in sorted(export_dir.rglob("*.jsonl")):
        lines = path.read_bytes().splitlines()[1:-1]
        rows = []
        for line in lines:
            event = json.loads(line)
            rows.append((event["id"], event["operator"], event["seq"], event["hlc"], event["kind"], event["subject"],
                         json.dumps(event["body"])))
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def raw_rebuild(path: Path) -> float:
    """Baseline: read every event row and parse its body, as a refold must at least do."""
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    count = sum(1 for _ in (json.loads(body) for (body,) in conn.execute("SELECT body FROM events ORDER BY hlc")))
    elapsed = time.perf_counter() - started
    conn.close()
    assert count >= EVENTS
    return elapsed


def raw_insert_ten(path: Path) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE IF NOT EXISTS few (id TEXT PRIMARY KEY, body TEXT)")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO few VALUES (?, ?)", [(f"id-{i}-{time.time_ns()}", "{}") for i in range(10)])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="warroom-bench-sync-") as name:
        folder = Path(name)
        writers = make_writers(folder)
        reader_key = device_key(folder / "keys-reader")
        trust = writers[0][1].trust
        reader = Ledger.open(folder / "reader.sqlite", DEPLOYMENT, "reader", node="reader", clock=Clock())
        syncer = Syncer(reader, open_export(str(folder / "export"), folder / "cache"), reader_key, trust)
        started = time.perf_counter()
        first = syncer.round()
        import_s = time.perf_counter() - started
        assert first.imported == EVENTS, first
        raw_import_s = raw_import(folder, folder / "export")
        # incremental: one writer adds 10 events and publishes them; the reader's round reads only those
        ledger, writer_syncer = writers[1]
        for n in range(10):
            ledger.append("note.added", "", {"text": f"late {n}"})
        writer_syncer.round()
        started = time.perf_counter()
        second = syncer.round()
        incremental_s = time.perf_counter() - started
        assert second.imported == 10, second
        raw_ten_s = raw_insert_ten(folder / "raw.sqlite")
        started = time.perf_counter()
        reader.rebuild()
        rebuild_s = time.perf_counter() - started
        raw_rebuild_s = raw_rebuild(reader.path)
        reader.close()
        for ledger, _ in writers:
            ledger.close()
    return {"import_s": import_s, "raw_import_s": raw_import_s, "incremental_ms": incremental_s * 1000,
            "raw_ten_ms": raw_ten_s * 1000, "rebuild_s": rebuild_s, "raw_rebuild_s": raw_rebuild_s}


def report(figures: dict[str, float]) -> str:
    return "\n".join([
        f"sync: import {EVENTS:,} events from {WRITERS} writers through a folder export: {figures['import_s']:.2f} s "
        f"(target <= 2 s); raw sqlite3 parse+insert {figures['raw_import_s']:.2f} s, "
        f"ratio {figures['import_s'] / figures['raw_import_s']:.1f}",
        f"sync: incremental round, 10 new events over {EVENTS:,} known: {figures['incremental_ms']:.1f} ms "
        f"(target <= 50 ms); raw sqlite3 insert of 10 rows {figures['raw_ten_ms']:.2f} ms, "
        f"ratio {figures['incremental_ms'] / figures['raw_ten_ms']:.1f}",
        f"sync: projection rebuild of {EVENTS:,} events: {figures['rebuild_s']:.2f} s (target <= 1 s); "
        f"raw sqlite3 read+parse {figures['raw_rebuild_s']:.2f} s, "
        f"ratio {figures['rebuild_s'] / figures['raw_rebuild_s']:.1f}",
    ])


def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
