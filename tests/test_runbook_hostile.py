"""Hostile runbook files: alias bombs, paths that are not files, files too big to be a runbook.
Each is refused with one problem, at once; the bombs and the FIFO run the real command in a
subprocess with a timeout, so a regression fails the test instead of hanging or eating memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from support import pure_env

from warroom.ops.loading import load_runbook
from warroom.runbook import RunbookError, load, yamlnodes
from warroom.runbook.loader import MAX_RUNBOOK_BYTES
from warroom.runbook.yamlnodes import MAX_ALIASED_NODES, MAX_ALIASES

# Far longer than a refusal takes (under a second); short enough to fail rather than hang.
COMMAND_TIMEOUT_S = 60

HEAD = """\
id: hostile
title: Hostile input
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
"""
ONE_STEP = "steps: [{id: a, title: A, duration: 5m}]\n"
PROBLEM_LINE = re.compile(r"(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)")


def billion_laughs() -> str:
    """Ten lists of ten aliases, each to the list before: 10**10 values, used as a probe option."""
    levels = ["x-l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"x-l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 10)]
    return HEAD + ONE_STEP + "\n".join(levels) + "\nprobes:\n  - {name: db, tcp: 'db:5432', note: *l9}\n"


def merge_bomb() -> str:
    """Each mapping merges the one before three times over: a step that merges the last is 3**29."""
    levels = ["x-m0: &m0 {duration: 5m}"]
    levels += [f"x-m{n}: &m{n} {{<<: [*m{n - 1}, *m{n - 1}, *m{n - 1}]}}" for n in range(1, 30)]
    return HEAD + "\n".join(levels) + "\nsteps:\n  - {<<: *m29, id: a, title: A}\n"


def run_warroom(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warroom", *map(str, args)], capture_output=True, text=True,
                          env=pure_env(), cwd=cwd, timeout=COMMAND_TIMEOUT_S)


def the_one_problem(proc: subprocess.CompletedProcess[str]) -> re.Match[str]:
    """The command refused its runbook: exit 2 and one `file:line:col: message` line, no traceback."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    [line] = proc.stderr.splitlines()
    found = PROBLEM_LINE.fullmatch(line)
    assert found, line
    return found


def text_at(text: str, line: int, col: int) -> str:
    return text.splitlines()[line - 1][col - 1:]


@pytest.mark.parametrize("bomb", [billion_laughs, merge_bomb])
def test_an_alias_bomb_is_refused_at_an_alias(bomb, tmp_path):
    text = bomb()
    assert len(text) < 2000  # small files: the harm is all in the expansion
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    found = the_one_problem(run_warroom("validate", path, cwd=tmp_path))
    assert found["file"] == str(path)
    assert text_at(text, int(found["line"]), int(found["col"])).startswith("*")
    assert found["message"] == (f"the YAML aliases up to this one stand for more than {MAX_ALIASED_NODES:,} "
                                f"values (nested aliases multiply); write the values out instead")


@pytest.fixture(params=["libyaml", "pure"])
def parser(request, monkeypatch):
    """Either YAML parser: a refused alias is found again with the parser that composed the file."""
    if request.param == "pure":
        monkeypatch.setattr(yamlnodes, "_FastLoader", None)
    return request.param


def test_an_alias_inside_its_own_value_is_refused_at_the_alias(parser, tmp_path):
    path = tmp_path / "loop.yaml"
    text = HEAD + ONE_STEP + "probes:\n  - {name: db, tcp: 'db:5432', note: &loop [lol, *loop]}\n"
    path.write_text(text)
    with pytest.raises(RunbookError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert problem.line == 6 and text_at(text, problem.line, problem.col) == "*loop]}"
    assert problem.message == ("the alias *loop is inside the value &loop it names, so that value never ends; "
                               "write the values out instead")


def reused_anchors(padding_aliases: int) -> str:
    """A runbook that reuses its anchors as people do (merged defaults, shared probe options,
    five aliases), plus `padding_aliases` more, one a line, at the end."""
    return HEAD + """\
x-step: &step_defaults {owner: Ops, duration: 5m, phase: Night}
x-probe: &probe_defaults {interval: 10s, fail_after: 3}
steps:
  - {<<: *step_defaults, id: a, title: A}
  - {<<: *step_defaults, id: b, title: B, owner: DBA}
probes:
  - {name: web, http: "http://127.0.0.1:8080/", <<: *probe_defaults, headers: &headers {Accept: text/plain}}
  - {name: api, http: "http://127.0.0.1:8081/", <<: *probe_defaults, headers: *headers}
x-padding:
""" + "  - *headers\n" * padding_aliases


def test_reused_anchors_read_as_written_up_to_the_alias_limit_and_one_more_is_refused(parser, tmp_path):
    path = tmp_path / "anchors.yaml"
    path.write_text(reused_anchors(MAX_ALIASES - 5))
    runbook = load_runbook(path)
    assert [(s.owner, s.duration, s.phase) for s in runbook.steps] == [
        ("Ops", timedelta(minutes=5), "Night"), ("DBA", timedelta(minutes=5), "Night")]
    for probe in runbook.probes:
        assert probe.options["interval"] == "10s" and probe.options["fail_after"] == 3
        assert dict(probe.options["headers"]) == {"Accept": "text/plain"}

    text = reused_anchors(MAX_ALIASES - 4)
    path.write_text(text)
    with pytest.raises(RunbookError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (len(text.splitlines()), 5)  # the last alias
    assert problem.message == f"the runbook uses more than {MAX_ALIASES:,} YAML aliases; write the values out instead"


@pytest.mark.parametrize("command", ["validate", "status"])
def test_a_fifo_is_refused_at_once_not_waited_on(command, tmp_path):
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    args = [command, fifo] if command == "validate" else [command, fifo, "--db", tmp_path / "x.sqlite"]
    found = the_one_problem(run_warroom(*args, cwd=tmp_path))
    assert found.group(0) == (f"{fifo}:1:1: cannot read the file: it is a named pipe (FIFO), not a regular "
                              f"file; give the path of the runbook's YAML file")


def _socket_file(folder: Path) -> Path:
    path = folder / "plan.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.close()  # the socket file stays
    return path


@pytest.mark.parametrize("make, kind", [
    (lambda folder: Path("/dev/null"), "a device"),
    (lambda folder: folder, "a directory"),
    (_socket_file, "a socket"),
], ids=["device", "directory", "socket"])
def test_only_a_regular_file_is_read_as_a_runbook(make, kind, tmp_path):
    path = make(tmp_path)
    with pytest.raises(RunbookError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert str(problem) == (f"{path}:1:1: cannot read the file: it is {kind}, not a regular file; "
                            f"give the path of the runbook's YAML file")


def test_a_runbook_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    at_limit = HEAD + ONE_STEP
    path.write_text(at_limit + "#" * (MAX_RUNBOOK_BYTES - len(at_limit) - 1) + "\n")
    assert path.stat().st_size == MAX_RUNBOOK_BYTES
    assert load(path).id == "hostile"

    with path.open("r+b") as stream:  # sparse: 64 MiB on paper, nothing on disk
        stream.truncate(64 << 20)
    with pytest.raises(RunbookError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert str(problem) == (f"{path}:1:1: cannot read the file: it is larger than 4 MiB, far more than a "
                            f"runbook; check that this is the right file")
