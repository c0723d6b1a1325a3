"""Time from process start to the first full frame, `warroom open` against a minimal Textual app.

Each target runs in a fresh interpreter (imports are part of start-up), headless, and exits right
after its first frame with data on it. Run as `python -m bench.first_frame warroom RUNBOOK DB` or
`python -m bench.first_frame minimal`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from textual.app import App


def _run_every_app_headless() -> None:
    """The command line calls App.run() itself; make it headless for the measurement."""
    run = App.run

    def headless_run(self, *args, **kwargs):
        kwargs["headless"] = True
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

    Minimal().run(headless=True)


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


def measure(command: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def compare(runbook: Path, db: Path, rounds: int = 7) -> dict[str, float]:
    me = [sys.executable, "-m", "bench.first_frame"]
    measure(me + ["minimal"], 1)  # warm the file cache for both
    measure(me + ["warroom", str(runbook), str(db)], 1)
    baseline = statistics.median(measure(me + ["minimal"], rounds))
    ours = statistics.median(measure(me + ["warroom", str(runbook), str(db)], rounds))
    return {"baseline_s": baseline, "warroom_s": ours, "ratio": ours / baseline}


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        warroom(sys.argv[2], sys.argv[3])
