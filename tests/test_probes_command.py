"""command probes: real processes, their own process group, killed at timeout, output capped."""

from __future__ import annotations

import os

from test_probes_support import live_members, spec, wait_until

from warroom.probes import judge, make_check, to_config
from warroom.probes.kinds.command_probe import MAX_STDOUT


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
