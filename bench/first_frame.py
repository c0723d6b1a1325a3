"""Time from launching a process to its first full frame, `warroom open` against a minimal
Textual app, both headless at 120x36.

Each target runs in a fresh interpreter (imports are part of start-up), notes when its first frame
with data on it has been drawn, and exits; shutting down is not counted. The two alternate, after
one unmeasured warm-up round. Run as `python -m bench.first_frame warroom RUNBOOK DB` or
`python -m bench.first_frame minimal`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.scale import pick

SIZE = (120, 36)
RUN_TIMEOUT = 60.0  # seconds one start-up may take before the bench gives up
T0_ENV = "WARROOM_BENCH_T0"  # the parent's perf_counter at launch (CLOCK_MONOTONIC: one clock for all processes)
FRAME_MARK = "first full frame after "


def runs() -> int:
    return pick(7, 1)


def warm_ups() -> int:
    """Unmeasured rounds first (file cache, ledger); none at the tiny size, which only checks."""
    return pick(1, 0)


def _run_every_app_headless() -> None:
    """The command line calls App.run() itself; make it headless, at SIZE, for the measurement."""
    from textual.app import App

    run = App.run

    def headless_run(self, *args, **kwargs):
        kwargs.update(headless=True, size=SIZE)
        return run(self, *args, **kwargs)

    App.run = headless_run


def _note_first_frame() -> None:
    """Tell the parent how long after its launch the first frame was drawn."""
    print(f"{FRAME_MARK}{time.perf_counter() - float(os.environ[T0_ENV]):.6f}", flush=True)


def minimal() -> None:
    from textual.app import App
    from textual.widgets import Footer, Header

    class Minimal(App):
        def compose(self):
            yield Header()
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(lambda: (_note_first_frame(), self.exit()))

    Minimal().run(headless=True, size=SIZE)


def warroom(runbook: str, db: str) -> None:
    from warroom.tui import app as app_module
    from warroom.tui.cli import main

    _run_every_app_headless()
    shown = app_module.WarroomApp.snapshot_shown

    noted: list[bool] = []  # the ledger's state may be shown again before the frame is drawn

    def exit_after_first_frame(self):
        shown(self)
        if not noted:
            noted.append(True)
            self.call_after_refresh(lambda: (_note_first_frame(), self.exit()))

    app_module.WarroomApp.snapshot_shown = exit_after_first_frame
    main(["open", runbook, "--db", db, "--operator", "bench"], standalone_mode=False)


def _once(command: list[str]) -> float:
    env = dict(os.environ, **{T0_ENV: repr(time.perf_counter())})
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
    noted = [line for line in done.stdout.splitlines() if line.startswith(FRAME_MARK)]
    if not noted:
        raise RuntimeError(f"{command[-1]} exited without drawing a full frame:\n{done.stdout}{done.stderr}")
    return float(noted[0][len(FRAME_MARK):])


def compare(runbook: Path, db: Path, rounds: int | None = None) -> dict:
    rounds = runs() if rounds is None else rounds
    me = [sys.executable, "-m", "bench.first_frame"]
    commands = {"minimal": me + ["minimal"], "warroom": me + ["warroom", str(runbook), str(db)]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(warm_ups() + rounds):
        for name, command in commands.items():
            elapsed = _once(command)
            if round_number >= warm_ups():
                times[name].append(elapsed)
    baseline, ours = statistics.median(times["minimal"]), statistics.median(times["warroom"])
    return {"runs": rounds, "baseline_s": baseline, "warroom_s": ours, "ratio": ours / baseline}


def report(result: dict, fixture: str) -> str:
    width, height = SIZE
    return (
        f"(a) first full frame, headless {width}x{height}, {result['runs']} runs each, alternated, on {fixture}:\n"
        f"  warroom open {result['warroom_s'] * 1000:.0f} ms, "
        f"minimal Textual app {result['baseline_s'] * 1000:.0f} ms, "
        f"ratio {result['ratio']:.2f} (target <= 1.5)"
    )


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        warroom(sys.argv[2], sys.argv[3])
