"""Sync wired to a runbook and a ledger: whose keys are trusted, which export, one round told in words.

The command line and the console both open their syncer here, so they trust the same keys and
read the export the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict

from warroom.runbook.model import Runbook
from warroom.store import Ledger
from warroom.store.identity import data_dir
from warroom.sync.config import ExportChoice
from warroom.sync.export import open_export
from warroom.sync.keys import DeviceKey, device_key
from warroom.sync.round import RoundReport, Syncer
from warroom.sync.trust import Trust, TrustStore, trust_store_path


def build_trust(runbook: Runbook, key: DeviceKey) -> Trust:
    """The runbook's team keys, the keys trusted on this machine, and this device's own."""
    return Trust.build(runbook.team, TrustStore(trust_store_path()).entries(), key.public)


def open_syncer(runbook: Runbook, ledger: Ledger, choice: ExportChoice, *, check: bool = False,
                wall: Callable[[], float] = time.time) -> Syncer:
    """A syncer for `ledger` through the chosen export. `check`: refuse an export that cannot be
    used now (ExportUnavailable), as the command line does when it was named explicitly."""
    export = open_export(choice.spec, data_dir() / "git-cache")
    if check:
        export.check()
    key = device_key(data_dir())
    return Syncer(ledger, export, key, build_trust(runbook, key), wall=wall)


def round_lines(report: RoundReport) -> list[str]:
    """What one round moved, for people: one line each, the problems after."""
    if report.error:
        return [f"sync failed: {report.error}"]
    lines = [f"published {_events(report.exported)}, imported {_events(report.imported)} "
             f"from {_count(report.segments_read, 'new segment')}"]
    if report.quarantined:
        lines.append(f"quarantined {_events(report.quarantined)} signed by keys not trusted here "
                     "(warroom keys trust OPERATOR KEY, or add the key to the runbook's team)")
    if report.clock_ahead:
        lines.append(f"{_events(report.clock_ahead)} came with a clock more than 10 minutes ahead of this machine's")
    for problem in report.problems:
        what = "ALARM" if problem.alarm else "refused" if not problem.key else "quarantined"
        lines.append(f"{what}: {problem.path}: {problem.reason}")
    return lines


def report_document(report: RoundReport) -> dict[str, object]:
    """`warroom sync --json`: the report's fields, and whether the export was reached."""
    return {"ok": report.ok, **asdict(report)}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _events(n: int) -> str:
    return _count(n, "event")
