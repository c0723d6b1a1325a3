"""Time from process start to the first full frame, `warroom open` against a minimal Textual app,
both headless at 120x36.

Each target runs in a fresh interpreter (imports are part of start-up) and exits right after its
first frame with data on it; the two alternate, after one unmeasured warm-up round. Run as
`python -m bench.first_frame warroom RUNBOOK DB` or `python -m bench.first_frame minimal`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from textual.app import App

from bench.scale import pick

SIZE = (120, 36)
RUN_TIMEOUT = 60.0  # seconds one start-up may take before the bench gives up


def runs() -> int:
    return pick(7, 1)


def warm_ups() -> int:
    """Unmeasured rounds first (file cache, ledger); none at the tiny size, which only checks."""
    return pick(1, 0)


def _run_every_app_headless() -> None:
    """The command line calls App.run() itself; make it headless, at SIZE, for the measurement."""
    run = App.run

    def headless_run(self, *args, **kwargs):
        kwargs.update(headless=True, size=SIZE)
        return run(self, *args, **kwargs)

    App.run = headless_run


def minimal() -> None:
    from textual.widgets import Footer, Header

    class Minimal(App):
        def compose(self):
            yield Header()
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.exit)

    Minimal().run(headless=True, size=SIZE)


def warroom(runbook: str, db: str) -> None:
    from warroom.tui import app as app_module
    from warroom.tui.cli import main

    _run_every_app_headless()
    shown = app_module.WarroomApp.snapshot_shown

    def exit_after_first_frame(self):
        shown(self)
        self.call_after_refresh(self.exit)

    app_module.WarroomApp.snapshot_shown = exit_after_first_frame
    main(["open", runbook, "--db", db, "--operator", "bench"], standalone_mode=False)


def _once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=RUN_TIMEOUT)
    return time.perf_counter() - started


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
        f"  warroom open {result['warroom_s'] * 1000:.0f} ms, minimal Textual app {result['baseline_s'] * 1000:.0f} ms, "
        f"ratio {result['ratio']:.2f} (target <= 1.5)"
    )


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        warroom(sys.argv[2], sys.argv[3])
