"""bench/ must not rot: `python -m bench --tiny` runs every benchmark once on a tiny input, and
the start-up profile runs once too.

Only that each one completes and prints its ratio line is checked, never a timing: the tiny
sizes measure nothing, and this machine is shared.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from support import ROOT

# Each benchmark: the line its report starts with, and what its ratio against its baseline says.
REPORTS = [
    ("first frame, headless", "(a) first full frame, headless 120x36", "ratio"),
    ("first frame, real terminal", "(a') first full frame in a real terminal (tmux 120x36", "ratio"),
    ("'d' on a step", "(b) 'd' to committed event", "ratio"),
    ("ledger guard", "(c) ledger guard", "ratio"),
    ("probe board", "probe board,", "ratio board/DataTable"),
    ("probe scheduler", "probes:", "CPU ratio per request"),
    ("sync import", "sync: import", "ratio"),
    ("sync incremental round", "sync: incremental round", "ratio"),
    ("sync rebuild", "sync: projection rebuild", "ratio"),
]
TIMEOUT = 120  # seconds: the tiny run takes about 10


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make test installs it)")
def test_every_benchmark_runs_once_on_a_tiny_input():
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    # bench/ is not in the package: it runs from the repository root, as `make bench` runs it.
    done = subprocess.run([sys.executable, "-m", "bench", "--tiny"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "fixture: 10 steps, 4 probes (web, api, db, host-cpu)" in out, out
    missing = [name for name, heading, ratio in REPORTS if ratio not in _report(out, heading)]
    assert not missing, f"no ratio line for {missing}:\n{out}"
    assert "max " in out  # the maxima are printed beside the p95s


def _report(out: str, heading: str) -> str:
    """The line starting with `heading` and the indented lines under it ('' if none)."""
    lines = out.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(heading):
            block = [line]
            for rest in lines[index + 1:]:
                if not rest.startswith("  "):
                    break
                block.append(rest)
            return "\n".join(block)
    return ""


def test_the_start_up_profile_runs_once_on_a_tiny_input():
    env = {**{k: v for k, v in os.environ.items() if k != "TMUX"}, "WARROOM_BENCH_SIZE": "tiny"}
    done = subprocess.run([sys.executable, "-m", "bench.startup_profile"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "runbook parsed" in done.stdout and "first full frame" in done.stdout, done.stdout
