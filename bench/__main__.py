"""`make bench`: the foundation's figures on a 500-step / 100,000-event fixture, then the probe
board and the probe scheduler."""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import psutil

from bench import board, first_frame, keystroke, probes
from bench.fixture import EVENTS, STEPS, build


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = psutil.virtual_memory().total / 2**30
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        started = time.perf_counter()
        runbook, db = build(Path(folder))
        print(f"fixture: {STEPS} steps, {EVENTS:,} events, built in {time.perf_counter() - started:.1f} s")

        frame = first_frame.compare(runbook, db)
        print(
            f"(a) first full frame: warroom open {frame['warroom_s'] * 1000:.0f} ms, "
            f"minimal Textual app {frame['baseline_s'] * 1000:.0f} ms, ratio {frame['ratio']:.2f} (target <= 1.5)"
        )
        keys = keystroke.measure(runbook, db)
        print(
            f"(b) 'd' to committed event and repainted row, {keys['presses']} presses: "
            f"p50 {keys['p50_ms']:.1f} ms, p95 {keys['p95_ms']:.1f} ms (target p95 <= 30 ms); "
            f"ledger append alone p50 {keys['append_p50_ms']:.1f} ms, ratio {keys['ratio_p50']:.2f}"
        )
    board.main()
    probes.main([])


if __name__ == "__main__":
    main()
