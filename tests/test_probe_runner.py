"""The probe runner as a follower: it leaves the scheduler's imports (httpx, dnspython, psutil) to
the console that probes until it takes over, and says a lasting read error once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from types import MappingProxyType

from warroom.runbook.model import ProbeSpec
from warroom.store import Ledger
from warroom.store.prober import ProberLock
from warroom.tui import probe_runner
from warroom.tui.probe_runner import FOLLOWING, PROBING, ProbeRunner

# In a process of its own, so that nothing imported the scheduler before. Another "console" holds
# the prober lock until the runner has shown what it follows, then lets go.
FOLLOWER = """
import sys, time
from types import MappingProxyType
from warroom.runbook.model import ProbeSpec
from warroom.store import Ledger
from warroom.store.prober import ProberLock
from warroom.tui.probe_runner import FOLLOWING, PROBING, ProbeRunner

def wait(condition):
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)

ledger = Ledger.open(sys.argv[1], "follower-imports", "tester")
prober = ProberLock(ledger.path)
assert prober.try_acquire()
shown = []
spec = ProbeSpec("db", "tcp", "127.0.0.1:9", MappingProxyType({"interval": "10s"}))
runner = ProbeRunner([spec], ledger, lambda statuses, events: shown.extend(statuses))
runner.start()
wait(lambda: runner.role == FOLLOWING and shown)
print("following", "warroom.probes.scheduler" in sys.modules, "httpx" in sys.modules)
prober.release()
wait(lambda: runner.role == PROBING)
print("probing", "warroom.probes.scheduler" in sys.modules)
runner.stop()
ledger.close()
"""


def test_a_follower_imports_the_scheduler_only_when_it_takes_over(tmp_path):
    done = subprocess.run([sys.executable, "-c", FOLLOWER, str(tmp_path / "ledger.sqlite")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["following False False", "probing True"]


def test_a_follower_says_a_lasting_read_error_once(tmp_path, monkeypatch):
    monkeypatch.setattr(probe_runner, "FOLLOW_SECONDS", 0.02)
    ledger = Ledger.open(tmp_path / "ledger.sqlite", "follower-errors", "tester")
    prober = ProberLock(ledger.path)
    assert prober.try_acquire()
    reads: list[str] = []
    failing = {"now": True}
    after = ledger.samples.after

    def read(position):
        reads.append("failed" if failing["now"] else "read")
        if failing["now"]:
            raise OSError("disk I/O error")
        return after(position)

    monkeypatch.setattr(ledger.samples, "after", read)
    errors: list[str] = []
    spec = ProbeSpec("db", "tcp", "127.0.0.1:9", MappingProxyType({"interval": "10s"}))
    runner = ProbeRunner([spec], ledger, lambda statuses, events: None, lambda error: errors.append(str(error)))
    try:
        runner.start()
        wait(lambda: reads.count("failed") >= 5, "five failed reads")
        assert runner.role == FOLLOWING
        assert errors == ["disk I/O error"]  # said once, not at every read
        failing["now"] = False
        wait(lambda: "read" in reads, "a good read")
        failing["now"] = True
        wait(lambda: reads.count("failed") >= 10, "five more failed reads")
        assert errors == ["disk I/O error"] * 2  # failing again after a good read is news again
    finally:
        runner.stop()
        prober.release()
        ledger.close()
    assert runner.role != PROBING  # it never took over: the lock was held throughout


def wait(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.01)
