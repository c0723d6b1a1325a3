"""A big deployment to measure against: a 500-step runbook that keeps the web-cutover sample's
probes, and a ledger of 100,000 events. `python -m bench` and the start-up benches build it.

The probes are the sample's own (web, api, db, host-cpu), pointed at a DemoService that the bench
starts on 127.0.0.1: the app runs them as it would on the day, and no traffic leaves the machine.
"""

from __future__ import annotations

import random
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bench.scale import pick
from warroom.runbook import load
from warroom.runbook.model import Runbook
from warroom.store import Ledger
from warroom.tui.demo_service import HOST, SAMPLE_HTTP_PORT, SAMPLE_TCP_PORT, DemoService

PHASES = ("Preparation", "Freeze", "Deployment", "Migration", "Validation", "Go-live", "Hypercare", "Wrap-up")
PROBE_EVERY = 25  # every 25th step validates with the sample's probes, as the sample's steps do
RUNBOOK_ID = "bench-cutover"
FIRST_TITLE = "Benchmark step number 0"  # what the start-up benches wait for on screen


def steps() -> int:
    return pick(500, 10)


def events() -> int:
    return pick(100_000, 200)


def sample_probes(service: DemoService) -> list[dict]:
    """The web-cutover sample's probes, their 127.0.0.1:8080 and :5432 targets moved to `service`."""
    sample = yaml.safe_load((files("warroom.sample_runbooks") / "web-cutover.yaml").read_text())
    moved = {f"{HOST}:{SAMPLE_HTTP_PORT}": f"{HOST}:{service.http_port}",
             f"{HOST}:{SAMPLE_TCP_PORT}": f"{HOST}:{service.tcp_port}"}
    probes = []
    for probe in sample["probes"]:
        for kind in ("http", "tcp"):
            if kind in probe:
                for old, new in moved.items():
                    probe[kind] = probe[kind].replace(old, new)
                _check_loopback(probe["name"], kind, probe[kind])
        probes.append(probe)
    return probes


def _check_loopback(name: str, kind: str, target: str) -> None:
    """The bench never sends traffic off the machine, whatever the sample comes to say."""
    host = urlsplit(target).hostname if kind == "http" else target.rsplit(":", 1)[0]
    if host != HOST:
        raise ValueError(f"probe '{name}' targets {target}, not {HOST}: the bench only probes loopback")


def write_runbook(path: Path, probes: list[dict], count: int | None = None) -> Path:
    count = steps() if count is None else count
    probe_names = [probe["name"] for probe in probes]
    lines = [
        f"id: {RUNBOOK_ID}",
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
    for number in range(count):
        phase = PHASES[number * len(PHASES) // count]
        lines += [
            f"  - id: step-{number:03d}",
            f"    title: Benchmark step number {number}",
            f"    phase: {phase}",
            f"    owner: {'DevOps' if number % 2 else 'Deployment Lead'}",
            "    duration: 2m",
            f"    command: ./deploy.sh part-{number}",
            f"    rollback: ./deploy.sh --undo part-{number}",
        ]
        if probe_names and number % PROBE_EVERY == PROBE_EVERY - 1:
            lines.append(f"    validate: [{', '.join(f'probe: {name}' for name in probe_names[:2])}]")
    text = "\n".join(lines) + "\n"
    if probes:
        text += yaml.safe_dump({"probes": probes}, default_flow_style=None, sort_keys=False, width=200)
    path.write_text(text)
    return path


def write_ledger(runbook: Runbook, db: Path, count: int | None = None, run: str = "live") -> Path:
    """Many operators' worth of history: steps started, done, reopened, checks ticked and notes."""
    count = events() if count is None else count
    rng = random.Random(7)
    kinds = ("step.started", "step.done", "step.reopened", "check.ticked", "check.unticked", "note.added")
    items = [item.id for item in runbook.items]
    with Ledger.open(db, runbook.id, "bench", run=run, runbook_sha256=runbook.sha256) as ledger:
        batch = []
        for number in range(count):
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
        state = ledger.state()
        for step in runbook.steps[:50]:
            if state.step(step.id).status != "pending":
                ledger.append("step.reopened", step.id)
    return db


def build(folder: Path, service: DemoService) -> tuple[Path, Path]:
    """The runbook (probes on `service`, which must be running) and its ledger, in `folder`."""
    runbook_path = write_runbook(folder / f"{RUNBOOK_ID}.yaml", sample_probes(service))
    db = write_ledger(load(runbook_path), folder / f"{RUNBOOK_ID}.sqlite")
    return runbook_path, db


def describe(runbook_path: Path) -> str:
    """'500 steps, 4 probes (web, api, db, host-cpu)': what the benches ran on."""
    runbook = load(runbook_path)
    names = ", ".join(spec.name for spec in runbook.probes)
    return f"{len(runbook.steps)} steps, {len(runbook.probes)} probes ({names})"
