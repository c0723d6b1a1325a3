"""A big deployment to measure against: a 500-step runbook and a ledger of 100,000 events."""

from __future__ import annotations

import random
from pathlib import Path

from warroom.runbook import load
from warroom.runbook.model import Runbook
from warroom.store import Ledger

STEPS = 500
EVENTS = 100_000
PHASES = ("Preparation", "Freeze", "Deployment", "Migration", "Validation", "Go-live", "Hypercare", "Wrap-up")


def write_runbook(path: Path, steps: int = STEPS) -> Path:
    lines = [
        "id: bench-cutover",
        "title: Benchmark cutover with many steps",
        "version: 1",
        "window: {start: 2026-11-28T06:00+01:00, end: 2026-11-29T06:00+01:00, rollback_deadline: 18:00}",
        "team:",
        "  - {role: Deployment Lead, name: Ana Ruiz}",
        "  - {role: DevOps, name: Sam Lee}",
        "checklists:",
        "  pre_deployment: [Change request approved, War room prepared, Rollback plan ready]",
        "  go_no_go: {functional: [UAT passed], technical: [Backups configured], operational: [On-call set],"
        " business: [Users notified], governance: [Window approved]}",
        "  post_deployment: [Smoke test passed, Monitoring active]",
        "smoke_tests: [Login works, Checkout completes]",
        "steps:",
    ]
    for number in range(steps):
        phase = PHASES[number * len(PHASES) // steps]
        lines += [
            f"  - id: step-{number:03d}",
            f"    title: Benchmark step number {number}",
            f"    phase: {phase}",
            f"    owner: {'DevOps' if number % 2 else 'Deployment Lead'}",
            "    duration: 2m",
            f"    command: ./deploy.sh part-{number}",
            f"    rollback: ./deploy.sh --undo part-{number}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_ledger(runbook: Runbook, db: Path, events: int = EVENTS, run: str = "live") -> Path:
    """Many operators' worth of history: steps started, done, reopened, checks ticked and notes."""
    rng = random.Random(7)
    kinds = ("step.started", "step.done", "step.reopened", "check.ticked", "check.unticked", "note.added")
    items = [item.id for item in runbook.items]
    with Ledger.open(db, runbook.id, "bench", run=run, runbook_sha256=runbook.sha256) as ledger:
        batch = []
        for number in range(events):
            kind = kinds[rng.randrange(len(kinds))]
            if kind.startswith("check."):
                batch.append((kind, items[rng.randrange(len(items))], None))
            elif kind == "note.added":
                batch.append((kind, "", {"text": f"note {number}"}))
            else:
                batch.append((kind, f"step-{rng.randrange(len(runbook.steps)):03d}", None))
            if len(batch) == 10_000:
                ledger._append_many(batch)  # bench set-up only: one transaction per batch
                batch = []
        if batch:
            ledger._append_many(batch)
        # Leave the first steps pending so `d` has something to do.
        for step in runbook.steps[:50]:
            if ledger.state().step(step.id).status != "pending":
                ledger.append("step.reopened", step.id)
    return db


def build(folder: Path) -> tuple[Path, Path]:
    runbook_path = write_runbook(folder / "bench-cutover.yaml")
    db = write_ledger(load(runbook_path), folder / "bench-cutover.sqlite")
    return runbook_path, db
