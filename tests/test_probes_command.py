"""command probes: real processes, their own process group, killed at timeout, output capped;
nothing they start outlives the check, daemons included."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
from test_probes_support import live_members, spec, wait_until

from warroom.probes import judge, make_check, to_config
from warroom.probes.kinds.command_probe import MAX_STDOUT

# A daemon: the parent forks a child that leaves the session (setsid), writes its pid to the file
# given, and sleeps holding stdout and stderr; the parent returns once the child is set up.
DAEMONISE = """
import os, sys, time
ready, set_up = os.pipe()
if os.fork():
    os.close(set_up)
    os.read(ready, 1)
    sys.exit(0)
os.setsid()
with open(sys.argv[1], "w") as pid_file:
    pid_file.write(str(os.getpid()))
os.write(set_up, b"x")
time.sleep(30)
"""


def daemonising_command(pid_file) -> str:
    return f"{sys.executable} -S -c '{DAEMONISE}' {pid_file}; echo ok"  # -S: starts in ~15 ms, not ~90


async def run(command, **options):
    config = to_config(spec("command", command, **options))
    result = await make_check(config).run()
    return result, judge(config, result)


async def test_true_passes():
    result, verdict = await run("true")
    assert verdict.ok
    assert result.result["status"] == 0
    assert result.value == "exit 0"


async def test_false_fails_with_the_exit_code():
    result, verdict = await run("false")
    assert result.result["status"] == 1
    assert not verdict.ok and verdict.reason == "[STATUS] (1) == 0"


async def test_stdout_is_the_body():
    result, verdict = await run("echo hello", expect=("[STATUS] == 0", "[BODY] == hello"))
    assert verdict.ok, verdict.reason
    assert result.result["body"] == "hello\n"
    assert result.value == "exit 0: hello"


async def test_json_stdout_works_with_paths():
    _, verdict = await run("""printf '{"replicas": 3}'""", expect=("[BODY].replicas >= 3",))
    assert verdict.ok, verdict.reason


async def test_stderr_explains_a_failure():
    result, _ = await run("echo starting; echo 'replica lag 42s' >&2; exit 3")
    assert result.value == "exit 3: replica lag 42s"


async def test_timeout_kills_the_whole_process_group(tmp_path):
    pid_file = tmp_path / "pid"
    # The shell starts two sleeps; both must die with it.
    result, verdict = await run(f"echo $$ > {pid_file}; sleep 10 & sleep 10; wait", timeout="500ms")
    assert result.error == "timed out after 500ms"
    assert not verdict.ok and verdict.reason == "timed out after 500ms"
    pgid = int(pid_file.read_text())
    assert wait_until(lambda: not live_members(pgid), timeout=3.0), live_members(pgid)


async def test_a_flood_of_output_is_capped_and_drained():
    result, verdict = await run("yes | head -c 10000000", timeout="20s")
    assert verdict.ok, verdict.reason  # head's exit code, not a broken pipe
    assert len(result.result["body"]) == MAX_STDOUT


async def test_background_children_do_not_outlive_the_check(tmp_path):
    pid_file = tmp_path / "pid"
    result, _ = await run(f"echo $$ > {pid_file}; (sleep 10 >/dev/null 2>&1 &); true")
    assert result.result["status"] == 0
    pgid = int(pid_file.read_text())
    assert wait_until(lambda: not live_members(pgid), timeout=3.0)


async def test_a_missing_program_is_exit_127():
    result, verdict = await run("definitely-not-a-program-warroom")
    assert result.result["status"] == 127
    assert not verdict.ok
    assert "not found" in result.value


async def test_runs_in_its_own_session():
    result, _ = await run("ps -o sid= -p $$ | tr -d ' '; echo $$")
    sid, pid = result.result["body"].split()
    assert sid == pid and int(pid) != os.getsid(0)


def is_gone(pid: int) -> bool:
    """Not running: no such pid, or a zombie (a container's init may not reap)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def test_a_daemon_that_left_the_session_ends_with_the_check(tmp_path):
    pid_file = tmp_path / "pid"
    result, verdict = await run(daemonising_command(pid_file), expect=("[STATUS] == 0", "[BODY] == ok"))
    assert verdict.ok, verdict.reason  # its output ended with the shell, not with the daemon or the timeout
    daemon = int(pid_file.read_text())
    assert wait_until(lambda: is_gone(daemon), timeout=3.0), f"daemon {daemon} outlived the check"


# Runs 200 checks of a daemonising command, 10 at a time, under a limit of 64 descriptors (in its own
# process, so the limit is not pytest's), and says what was open and running before and after.
UNDER_A_DESCRIPTOR_LIMIT = """
import asyncio, json, os, resource, sys
from types import MappingProxyType
import psutil
from warroom.probes import make_check, to_config
from warroom.probes.kinds.process_tree import MARKER
from warroom.runbook.model import ProbeSpec

CHECKS, AT_ONCE = 200, 10

def descriptors():
    return len(os.listdir("/proc/self/fd"))

def processes():
    marked = 0
    for process in psutil.process_iter():
        try:
            marked += MARKER in process.environ()
        except psutil.Error:
            pass
    return {"children": len(psutil.Process().children(recursive=True)), "marked": marked}

async def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    check = make_check(to_config(ProbeSpec("daemon", "command", sys.argv[1], MappingProxyType({}))))
    before = {"descriptors": descriptors(), **processes()}
    failures = []
    remaining = iter(range(CHECKS))

    async def worker():
        for _ in remaining:
            if failures:  # one is enough to know
                return
            result = await check.run()
            if result.error or result.result.get("body") != "ok\\n":
                failures.append(result.error or result.value)

    await asyncio.gather(*(worker() for _ in range(AT_ONCE)))
    after = {"descriptors": descriptors(), **processes()}
    print(json.dumps({"before": before, "after": after, "failures": failures}))

asyncio.run(main())
"""


def test_daemonising_checks_leave_no_descriptor_or_process_behind():
    done = subprocess.run([sys.executable, "-c", UNDER_A_DESCRIPTOR_LIMIT, "setsid sh -c 'sleep 30' & echo ok"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["failures"] == []  # no "Too many open files", no timeout
    assert report["after"] == report["before"]
    assert report["before"]["marked"] == 0
