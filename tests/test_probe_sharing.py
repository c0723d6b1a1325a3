"""One prober per machine and ledger: the other consoles follow it, one takes over when it goes, and
each probe change is in the ledger once, written by the machine. Reopening records nothing new."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from warroom.probes import ProbeState
from warroom.probes.state import HISTORY_SIZE
from warroom.runbook import load
from warroom.store import Ledger, node_id
from warroom.store.prober import ProberLock
from warroom.tui.probe_runner import FOLLOWING, PROBING, ProbeRunner

RUNBOOK = """
id: probe-sharing
title: Probe sharing
window: {{start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}}
steps:
  - {{id: check-web, title: Check the web tier, duration: 10m, validate: [probe: web]}}
probes:
  - {{name: web, http: "http://127.0.0.1:{port}/healthz", expect: ["[STATUS] == 200"], interval: 200ms, fail_after: 1}}
"""


class Flip(BaseHTTPRequestHandler):
    healthy = True

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(200 if Flip.healthy else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def runbook_file(tmp_path):
    Flip.healthy = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flip)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    path = tmp_path / "sharing.yaml"
    path.write_text(RUNBOOK.format(port=httpd.server_address[1]))
    yield path
    httpd.shutdown()
    httpd.server_close()


def web_changes(ledger: Ledger) -> list:
    return [e for e in ledger.events() if e.kind == "probe.changed" and e.subject == "web"]


# --- two consoles, two processes ------------------------------------------------------------------

# A console, headless, in a process of its own: it prints what it shows a few times a second and
# quits when a line comes on stdin.
CONSOLE = """
import asyncio, json, sys, threading
from warroom.runbook import load
from warroom.store import Ledger
from warroom.tui.app import WarroomApp
from warroom.tui.main_screen import MainScreen
from warroom.widgets.probe_board import ProbeBoard

async def main(runbook_path, db, operator):
    runbook = load(runbook_path)
    ledger = Ledger.open(db, runbook.id, operator, runbook_sha256=runbook.sha256)
    app = WarroomApp(runbook, ledger)
    told = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), told.set()), daemon=True).start()
    async with app.run_test(size=(160, 40)) as pilot:
        while not told.is_set():
            screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
            status = screen.probe_statuses.get("web")
            board = screen.query_one(ProbeBoard)
            index = board.get_row_index("web") if status else None
            line = board.render_row(index).text if index is not None else ""
            print(json.dumps({"role": app.probe_runner.role, "web": status.state.value if status else None,
                              "board": line}), flush=True)
            await pilot.pause(0.1)
    ledger.close()

asyncio.run(main(*sys.argv[1:]))
"""


class HeadlessConsole:
    def __init__(self, runbook, db, operator: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", CONSOLE, str(runbook), str(db), operator],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.shown: dict = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.shown = json.loads(line)

    def wait_for(self, condition: Callable[[dict], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self.shown):
            if self.process.poll() is not None:
                pytest.fail(f"the console ended while waiting for {what}: {self.process.stderr.read()}")
            assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}; it shows {self.shown}"
            time.sleep(0.05)

    def quit(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def test_two_consoles_on_one_ledger_probe_once_and_the_other_takes_over(runbook_file, tmp_path):
    db = tmp_path / "shared.sqlite"
    ana = HeadlessConsole(runbook_file, db, "ana")
    lee = None
    try:
        ana.wait_for(lambda s: s.get("role") == PROBING and s.get("web") == "UP", "ana probing, web UP")
        lee = HeadlessConsole(runbook_file, db, "lee")
        lee.wait_for(lambda s: s.get("role") == FOLLOWING and s.get("web") == "UP", "lee following, web UP")

        Flip.healthy = False
        ana.wait_for(lambda s: s.get("web") == "DOWN", "web DOWN on ana's console")
        # Lee's console shows it too, from the samples ana's console stores: on the board as well.
        lee.wait_for(lambda s: s.get("web") == "DOWN" and "✖ DOWN" in s.get("board", ""), "web DOWN on lee's board")
        assert lee.shown["role"] == FOLLOWING

        assert ana.quit() == 0
        lee.wait_for(lambda s: s.get("role") == PROBING, "lee taking over")
        Flip.healthy = True
        lee.wait_for(lambda s: s.get("web") == "UP", "web UP again, checked by lee's console")
        assert lee.quit() == 0
    finally:
        ana.kill()
        if lee is not None:
            lee.kill()

    with Ledger.open(db, "probe-sharing", "observer") as ledger:
        changes = web_changes(ledger)
    node = node_id()  # the same data folder: the same machine as both consoles
    # Each change once (not once per console), by the machine, with no change made up at the takeover.
    assert [(e.body["from"], e.body["to"]) for e in changes] == [("UP", "DOWN"), ("DOWN", "UP")]
    assert {(e.operator, e.node, e.body["vantage"]) for e in changes} == {(f"probe@{node}", node, node)}
    assert [e.seq for e in changes] == [1, 2] and changes[1].prev == changes[0].id  # one chain, whoever wrote


# --- in one process: the lock, and handing over -----------------------------------------------------

def test_the_prober_lock_is_exclusive_private_and_freed_on_release(tmp_path):
    db = tmp_path / "billing.sqlite"
    first, second = ProberLock(db), ProberLock(db)
    assert first.try_acquire() and first.try_acquire()  # asking again while holding it is a yes
    assert not second.try_acquire()
    assert (first.path.stat().st_mode & 0o777) == 0o600 and first.path.name == "billing.sqlite.prober.lock"
    first.release()
    assert second.try_acquire()
    second.release()


def test_the_prober_lock_refuses_a_symlink(tmp_path):
    from warroom.store import LedgerError

    db = tmp_path / "billing.sqlite"
    (tmp_path / "elsewhere").write_text("")
    (tmp_path / "billing.sqlite.prober.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(LedgerError, match="take turns"):
        ProberLock(db).try_acquire()


def test_a_follower_takes_over_when_the_prober_stops(runbook_file, tmp_path):
    runbook = load(runbook_file)
    ledgers = [Ledger.open(tmp_path / "l.sqlite", runbook.id, name) for name in ("ana", "lee")]
    shown: list[list] = [[], []]
    runners = [ProbeRunner(runbook.probes, ledger, lambda statuses, events, i=i: shown[i].extend(statuses))
               for i, ledger in enumerate(ledgers)]
    try:
        runners[0].start()
        wait(lambda: runners[0].role == PROBING, "the first runner probing")
        runners[1].start()
        wait(lambda: any(s.state is ProbeState.UP for s in shown[1]), "the follower showing web UP")
        assert runners[1].role == FOLLOWING
        runners[0].stop()
        wait(lambda: runners[1].role == PROBING, "the follower taking over")
    finally:
        for runner in runners:
            runner.stop()
        for ledger in ledgers:
            ledger.close()


def wait(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.02)


# --- reopening ------------------------------------------------------------------------------------

async def test_reopening_records_nothing_new_and_shows_the_past_at_once(runbook_file, console):
    runbook = load(runbook_file)
    first = console.app(runbook, probes=True)
    async with console.run(first, size=(160, 40)) as ui:
        await ui.until(lambda: "web" in ui.screen.probe_statuses
                       and ui.screen.probe_statuses["web"].state is ProbeState.UP, "web UP", timeout=15)
        Flip.healthy = False
        await ui.until(lambda: web_changes(first.ledger), "web's change recorded", timeout=15)
        await ui.until(lambda: len(first.ledger.recent_samples("web")) >= 5, "five checks of web", timeout=15)
        recorded = [e.id for e in first.ledger.events()]
        stored = len(first.ledger.samples.recent("web", 1000))

    again = console.app(runbook, probes=True)
    async with console.run(again, size=(160, 40)) as ui:
        await ui.until(lambda: "web" in ui.screen.probe_statuses, "web on the board", timeout=15)
        at_once = ui.screen.probe_statuses["web"]
        # As it was last recorded, with the uptime and the sparkline of the checks before.
        assert at_once.state is ProbeState.DOWN
        assert at_once.uptime_1h is not None and at_once.uptime_24h is not None
        assert len(at_once.history) >= min(stored, HISTORY_SIZE)
        await ui.until(lambda: len(again.ledger.samples.recent("web", 1000)) >= stored + 3, "three more checks",
                       timeout=15)
        # Still failing, as when it closed: no UNKNOWN -> DOWN, nothing at all.
        assert [e.id for e in again.ledger.events()] == recorded
