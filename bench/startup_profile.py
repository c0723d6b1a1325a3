"""Where `warroom open`'s start-up goes: a timeline of phases, from process start to the first full
frame (headless, 120x36, on the bench fixture with its probes running), median over a few runs.

`python -m bench.startup_profile [--runs 5] [--cprofile]` builds the fixture, then runs a fresh
interpreter per run; `--cprofile` also prints the main thread's costliest calls from the app's
start to its first frame (one run). A profile, not a benchmark: it has no baseline and no target.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.first_frame import SIZE, T0_ENV
from bench.scale import pick

RUN_TIMEOUT = 60.0
TOP = 20
ROOMS = ("tui", "widgets", "runbook", "store", "probes", "ops")  # the package's folders


def runs() -> int:
    return pick(5, 1)


class Marks:
    """(seconds since the parent started this process, thread, phase), as they happen."""

    def __init__(self) -> None:
        self.t0 = float(os.environ[T0_ENV])
        self.marks: list[tuple[float, str, str]] = []

    def __call__(self, phase: str) -> None:
        self.marks.append((time.perf_counter() - self.t0, threading.current_thread().name, phase))

    def around(self, owner, name: str, phase: str) -> None:
        """Mark when `owner.name` is called and when it returns."""
        original = getattr(owner, name)

        @functools.wraps(original)  # Textual reads a handler's parameters through __wrapped__
        def wrapper(*args, **kwargs):
            self(f"{phase} >")
            try:
                return original(*args, **kwargs)
            finally:
                self(f"{phase} <")

        setattr(owner, name, wrapper)


def child(runbook: str, db: str, cprofile: bool) -> None:
    """In the fresh interpreter: mark the phases, run `warroom open` until its first full frame."""
    mark = Marks()
    mark("interpreter ready")
    import textual.app

    mark("textual imported")
    from warroom.tui import cli

    mark("warroom.tui.cli imported")
    from warroom.tui import app as app_module
    from warroom.tui import main_screen, probe_runner

    mark("warroom.tui.app imported")
    app_class, screen = app_module.WarroomApp, main_screen.MainScreen
    mark.around(cli, "load_runbook", "runbook parsed")
    mark.around(cli, "open_ledger", "ledger opened")
    mark.around(app_class, "on_mount", "app mounted")
    mark.around(app_class, "_snapshot", "ledger snapshot read")
    mark.around(screen, "on_mount", "main screen mounted")
    mark.around(screen, "on_ledger_snapshot", "snapshot shown")
    mark.around(screen, "on_probes_updated", "probe statuses shown")
    mark.around(probe_runner.ProbeRunner, "start", "probe runner started")

    import cProfile

    profile = cProfile.Profile() if cprofile else None
    run, shown = textual.app.App.run, app_class.snapshot_shown

    def headless_run(self, *args, **kwargs):
        kwargs.update(headless=True, size=SIZE)
        if profile:
            profile.enable()
        return run(self, *args, **kwargs)

    noted: list[bool] = []  # the ledger's state may be shown again before the frame is drawn

    def exit_after_first_frame(self):
        shown(self)
        if not noted:
            noted.append(True)
            self.call_after_refresh(lambda: (profile and profile.disable(), mark("first full frame"), self.exit()))

    textual.app.App.run, app_class.snapshot_shown = headless_run, exit_after_first_frame
    cli.main(["open", runbook, "--db", db, "--operator", "bench"], standalone_mode=False)
    for at, thread, phase in mark.marks:
        print(f"{at * 1000:.1f}\t{thread}\t{phase}")
    if profile:
        import pstats

        stats = pstats.Stats(profile, stream=sys.stdout)
        print("--- cProfile, main thread, app start to first frame (profiling slows it ~2x)")
        print("warroom's own calls, by cumulative time:")
        stats.sort_stats("cumulative").print_stats(_own_code(), TOP)
        print("every call, by time spent in the function itself:")
        stats.sort_stats("tottime").print_stats(TOP)


def _own_code() -> str:
    """A pattern for the file names of warroom's own modules (not Textual's `widgets/`)."""
    import re

    from warroom import tui

    root = Path(tui.__file__).resolve().parent.parent
    return re.escape(str(root)) + "/(" + "|".join(ROOMS) + ")/"


def timeline(runbook: Path, db: Path, count: int) -> list[tuple[str, str, float]]:
    """(thread, phase, median ms) in the order of the first run."""
    seen: dict[tuple[str, str], list[float]] = {}
    for _ in range(count):
        for at, thread, phase in _parse(_run_child(runbook, db, cprofile=False)):
            seen.setdefault((thread, phase), []).append(at)
    return [(thread, phase, statistics.median(times)) for (thread, phase), times in seen.items()]


def _run_child(runbook: Path, db: Path, cprofile: bool) -> str:
    env = dict(os.environ, **{T0_ENV: repr(time.perf_counter())})
    command = [sys.executable, "-m", "bench.startup_profile", "--child", str(runbook), str(db)]
    done = subprocess.run(command + (["--cprofile"] if cprofile else []), env=env, check=True,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    return done.stdout


def _parse(out: str) -> list[tuple[float, str, str]]:
    """The first mark of each (thread, phase) in a child's output (a phase may repeat)."""
    marks, seen = [], set()
    for line in out.split("--- cProfile")[0].splitlines():
        at, thread, phase = line.split("\t")
        thread = "probes" if thread == "warroom-probes" else ("main" if thread == "MainThread" else "worker")
        if (thread, phase) not in seen:
            seen.add((thread, phase))
            marks.append((float(at), thread, phase))
    return marks


def report(rows: list[tuple[str, str, float]], count: int, fixture: str) -> str:
    lines = [f"start-up of warroom open, headless 120x36, on {fixture}: median of {count} runs, ms since launch"]
    lines += [f"  {at:7.0f}  {thread:6}  {phase}" for thread, phase, at in sorted(rows, key=lambda row: row[2])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help=f"runs to take the median of (default {runs()})")
    parser.add_argument("--cprofile", action="store_true", help="also print the main thread's costliest calls")
    parser.add_argument("--child", nargs=2, metavar=("RUNBOOK", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, cprofile=args.cprofile)
        return
    from bench.fixture import build, describe
    from warroom.tui.demo_service import DemoService

    count = args.runs or runs()
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder, DemoService() as service:
        runbook, db = build(Path(folder), service)
        _run_child(runbook, db, cprofile=False)  # warm the file cache
        print(report(timeline(runbook, db, count), count, describe(runbook)))
        if args.cprofile:
            print(_run_child(runbook, db, cprofile=True).split("--- cProfile", 1)[1])


if __name__ == "__main__":
    main()
