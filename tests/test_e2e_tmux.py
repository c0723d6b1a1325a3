"""End to end in a real terminal: the installed `warroom` console script inside tmux.

Each test starts its own tmux server on a private socket (`tmux -L`, no user config), runs the app
in an 80x24 detached session with a controlled environment, reads the screen with
`capture-pane`, types with `send-keys`, and kills that server (and only that one) when done.
Nothing depends on the wall clock beyond generous polling bounds.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from support import WEB_CUTOVER

from warroom.runbook import load

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make test installs it)")

RUNBOOK = load(WEB_CUTOVER)
RUN = "rehearsal-1"
WIDTH, HEIGHT = 80, 24
START_TIMEOUT = 15.0


def warroom_script() -> str:
    beside_python = Path(sys.executable).parent / "warroom"
    found = str(beside_python) if beside_python.exists() else shutil.which("warroom")
    if not found:
        pytest.skip("the warroom console script is not installed (pip install -e .)")
    return found


def base_env(data_home: Path, **extra: str) -> dict[str, str]:
    """A small, fixed environment (run with `env -i`): no COLORTERM, NO_COLOR or WARROOM_* leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "XDG_DATA_HOME": str(data_home),
    }
    env.update(extra)
    return env


class Tmux:
    """One private tmux server with one session running one command."""

    def __init__(self, workdir: Path) -> None:
        self.socket = f"warroom-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.session = "warroom"
        self.config = workdir / "tmux.conf"
        self.exit_status = workdir / "exit-status"
        self.socket_path = ""
        # No status line (the app gets all 24 rows), a POSIX shell for the command whatever $SHELL
        # is, and the pane kept after the app exits so that its last screen can still be read.
        self.config.write_text("set -g status off\nset -g default-shell /bin/sh\n"
                               "set -g remain-on-exit on\nset -g history-limit 0\n")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        return subprocess.run(["tmux", "-L", self.socket, "-f", str(self.config), *args],
                              capture_output=True, text=True, check=check, env=env, timeout=10)

    def start(self, env: dict[str, str], argv: list[str], size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        # The shell notes the exit status in a file: tmux's #{pane_dead_status} is empty for 0 (3.3a).
        command = ("env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + shlex.join(argv)
                   + f"; echo $? > {shlex.quote(str(self.exit_status))}")
        self.run("new-session", "-d", "-s", self.session, "-x", str(size[0]), "-y", str(size[1]), command)
        self.socket_path = self.run("display-message", "-p", "#{socket_path}").stdout.strip()

    def screen(self, escapes: bool = False) -> str:
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.session).stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def wait_for(self, condition, what: str, timeout: float = START_TIMEOUT) -> str:
        """Poll the screen until `condition(screen)` holds; fail with the last screen otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                ended = self.exit_status.read_text().strip() if self.exit_status.exists() else "still running"
                pytest.fail(f"timed out after {timeout}s waiting for {what} (app exit status: {ended}); screen:\n{text}")
            time.sleep(0.1)

    def wait_for_exit(self, timeout: float = 10.0) -> int:
        """Wait for the app to end; its exit status."""
        deadline = time.monotonic() + timeout
        while not (self.exit_status.exists() and self.exit_status.read_text().strip()):
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not exit within {timeout}s; screen:\n{self.screen()}")
            time.sleep(0.1)
        return int(self.exit_status.read_text())

    def kill(self) -> None:
        self.run("kill-server", check=False)
        if self.socket_path:  # tmux leaves the socket file behind
            Path(self.socket_path).unlink(missing_ok=True)
        self.exit_status.unlink(missing_ok=True)  # so that the session can be started again


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    try:
        yield session
    finally:
        session.kill()


def open_argv(db: Path, runbook: Path | None = None) -> list[str]:
    """`warroom open` on the sample as its Deployment Lead (without a role it would ask first), or on
    `runbook`, which names no team."""
    if runbook is None:
        return [warroom_script(), "open", str(WEB_CUTOVER), "--db", str(db), "--operator", "e2e", "--run", RUN,
                "--role", "Deployment Lead"]
    return [warroom_script(), "open", str(runbook), "--db", str(db), "--operator", "e2e", "--run", RUN]


def row(screen: str, title_start: str) -> str:
    """The timeline line of the step whose title starts with `title_start` (not the now/next line)."""
    lines = [line for line in screen.splitlines() if title_start in line and not line.lstrip().startswith("NOW ")]
    return lines[0] if lines else ""


def timeline_shown(screen: str) -> bool:
    return "War room opens" in screen and "○ pending" in screen


def cli(data_home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([warroom_script(), *args], capture_output=True, text=True, timeout=30,
                          env=base_env(data_home), check=False)


def test_mark_the_first_step_done_then_quit(tmux, tmp_path):
    db = tmp_path / "x.sqlite"
    first = RUNBOOK.steps[0]
    tmux.start(base_env(tmp_path / "xdg"), open_argv(db))
    tmux.wait_for(timeline_shown, "the timeline")
    tmux.keys("d")
    screen = tmux.wait_for(lambda s: "✔ done" in row(s, first.title[:20]), "the first step to show ✔ done")
    assert "○ pending" in row(screen, RUNBOOK.steps[1].title[:20])
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0

    result = cli(tmp_path / "xdg", "status", str(WEB_CUTOVER), "--db", str(db), "--run", RUN, "--json")
    assert result.returncode == 0, result.stderr
    steps = {s["id"]: s for s in json.loads(result.stdout)["steps"]}
    assert steps[first.id]["status"] == "done" and steps[first.id]["by"] == "e2e"
    assert steps[RUNBOOK.steps[1].id]["status"] == "pending"


# No probes: nothing but the ledger watcher refreshes the screen, so only it can show the write.
QUIET_RUNBOOK = """\
id: quiet-cutover
title: A cutover without probes
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps:
  - {id: open-room, title: Open the war room, duration: 10m}
  - {id: freeze, title: Freeze deployments, duration: 10m}
  - {id: deploy, title: Deploy the release, duration: 30m}
"""


def test_a_write_from_another_process_shows_within_three_seconds(tmux, tmp_path):
    runbook = tmp_path / "quiet.yaml"
    runbook.write_text(QUIET_RUNBOOK)
    assert load(runbook).probes == ()
    db = tmp_path / "x.sqlite"
    tmux.start(base_env(tmp_path / "xdg"), open_argv(db, runbook))
    tmux.wait_for(lambda s: "Open the war room" in s and "○ pending" in row(s, "Deploy the release"), "the timeline")

    # The last step: it depends on the others, so the script says why it goes ahead.
    result = cli(tmp_path / "xdg", "step", str(runbook), "deploy", "done", "--force", "--note", "done by hand",
                 "--db", str(db), "--run", RUN, "--operator", "script")
    assert result.returncode == 0, result.stderr
    # The app polls SQLite's data_version every 0.5 s: 3 s leaves room for a busy machine.
    tmux.wait_for(lambda s: "✔ done" in row(s, "Deploy the release"), "deploy to show ✔ done", timeout=3.0)
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0


# --- NO_COLOR ------------------------------------------------------------------------------------

SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colour_codes(captured: str) -> list[str]:
    """Every colour set by an SGR sequence, as written: '38;5;253', '48;2;1;2;3', '31', ...

    Defaults (39, 49) and attributes (bold, dim, reverse...) are not colours.
    """
    found = []
    for params in SGR.findall(captured):
        parts = [p for p in re.split(r"[;:]", params) if p != ""]
        i = 0
        while i < len(parts):
            code = int(parts[i])
            if code in (38, 48, 58) and i + 1 < len(parts):
                width = 3 if parts[i + 1] == "5" else 5 if parts[i + 1] == "2" else 2
                found.append(";".join(parts[i:i + width]))
                i += width
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.append(str(code))
            i += 1
    return found


def test_no_color_writes_glyphs_and_words_but_no_colour_codes(tmux, tmp_path):
    """NO_COLOR=1: state still reads by glyph and word, and not one colour code reaches the terminal."""
    tmux.start(base_env(tmp_path / "xdg", NO_COLOR="1"), open_argv(tmp_path / "x.sqlite"))
    tmux.wait_for(timeline_shown, "the timeline")
    time.sleep(0.3)  # let the first full frame settle before reading its escape codes
    captured = tmux.screen(escapes=True)
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0

    plain = SGR.sub("", captured)
    assert "○ pending" in plain and f"▼ {RUNBOOK.steps[0].phase} · 0 done of" in plain
    assert SGR.search(captured), "no SGR sequences at all: was the screen captured with -e?"
    codes = colour_codes(captured)
    assert not codes, f"{len(codes)} colour codes under NO_COLOR, e.g. {sorted(set(codes))[:8]}"


# --- hostile text in a real terminal ---------------------------------------------------------------

TITLE_ESCAPE = "\x1b]2;PWNED\x1b\\"  # OSC 2: "set the window title", which tmux keeps as the pane title


def pane_title(tmux: Tmux) -> str:
    return tmux.run("display-message", "-p", "-t", tmux.session, "#{pane_title}").stdout.strip()


def test_an_escape_sequence_in_a_note_or_a_title_never_reaches_the_terminal(tmux, tmp_path):
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(QUIET_RUNBOOK.replace("A cutover without probes", f"x {TITLE_ESCAPE} \x1b[41mRED")
                       .replace("title: ", 'title: "', 1).replace("RED\n", 'RED"\n', 1).replace("\x1b", "\\e"))
    db = tmp_path / "x.sqlite"
    data_home = tmp_path / "xdg"
    noted = cli(data_home, "note", str(hostile), f"x {TITLE_ESCAPE} \x1b[41mRED", "--db", str(db), "--run", RUN)
    assert noted.returncode == 0, noted.stderr

    # The check can fail: the same sequence printed raw does set the pane's title.
    tmux.start(base_env(data_home), ["printf", TITLE_ESCAPE.replace("\\", "\\\\")])
    tmux.wait_for_exit()
    assert pane_title(tmux) == "PWNED"
    tmux.kill()

    tmux.start(base_env(data_home), [warroom_script(), "log", str(hostile), "--db", str(db), "--run", RUN])
    assert tmux.wait_for_exit() == 0
    screen = tmux.screen()
    assert "x ␛]2;PWNED␛\\ ␛[41mRED" in screen
    assert pane_title(tmux) != "PWNED"
    tmux.kill()

    tmux.start(base_env(data_home), open_argv(db, hostile))
    tmux.wait_for(lambda s: "Open the war room" in s and "␛]2;PWNED" in s, "the console, the title shown inert")
    assert pane_title(tmux) != "PWNED"
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0


# --- the truthful console, from the keyboard, without colour (issue 8) ------------------------------

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


def step_statuses(data_home: Path, db: Path) -> dict[str, str]:
    result = cli(data_home, "status", str(WEB_CUTOVER), "--db", str(db), "--run", RUN, "--json")
    assert result.returncode == 0, result.stderr
    return {s["id"]: s["status"] for s in json.loads(result.stdout)["steps"]}


def footer(screen: str) -> str:
    return screen.rstrip("\n").splitlines()[-1]


@SIZES
def test_step_keys_in_the_go_no_go_pane_change_no_step(tmux, tmp_path, size):
    db, data_home = tmp_path / "x.sqlite", tmp_path / "xdg"
    tmux.start(base_env(data_home, NO_COLOR="1"), open_argv(db), size)
    tmux.wait_for(timeline_shown, "the timeline")
    assert "d Done" in footer(tmux.screen())
    tmux.keys("3")
    screen = tmux.wait_for(lambda s: "Tick" in footer(s), "the Go/No-Go pane's keys in the footer")
    assert "d Done" not in footer(screen) and "s Start" not in footer(screen)
    tmux.keys("d", "s", "x", "r")
    time.sleep(1.0)  # whatever they would do has had time to happen
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0
    assert set(step_statuses(data_home, db).values()) == {"pending"}


@SIZES
def test_starting_a_step_before_its_dependencies_asks_and_escape_records_nothing(tmux, tmp_path, size):
    db, data_home = tmp_path / "x.sqlite", tmp_path / "xdg"
    tmux.start(base_env(data_home, NO_COLOR="1"), open_argv(db), size)
    tmux.wait_for(timeline_shown, "the timeline")
    tmux.keys("j", "j", "j", "j", "s")  # from the first step down to the backup (it needs no sign-off)
    screen = tmux.wait_for(lambda s: "anyway?" in s, "the question before starting it")
    assert "Pre-deployment database backup" in screen and "still pending" in screen
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "anyway?" not in s, "the question gone")
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0
    assert step_statuses(data_home, db)["backup"] == "pending"


@SIZES
def test_joining_mid_cutover_the_top_lines_say_what_runs_now_and_what_is_next(tmux, tmp_path, size):
    db, data_home = tmp_path / "x.sqlite", tmp_path / "xdg"
    running = RUNBOOK.step("war-room-open")
    started = cli(data_home, "step", str(WEB_CUTOVER), running.id, "start", "--db", str(db), "--run", RUN)
    assert started.returncode == 0, started.stderr
    tmux.start(base_env(data_home, NO_COLOR="1"), open_argv(db), size)
    screen = tmux.wait_for(lambda s: "NOW" in s and "NEXT" in s, "the now/next line")
    top = "\n".join(screen.splitlines()[:3])
    assert f"NOW ▶ {running.title[:20]}" in top
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0


@SIZES
def test_a_broken_service_shows_as_down_in_the_top_lines(tmux, tmp_path, size):
    """The demo's service, broken with `b` twice (slow, then failing): without colour the first
    three lines carry the DOWN count, in words, whatever else gives way at 80 columns."""
    tmux.start(base_env(tmp_path / "xdg", NO_COLOR="1"), [warroom_script(), "demo", "--no-bell"], size)
    tmux.wait_for(lambda s: "War room opens" in s, "the demo's timeline")
    tmux.keys("b")
    time.sleep(0.5)
    tmux.keys("b")
    screen = tmux.wait_for(lambda s: "DOWN" in "\n".join(s.splitlines()[:3]), "DOWN in the top lines", timeout=40)
    top = screen.splitlines()[:3]
    assert re.search(r"✖ ?\d+ probes? DOWN", top[0]), top[0]
    assert all(len(line) <= size[0] for line in top)
    tmux.keys("q")
    assert tmux.wait_for_exit() == 0
