"""Malformed runbooks: every one becomes a RunbookError naming the exact line and column."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.runbook import Problem, RunbookError, load, loads

BAD = Path(__file__).parent / "runbooks_bad"

# file -> (line, col, phrase the message must contain). Each file breaks one thing of a small
# valid runbook, so each gives exactly one problem.
CASES = {
    "yaml_syntax.yaml": (2, 23, "YAML syntax error: mapping values are not allowed here; a value containing ': ' must be quoted"),
    "tab_indent.yaml": (6, 1, "indent with spaces, not tabs"),
    "unclosed_quote.yaml": (6, 1, "quoted scalar on line 2"),
    "duplicate_key.yaml": (4, 1, "duplicate key 'title' (already given on line 2)"),
    "unknown_top_key.yaml": (3, 1, "unknown key 'timezon' at the top level (did you mean 'timezone'?)"),
    "unknown_step_key.yaml": (11, 5, "unknown key 'comand' in step 'deploy' (did you mean 'command'?)"),
    "unknown_window_key.yaml": (6, 3, "unknown key 'rollback_deadlin' in window (did you mean 'rollback_deadline'?)"),
    "missing_duration.yaml": (8, 5, "step 'deploy' has no duration; add e.g. duration: 10m"),
    "missing_title.yaml": (1, 1, "the runbook has no title"),
    "step_without_id.yaml": (8, 5, "step 2 has no id; add e.g. id: deploy-application-code"),
    "duration_without_unit.yaml": (7, 15, "write 15m, not 15"),
    "duration_is_list.yaml": (7, 15, "step 'backup' duration must be a duration like 15m"),
    "unknown_dependency.yaml": (11, 13, "step 'deploy-app' depends on unknown step 'bakup' (did you mean 'backup'?)"),
    "dependency_cycle.yaml": (8, 5, "steps depend on each other in a cycle: a -> b -> c -> a"),
    "self_dependency.yaml": (11, 22, "step 'deploy' depends on itself; remove 'deploy' from its after list"),
    "duplicate_step_id.yaml": (8, 9, "duplicate step id 'backup' (already used on line 5)"),
    "unknown_probe.yaml": (8, 23, "unknown probe 'dbb' (did you mean 'db'?)"),
    "duplicate_probe_name.yaml": (8, 12, "duplicate probe name 'db'"),
    "probe_with_two_kinds.yaml": (9, 5, "probe 'db' has both tcp and http"),
    "unknown_go_no_go_category.yaml": (7, 5, "unknown go/no-go category 'operationl' (did you mean 'operational'?)"),
    "window_end_before_start.yaml": (5, 8, "window end 07:00 is not after its start 08:00"),
    "window_start_without_offset.yaml": (4, 10, "window start '2026-11-28T08:00' has no UTC offset; write 2026-11-28T08:00+01:00 or add timezone: Europe/Madrid"),
    "unknown_timezone.yaml": (3, 11, "unknown timezone 'Europe/Madird' (did you mean 'Europe/Madrid'?)"),
    "bad_runbook_id.yaml": (1, 5, "may use only lowercase letters, digits, '-' and '_'"),
    "steps_not_a_list.yaml": (5, 3, "steps must be a list"),
    "empty_steps.yaml": (4, 8, "steps is empty"),
    "empty.yaml": (1, 1, "the runbook is empty; it needs at least id, title, window and steps"),
    "not_a_mapping.yaml": (1, 1, "the runbook must be a mapping"),
    "approval_negative.yaml": (8, 15, "approval must be a whole number >= 0"),
    "duplicate_checklist_item.yaml": (8, 7, "duplicate checklist item id 'pre_deployment/war-room-prepared' (already used on line 6)"),
    "smoke_tests_under_checklists.yaml": (6, 3, "smoke_tests goes at the top level"),
    "unknown_severity_level.yaml": (6, 3, "unknown severity level 'P7'; use P1, P2, P3 or P4"),
    "bad_time.yaml": (3, 89, "'25:00' is not a time of day"),
    "bad_step_at.yaml": (8, 9, "step 'backup' at: '9am' is not a time"),
}


def test_every_fixture_is_listed():
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_runbook_points_at_the_problem(name):
    line, col, phrase = CASES[name]
    path = BAD / name
    with pytest.raises(RunbookError) as caught:
        load(path)
    problems = caught.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.file, problem.line, problem.col, problem.severity) == (str(path), line, col, "error")
    assert phrase in problem.message
    assert str(problem) == f"{path}:{line}:{col}: {problem.message}"
    assert str(caught.value) == str(problem)


def test_problem_str_is_file_line_col_message():
    problem = Problem("plan.yaml", 42, 5, "step 'deploy-app' depends on unknown step 'bakup'")
    assert str(problem) == "plan.yaml:42:5: step 'deploy-app' depends on unknown step 'bakup'"
    assert problem.severity == "error"


def test_all_problems_are_collected_and_sorted():
    text = """\
id: Bad Id
title: Demo
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps:
  - id: a
    title: A
    duration: 15
    comand: x
  - {id: b, title: B, duration: 5m, after: [zz], approval: lots}
"""
    with pytest.raises(RunbookError) as caught:
        loads(text, "plan.yaml")
    found = [(p.line, p.col) for p in caught.value.problems]
    assert found == [(1, 5), (7, 15), (8, 5), (9, 45), (9, 60)]
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]


def test_every_independent_cycle_is_reported_at_its_first_step():
    text = """\
id: demo
title: Demo
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps:
  - {id: prepare, title: Prepare, duration: 5m}
  - {id: a, title: A, duration: 5m, after: [d]}
  - {id: b, title: B, duration: 5m, after: [c]}
  - {id: c, title: C, duration: 5m, after: [b]}
  - {id: d, title: D, duration: 5m, after: [a]}
  - {id: e, title: E, duration: 5m, after: [prepare]}
  - {id: f, title: F, duration: 5m, after: [h]}
  - {id: g, title: G, duration: 5m, after: [f]}
  - {id: h, title: H, duration: 5m, after: [g]}
  - {id: i, title: I, duration: 5m, after: [j, a]}
  - {id: j, title: J, duration: 5m, after: [i]}
"""
    with pytest.raises(RunbookError) as caught:
        loads(text, "plan.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "plan.yaml:6:5: steps depend on each other in a cycle: a -> d -> a",
        "plan.yaml:7:5: steps depend on each other in a cycle: b -> c -> b",
        "plan.yaml:11:5: steps depend on each other in a cycle: f -> g -> h -> f",
        "plan.yaml:14:5: steps depend on each other in a cycle: i -> j -> i",  # waits for a's cycle, is not it
    ]


def test_a_self_dependency_is_not_also_reported_as_a_cycle_but_a_cycle_through_it_is():
    text = """\
id: demo
title: Demo
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps:
  - {id: a, title: A, duration: 5m, after: [a, b]}
  - {id: b, title: B, duration: 5m, after: [a]}
"""
    with pytest.raises(RunbookError) as caught:
        loads(text, "plan.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "plan.yaml:5:5: steps depend on each other in a cycle: a -> b -> a",
        "plan.yaml:5:45: step 'a' depends on itself; remove 'a' from its after list",
    ]


def test_missing_file_is_a_runbook_error(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(RunbookError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message == "cannot read the file: No such file or directory"
    assert problem.file == str(path)


def test_directory_is_a_runbook_error(tmp_path):
    with pytest.raises(RunbookError, match="cannot read the file"):
        load(tmp_path)


def test_non_utf8_file_points_at_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: demo\ntitle: Caf\xe9\n")
    with pytest.raises(RunbookError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (2, 11)
    assert "not UTF-8" in problem.message


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("&x {<<: *x}\n", "the alias *x is inside the value &x it names"),
        ("[" * 3000 + "]" * 3000, "nests too deeply"),
        ("id: a\n---\nid: b\n", "a runbook is one YAML document"),
        ("id: a\x07\n", "unacceptable character #x0007"),
        ("just a sentence\n", "must be a mapping"),
        ("# only a comment\n", "the runbook is empty"),
    ],
)
def test_odd_documents_are_problems_not_tracebacks(text, phrase):
    with pytest.raises(RunbookError) as caught:
        loads(text)
    assert phrase in str(caught.value)


VALID = """\
id: demo
title: Demo
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00, rollback_deadline: 14:00}
checklists:
  go_no_go: {functional: [Tested]}
steps:
  - {id: a, title: A, duration: 15m, validate: [probe: db]}
  - {id: b, title: B, duration: 1:30, after: [a]}
probes:
  - {name: db, tcp: "db:5432"}
"""


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(cut=st.integers(0, len(VALID)), junk=st.text(max_size=8))
def test_mangled_runbooks_never_escape_as_tracebacks(cut, junk):
    text = VALID[:cut] + junk + VALID[cut:]
    try:
        loads(text)
    except RunbookError as error:
        assert error.problems
        assert all(p.line >= 1 and p.col >= 1 for p in error.problems)
        assert "internal error" not in str(error)


TEAM_HEAD = """\
id: demo
title: Demo
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps: [{id: a, title: A, duration: 5m}]
team:
  - {role: Lead, name: Ana Ruiz}
"""
GOOD_KEY = "ed25519:" + base64.b64encode(bytes(range(32))).decode()


@pytest.mark.parametrize(
    "member, line, col, message",
    [
        # too short, an RSA line from ssh, the right length but a non-canonical last character,
        # and a key of someone's without its prefix
        ("- {role: DBA, name: Lee, key: ed25519:AAAA}", 7, 33,
         "team member 2 key is not a public key warroom made; paste the line `warroom keys show` prints"),
        ("- {role: DBA, name: Lee, key: 'ssh-rsa AAAAB3NzaC1yc2E'}", 7, 33,
         "team member 2 key is not a public key warroom made; paste the line `warroom keys show` prints"),
        (f"- {{role: DBA, name: Lee, key: {GOOD_KEY[:-2]}B=}}", 7, 33,
         "team member 2 key is not a public key warroom made; paste the line `warroom keys show` prints"),
        (f"- {{role: DBA, name: Lee, key: [{GOOD_KEY}, '{GOOD_KEY[8:]}']}}", 7, 88,
         "team member 2 key 2 is not a public key warroom made; paste the line `warroom keys show` prints"),
        ("- {role: DBA, name: Lee, key: {laptop: x}}", 7, 33,
         "team member 2 key must be text like ed25519:..., as `warroom keys show` prints it; found a mapping (key: value)"),
        ("- {role: DBA, name: Lee, keys: x}", 7, 28, "unknown key 'keys' in team member 2 (did you mean 'key'?)"),
    ],
)
def test_a_team_key_of_the_wrong_shape_points_at_itself(member, line, col, message):
    with pytest.raises(RunbookError) as caught:
        loads(TEAM_HEAD + "  " + member + "\n", "plan.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.col) == ("plan.yaml", line, col)
    assert problem.message == message
