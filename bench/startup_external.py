"""Start-up as an operator sees it: a real terminal (tmux) at 120x36, from launching the command to
the first step's title on screen, `warroom open` against a minimal Textual app.

Each run gets its own tmux server (`tmux -L`, no user config), started first with an idle pane; the
clock starts when that pane is respawned with the program, and `capture-pane -p` is read every
10 ms until the title shows. The two programs alternate, after one unmeasured warm-up run each;
the medians are compared. The server is killed after every run, and the program with it.

`python -m bench.startup_external [--runs N]` builds its own fixture; `python -m bench` passes its.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench.first_frame import warm_ups
from bench.scale import pick

SIZE = (120, 36)
POLL_SECONDS = 0.010
RUN_TIMEOUT = 30.0  # seconds a program may take to show the title before the run is a failure
EXIT_WAIT = 5.0  # seconds to wait for a program to be gone after its tmux server is killed
TARGET_RATIO = 1.5

MINIMAL_APP = '''\
"""The baseline: a minimal Textual app with a header, a footer and the first step's title."""
from textual.app import App
from textual.widgets import Footer, Header, Static


class Minimal(App):
    def compose(self):
        yield Header()
        yield Static({title!r})
        yield Footer()


Minimal().run()
'''


def runs() -> int:
    return pick(7, 1)


def minimal_app(folder: Path, title: str) -> Path:
    path = folder / "minimal_app.py"
    path.write_text(MINIMAL_APP.format(title=title))
    return path


def terminal_env(folder: Path) -> dict[str, str]:
    """The same small environment for both programs: a 256-colour terminal, no user settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "XDG_DATA_HOME": str(folder / "xdg-data"),
        "WARROOM_OPERATOR": "bench",
    }


@dataclass
class Tmux:
    """One private tmux server holding one pane of SIZE."""

    config: Path
    socket: str = ""

    def __post_init__(self) -> None:
        self.socket = f"warroom-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        return subprocess.run(["tmux", "-L", self.socket, "-f", str(self.config), *args], env=env,
                              capture_output=True, text=True, check=True, timeout=10).stdout

    def start_idle(self) -> None:
        # The idle pane ends on its own if the bench dies before killing the server.
        width, height = SIZE
        self.run("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height),
                 f"sleep {RUN_TIMEOUT + 30:.0f}")

    def respawn(self, command: str) -> int:
        """Replace the idle pane's process with `command`; the new process's pid."""
        self.run("respawn-pane", "-k", "-t", "bench", command)
        return int(self.run("display-message", "-p", "-t", "bench", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "bench")

    def kill(self) -> None:
        try:
            path = self.run("display-message", "-p", "#{socket_path}").strip()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            path = ""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
        if path:  # tmux leaves its socket file behind
            Path(path).unlink(missing_ok=True)


def _wait_gone(pid: int, timeout: float = EXIT_WAIT) -> None:
    """So that a program still shutting down never takes CPU from the next run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    os.kill(pid, 9)  # ours: the pane's program, started by this bench


def time_to_text(argv: list[str], env: dict[str, str], text: str, config: Path) -> float:
    """Seconds from launching `argv` in a fresh 120x36 tmux pane until `text` is on its screen."""
    tmux = Tmux(config)
    tmux.start_idle()
    pid = None
    try:
        # `exec` so that the pane's process is the program itself, whose exit we can wait for.
        command = "exec env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + shlex.join(argv)
        started = time.perf_counter()
        pid = tmux.respawn(command)
        while True:
            screen = tmux.screen()
            elapsed = time.perf_counter() - started
            if text in screen:
                return elapsed
            if elapsed > RUN_TIMEOUT:
                raise RuntimeError(f"'{text}' did not appear within {RUN_TIMEOUT:g} s; last screen:\n{screen}")
            time.sleep(POLL_SECONDS)
    finally:
        tmux.kill()
        if pid is not None:
            _wait_gone(pid)


def warroom_command() -> list[str]:
    script = Path(sys.executable).parent / "warroom"
    return [str(script)] if script.exists() else [sys.executable, "-m", "warroom"]


def compare(runbook: Path, db: Path, title: str, rounds: int | None = None) -> dict:
    """Alternate warroom and the minimal app `rounds` times each, after the warm-up round."""
    rounds = runs() if rounds is None else rounds
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed: apt-get install -y tmux")
    with tempfile.TemporaryDirectory(prefix="warroom-bench-tmux-") as name:
        folder = Path(name)
        config = folder / "tmux.conf"
        config.write_text("set -g status off\nset -g default-shell /bin/sh\nset -g history-limit 0\n")
        env = terminal_env(folder)
        programs = {
            "warroom": warroom_command() + ["open", str(runbook), "--db", str(db)],
            "minimal": [sys.executable, str(minimal_app(folder, title))],
        }
        times: dict[str, list[float]] = {name: [] for name in programs}
        for round_number in range(warm_ups() + rounds):
            order = list(programs) if round_number % 2 == 0 else list(reversed(programs))
            for name in order:  # alternate which goes first, too
                elapsed = time_to_text(programs[name], env, title, config)
                if round_number >= warm_ups():
                    times[name].append(elapsed)
    warroom, minimal = statistics.median(times["warroom"]), statistics.median(times["minimal"])
    return {"runs": rounds, "warroom": times["warroom"], "minimal": times["minimal"],
            "warroom_s": warroom, "minimal_s": minimal, "ratio": warroom / minimal}


def report(result: dict, fixture: str) -> str:
    def spread(values: list[float]) -> str:
        return f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms"

    width, height = SIZE
    return (
        f"(a') first full frame in a real terminal (tmux {width}x{height}, screen read every "
        f"{POLL_SECONDS * 1000:.0f} ms, {result['runs']} runs each, alternated) on {fixture}:\n"
        f"  warroom open median {result['warroom_s'] * 1000:.0f} ms ({spread(result['warroom'])}), "
        f"minimal Textual app median {result['minimal_s'] * 1000:.0f} ms ({spread(result['minimal'])}), "
        f"ratio {result['ratio']:.2f} (target <= {TARGET_RATIO:g})"
    )


def main(argv: list[str] | None = None) -> None:
    from bench.fixture import FIRST_TITLE, build, describe
    from warroom.tui.demo_service import DemoService

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help=f"measured runs of each program (default {runs()})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder, DemoService() as service:
        runbook, db = build(Path(folder), service)
        print(report(compare(runbook, db, FIRST_TITLE, args.runs), describe(runbook)))


if __name__ == "__main__":
    main()
