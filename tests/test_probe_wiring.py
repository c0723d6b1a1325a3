"""Probes in the product: `warroom probe` as a gate, and live probe state in the console."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from support import main_screen as screen
from support import until

from warroom.runbook import load
from warroom.store import Ledger
from warroom.tui.app import WarroomApp
from warroom.tui.cli import main
from warroom.widgets.activity import ActivityLog

RUNBOOK_TEMPLATE = """
id: probe-gate
title: Probe gate
window: {{start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}}
steps:
  - {{id: check-web, title: Check the web tier, duration: 10m, validate: [probe: web]}}
  - {{id: after, title: Afterwards, duration: 10m}}
probes:
  - {{name: web, http: "http://127.0.0.1:{port}/healthz", expect: ["[STATUS] == 200", "[BODY].status == UP"], interval: 200ms, fail_after: 1}}
  - {{name: cpu, host: cpu, warn_above: 100, fail_above: 100}}
"""
# The cpu probe never goes above 100%: on a busy test machine it stays UP, so only web decides.


class Health(BaseHTTPRequestHandler):
    healthy = True

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = json.dumps({"status": "UP" if Health.healthy else "DOWN"}).encode()
        self.send_response(200 if Health.healthy else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Health.healthy = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def runbook_file(tmp_path, server):
    path = tmp_path / "gate.yaml"
    path.write_text(RUNBOOK_TEMPLATE.format(port=server.server_address[1]))
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_probe_gate_exit_codes_and_json(runbook_file):
    ok = run("probe", runbook_file, "--json")
    assert ok.exit_code == 0, ok.output
    results = {r["name"]: r for r in json.loads(ok.output)}
    assert results["web"]["state"] == "UP" and results["web"]["response_time_ms"] is not None
    assert set(results["web"]) == {"name", "kind", "state", "value", "response_time_ms", "failed_condition"}

    Health.healthy = False
    down = run("probe", runbook_file, "--only", "web")
    assert down.exit_code == 1
    assert "DOWN" in down.output and "[STATUS] (500) == 200" in down.output


def test_probe_gate_unknown_name_and_bad_condition(runbook_file):
    unknown = run("probe", runbook_file, "--only", "wbe")
    assert unknown.exit_code == 2 and "did you mean 'web'" in unknown.output
    runbook_file.write_text(runbook_file.read_text().replace("[STATUS] == 200", "[STATUS] = 200"))
    bad = run("probe", runbook_file)
    assert bad.exit_code == 2 and "Traceback" not in bad.output


BUSY_RUNBOOK = """
id: busy
title: A busy machine
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps: [{id: wait, title: Wait, duration: 10m}]
probes:
  - {name: host-cpu, host: cpu, warn_above: 100, fail_above: 100}
"""
BURN = "print('burning', flush=True)\nwhile True:\n    pass\n"


def test_probe_gate_reads_a_busy_cpu_as_busy(tmp_path):
    """One check, no history: the reading still spans a real interval, from whichever thread."""
    runbook = tmp_path / "busy.yaml"
    runbook.write_text(BUSY_RUNBOOK)
    burner = subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE, text=True)
    try:
        assert burner.stdout.readline().strip() == "burning"
        for _ in range(3):
            answer = run("probe", runbook, "--json")
            assert answer.exit_code == 0, answer.output
            value = json.loads(answer.output)[0]["value"]  # "cpu 51.0%"
            assert float(value.removeprefix("cpu ").removesuffix("%")) > 0.0, value
    finally:
        burner.kill()
        burner.wait()


async def test_console_shows_probe_state_and_records_changes(runbook_file, console):
    app = console.app(load(runbook_file), probes=True)
    ledger = app.ledger

    def web_changes() -> list:
        return [e for e in ledger.events() if e.kind == "probe.changed" and e.subject == "web"]

    def web_state(ui) -> str:
        status = ui.screen.probe_statuses.get("web")
        return status.state.value if status else "?"

    async with console.run(app, size=(160, 40)) as ui:
        await ui.until(lambda: web_state(ui) == "UP", "the web probe UP", timeout=10)
        await ui.until(lambda: "web●" in ui.step_line("check-web"), "web● in the step's checks")
        Health.healthy = False
        await ui.until(lambda: web_state(ui) == "DOWN", "the web probe DOWN", timeout=10)
        await ui.until(lambda: "web✖" in ui.step_line("check-web"), "web✖ in the step's checks")
        # Only web's changes: the cpu probe may change too on a busy machine.
        await ui.until(lambda: web_changes(), "web's change in the ledger", timeout=5)
        # The change is in the activity at once.
        activity = ui.screen.query_one(ActivityLog)
        await ui.until(lambda: any(row.text.startswith("probe web DOWN (was UP)") for row in activity.entries),
                       "the change in the log")
        changes = web_changes()
        assert changes[0].body["to"] == "DOWN"
        assert changes[0].body["vantage"] == ledger.node and "[STATUS] (500) == 200" in changes[0].body["failed_condition"]
        # Written by this machine, not by the operator who has the console open (nor with a
        # runbook.loaded of the operator's before it).
        assert changes[0].operator == f"probe@{ledger.node}" and changes[0].node == ledger.node
        assert all(e.operator != "tester" for e in ledger.events())
        assert ledger.recent_samples("web", limit=1)[0].state == "DOWN"
    await asyncio.sleep(0)


async def test_demo_break_key_drives_a_probe_down_and_back(db_path):
    """The demo's `b` key: slow (DEGRADED), failing (DOWN), healthy again (UP).

    The thresholds sit far from the service's answers, so a busy machine cannot tip a check over
    one: healthy answers take milliseconds and have 1 s before they count as slow; slow ones wait
    1.5 s, which nothing can shorten; and no answer is ever too slow to be UP."""
    from dataclasses import replace
    from types import MappingProxyType

    from support import WEB_CUTOVER

    from warroom.tui.demo_service import DemoService, point_probes_at

    with DemoService(slow_delay=1.5) as service:
        runbook = point_probes_at(load(WEB_CUTOVER), service)
        quick = {"interval": "200ms", "fail_after": 2, "recover_after": 1,
                 "expect": ("[STATUS] == 200",), "warn": ("[RESPONSE_TIME] < 1000",)}
        runbook = replace(runbook, probes=tuple(
            replace(s, options=MappingProxyType({**s.options, **quick})) for s in runbook.probes if s.name == "web"))
        ledger = Ledger.open(db_path, runbook.id, "tester", runbook_sha256=runbook.sha256)
        app = WarroomApp(runbook, ledger, demo=service)

        def web() -> str:
            status = screen(app).probe_statuses.get("web")
            return status.state.value if status else "?"

        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: web() == "UP", timeout=10)
            assert any(b.binding.key == "b" and b.enabled for b in app.active_bindings.values() if b.binding.show)
            await pilot.press("b")
            await until(pilot, lambda: web() == "DEGRADED", timeout=10)
            await pilot.press("b")
            await until(pilot, lambda: web() == "DOWN", timeout=10)
            await pilot.press("b")
            await until(pilot, lambda: web() == "UP", timeout=10)
        path = [e.body["to"] for e in ledger.events() if e.kind == "probe.changed"]
        assert path == ["DEGRADED", "PENDING", "DOWN", "UP"]
        ledger.close()


async def test_break_key_is_hidden_outside_the_demo(console):
    async with console.run(size=(160, 40)) as ui:
        assert not any(b.binding.key == "b" for b in ui.app.active_bindings.values())


async def test_enter_on_a_probe_opens_its_history_from_the_ledger(runbook_file, console):
    from warroom.tui.probe_history import ProbeHistory

    app = console.app(load(runbook_file), probes=True)
    async with console.run(app, size=(160, 40)) as ui:
        await ui.until(lambda: "web" in ui.screen.probe_statuses
                       and ui.screen.probe_statuses["web"].state.value == "UP", "the web probe UP", timeout=10)
        await ui.until(lambda: len(app.ledger.recent_samples("web")) >= 2, "two samples of web", timeout=10)
        await ui.press("7", "enter")
        await ui.until(lambda: isinstance(app.screen, ProbeHistory), "the probe history")
        assert app.screen.status.name == "web" and len(app.screen.samples) >= 2
        await ui.press("escape")
        await ui.until(lambda: not isinstance(app.screen, ProbeHistory))


# The console's probes as the app runs them (ProbeRunner: the scheduler in a thread of its own),
# stopped as quitting stops them while command checks are mid-run: slow ones, daemons holding
# their output open, and quick ones ending just as the stop comes.
STOP_MID_RUN = """
import sys, time
from types import MappingProxyType
import psutil
from warroom.probes.kinds.process_tree import MARKER
from warroom.runbook.model import ProbeSpec
from warroom.store import Ledger
from warroom.tui.probe_runner import ProbeRunner

COMMANDS = {"slow": "sleep 20", "daemon": "setsid sh -c 'sleep 20' & echo ok", "quick": "echo ok"}
specs = [ProbeSpec(f"{kind}{i}", "command", command, MappingProxyType({"interval": "100ms", "timeout": "30s"}))
         for kind, command in COMMANDS.items() for i in range(10)]

def marked():
    found = 0
    for process in psutil.process_iter():
        try:
            found += MARKER in process.environ()
        except psutil.Error:
            pass
    return found

runner = ProbeRunner(specs, Ledger.open(sys.argv[1], "stop-mid-run", "tester"), lambda statuses, events: None)
runner.start()
deadline = time.monotonic() + 20
while len(psutil.Process().children()) < 10 and time.monotonic() < deadline:  # the slow checks run
    time.sleep(0.05)
runner.stop()
print(marked())
"""


def test_quitting_mid_check_is_silent_and_ends_the_commands(tmp_path):
    done = subprocess.run([sys.executable, "-c", STOP_MID_RUN, str(tmp_path / "ledger.db")],
                          capture_output=True, text=True, timeout=120)
    assert done.stderr == ""  # no "Event loop is closed", no "Task was destroyed but it is pending"
    assert done.returncode == 0
    assert done.stdout.strip() == "0"  # no command a check started is still running
