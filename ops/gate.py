"""`warroom probe`: every probe once, for cron and pipeline gates.

A single run has no history, so a failing check counts as DOWN at once (fail_after 1), which is
what a gate wants; the console keeps the configured patience instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from warroom.ops.actions import UsageProblem, did_you_mean
from warroom.probes import ProbeScheduler, to_config
from warroom.runbook.model import Runbook
from warroom.untrusted import visible


def check_once(runbook: Runbook, only: tuple[str, ...] = ()) -> list[dict]:
    """`runbook` must have passed probe validation (ops.probe_validation)."""
    names = [spec.name for spec in runbook.probes]
    for name in only:
        if name not in names:
            raise UsageProblem(f"{runbook.path} has no probe '{name}'{did_you_mean(name, names)}.")
    configs = [replace(to_config(spec), fail_after=1, recover_after=1) for spec in runbook.probes]
    return asyncio.run(_run(configs, list(only) or None))


async def _run(configs, names) -> list[dict]:
    scheduler = ProbeScheduler(configs, on_status=lambda status: None, on_transition=lambda transition: None)
    try:
        statuses = await scheduler.run_once(names)
    finally:
        await scheduler.stop()
    return [
        {
            "name": status.name,
            "kind": status.kind,
            "state": status.state.value,
            "value": status.value,
            "response_time_ms": None if status.response_time_ms is None else round(status.response_time_ms, 1),
            "failed_condition": status.failed_condition,
        }
        for status in statuses
    ]


def probe_table(results: list[dict]) -> str:
    rows: list[tuple[str, ...]] = [("PROBE", "KIND", "STATE", "TIME", "VALUE / FAILED CONDITION")]
    for r in results:
        time = "" if r["response_time_ms"] is None else f"{r['response_time_ms']:.0f}ms"
        # Made visible before the columns are measured: an escape is wider than the character it shows.
        cells = (r["name"], r["kind"], r["state"], time, r["failed_condition"] or r["value"])
        rows.append(tuple(visible(cell) for cell in cells))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4]
                     for row in rows)
