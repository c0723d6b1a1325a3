"""`make bench`: the foundation's figures on a 500-step / 100,000-event fixture that keeps the
sample's probes (start-up headless and in a real terminal, then `d` on a step, then what guarding the
ledger costs), then the probe board, the probe scheduler and sync (import, incremental, rebuild).
`python -m bench --tiny` runs each once on a tiny input (for the test)."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import scale


def cpu_model() -> str:
    """As `lscpu` names it; platform.processor() is empty on most Linux systems."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return (f"{platform.system()} {platform.release()}, {cpu_model()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"Python {platform.python_version()}")


def main(argv: list[str]) -> None:
    if "--tiny" in argv:
        scale.use_tiny()
    # Imported after the size is chosen, so everything below sees it.
    from bench import board, first_frame, keystroke, ledger_guard, probes, startup_external, sync
    from bench.fixture import FIRST_TITLE, RUNBOOK_ID, build, describe, events
    from warroom.tui.demo_service import DemoService

    print(f"machine: {machine()}" + (" (tiny sizes: a smoke run, not a measurement)" if scale.tiny() else ""))
    # The fixture's probes look at this service, on 127.0.0.1, for as long as the app runs.
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder, DemoService() as service:
        started = time.perf_counter()
        runbook, db = build(Path(folder), service)
        fixture = describe(runbook)
        print(f"fixture: {fixture}, {events():,} events, built in {time.perf_counter() - started:.1f} s")

        print(first_frame.report(first_frame.compare(runbook, db), fixture))
        print(startup_external.report(startup_external.compare(runbook, db, FIRST_TITLE), fixture))
        keys = keystroke.measure(runbook, db)
        print(
            f"(b) 'd' to committed event and repainted row, {keys['presses']} presses, probes running: "
            f"p50 {keys['p50_ms']:.1f} ms, p95 {keys['p95_ms']:.1f} ms, max {keys['max_ms']:.1f} ms "
            f"(target p95 <= 30 ms); "
            f"ledger append alone p50 {keys['append_p50_ms']:.1f} ms, ratio {keys['ratio_p50']:.2f}"
        )
        print(ledger_guard.report(ledger_guard.compare(db, RUNBOOK_ID)))
    board.main()
    probes.main([])
    sync.main()


if __name__ == "__main__":
    main(sys.argv[1:])
