"""Probe options the probes package rejects become runbook problems at the exact file:line:col."""

from __future__ import annotations

import pickle

import pytest
from support import SAMPLES

from warroom.ops.probe_validation import probe_problems
from warroom.runbook import Problem, load, loads
from warroom.runbook.model import Mark

HEAD = """\
id: probe-check
title: Probe validation
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
steps:
  - {id: deploy, title: Deploy, phase: Deployment, owner: DevOps, duration: 10m, rollback: undo}
probes:
"""  # the probes start on line 7


def problems_of(probes_yaml: str) -> list[Problem]:
    return probe_problems(loads(HEAD + probes_yaml, "probes.yaml"))


def at(probes_yaml: str, line_marker: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """(line, col), 1-based, of `needle` on the first line of the file containing `line_marker`."""
    lines = (HEAD + probes_yaml).splitlines()
    number = next(i for i, text in enumerate(lines) if line_marker in text)
    col = -1
    for _ in range(occurrence + 1):
        col = lines[number].index(needle, col + 1)
    return number + 1, col + 1


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


# --- conditions --------------------------------------------------------------------------------

def test_bad_operator_in_a_double_quoted_flow_item():
    probes = '  - {name: web, http: "http://127.0.0.1:8080/", expect: ["[STATUS] == 200", "[STATUS] = 200"]}\n'
    problem = only(problems_of(probes))
    # line 7: the second item's quote is at column 77, its text starts at 78, '=' is its 10th character.
    assert (problem.line, problem.col) == (7, 87)
    assert (problem.line, problem.col) == at(probes, "name: web", '= 200"]')
    assert problem.file == "probes.yaml"
    assert problem.message.startswith("probe 'web': invalid condition '[STATUS] = 200': '=' is not an operator")
    assert str(problem).startswith("probes.yaml:7:87: probe 'web': invalid condition")


def test_unknown_placeholder_in_a_plain_block_item():
    probes = (
        "  - name: api\n"
        "    http: http://127.0.0.1:8080/api\n"
        "    expect:\n"
        "      - len([BODY].items) > 0\n"
        "      - \"[STATUS] == 200\"\n"
        "    warn:\n"
        "      - len([BODY].items) > 1\n"
        "      - any([STATUS], 200) == [STATU]\n"  # unknown placeholder on the right
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == (14, 31)
    assert (problem.line, problem.col) == at(probes, "[STATU]", "[STATU]")
    assert "invalid warn condition 'any([STATUS], 200) == [STATU]'" in problem.message
    assert "unknown placeholder [STATU] (did you mean [STATUS]?)" in problem.message


def test_unknown_placeholder_in_a_single_quoted_block_item():
    probes = (
        "  - name: api\n"
        "    http: http://127.0.0.1:8080/api\n"
        "    expect:\n"
        "      - '[STATUS] == 200'\n"
        "      - '[BODI].status == UP'\n"
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == (11, 10)  # the quote is at 9, the placeholder at 10
    assert (problem.line, problem.col) == at(probes, "BODI", "[BODI]")
    assert "unknown placeholder [BODI] (did you mean [BODY]?)" in problem.message


def test_plain_items_in_flow_and_block_lists():
    probes = "  - {name: web, http: http://127.0.0.1:8080/, expect: [200 = 200]}\n"
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "name: web", "= 200")
    assert "invalid condition '200 = 200'" in problem.message
    probes = (
        "  - name: web\n"
        "    http: http://127.0.0.1:8080/\n"
        "    expect:\n"
        "      - len([BODY]) >> 0\n"
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == (10, 21)  # the first '>' of '>>'
    assert "invalid condition 'len([BODY]) >> 0': put a space on each side of '>'" in problem.message


def test_space_missing_around_an_operator_points_at_the_operator():
    probes = "  - {name: web, http: http://127.0.0.1:8080/, warn: ['[RESPONSE_TIME]<200']}\n"
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "name: web", "<")
    assert "put a space on each side of '<'" in problem.message


def test_single_condition_given_as_text_not_a_list():
    probes = (
        "  - name: web\n"
        "    http: http://127.0.0.1:8080/\n"
        "    expect: \"[STATUS] == 200 == 201\"\n"
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "expect:", "== 201")
    assert "more than one operator" in problem.message


def test_escapes_in_a_quoted_condition_fall_back_to_the_item():
    # The written text is not the value character for character, so the item's own place is used.
    probes = (
        "  - name: web\n"
        "    http: http://127.0.0.1:8080/\n"
        "    expect: [\"[BODY].name == \\\"x\\\"\", \"[STATUS] = 200\"]\n"
    )
    problems = problems_of(probes)
    assert [(p.line, p.col) for p in problems] == [at(probes, "expect:", "= 200")]
    probes = (
        "  - name: web\n"
        "    http: http://127.0.0.1:8080/\n"
        "    expect: ['[BODY].name == ''x'' == 2']\n"
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "expect:", "'[BODY]")
    probes = (
        "  - name: web\n"
        "    http: http://127.0.0.1:8080/\n"
        "    expect:\n"
        "      - \"[BODY].name == \\\"x\\\" == 2\"\n"
    )
    assert '"[BODY].name == \\"x\\" == 2"' in probes
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == (10, 9)
    assert "more than one operator" in problem.message


def test_a_condition_that_is_not_text_points_at_the_item():
    probes = "  - {name: web, http: http://127.0.0.1:8080/, expect: ['[STATUS] == 200', {status: 200}]}\n"
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "name: web", "{status")
    assert "condition 2 must be text" in problem.message


def test_several_problems_are_all_reported_in_file_order():
    probes = (
        "  - {name: web, http: http://127.0.0.1:8080/, expect: ['[STATUS] = 200'], timeout: 5}\n"
        "  - name: db\n"
        "    tcp: 127.0.0.1:5432\n"
        "    warn:\n"
        "      - \"[CONNECTED] > 1\"\n"
    )
    problems = problems_of(probes)
    assert [(p.line, p.col) for p in problems] == [
        at(probes, "name: web", "= 200"),
        at(probes, "name: web", "5}"),
        at(probes, "[CONNECTED]", "[CONNECTED]"),
    ]
    assert "timeout needs a unit; write 5s, not 5" in problems[1].message
    assert "[CONNECTED] is not a number" in problems[2].message


# --- other options ---------------------------------------------------------------------------

def test_bad_timeout_points_at_its_value():
    probes = (
        "  - name: web\n"
        "    http: http://127.0.0.1:8080/\n"
        "    timeout: 5 minutes\n"
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == (9, 14)
    assert problem.message.startswith("probe 'web': timeout:")


def test_quoted_bad_interval_points_at_the_quote():
    probes = "  - {name: db, tcp: 127.0.0.1:5432, interval: \"50ms\"}\n"
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "name: db", '"50ms"')
    assert "interval must be at least 100ms" in problem.message


def test_unknown_kind_option_points_at_the_option():
    probes = "  - {name: db, tcp: 127.0.0.1:5432, method: GET}\n"
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == at(probes, "name: db", "GET")
    assert "unknown option 'method' for a tcp probe" in problem.message


def test_misspelt_option_in_a_block_mapping():
    probes = (
        "  - name: db\n"
        "    tcp: 127.0.0.1:5432\n"
        "    fail_afterr: 3\n"
    )
    problem = only(problems_of(probes))
    assert (problem.line, problem.col) == (9, 18)
    assert "unknown option 'fail_afterr' for a tcp probe (did you mean 'fail_after'?)" in problem.message


def test_bad_target_points_at_the_target():
    probes = "  - {name: web, http: 'ftp://127.0.0.1/'}\n  - {name: cpu, host: cpuu}\n"
    problems = problems_of(probes)
    assert [(p.line, p.col) for p in problems] == [at(probes, "name: web", "'ftp"), at(probes, "name: cpu", "cpuu")]
    assert "is not an http:// or https:// URL" in problems[0].message
    assert "unknown host metric 'cpuu' (did you mean 'cpu'?)" in problems[1].message


def test_host_thresholds_and_bad_http_method():
    probes = (
        "  - {name: cpu, host: cpu, warn_above: 95, fail_above: 90}\n"
        "  - {name: web, http: http://127.0.0.1:8080/, method: FETCH, fail_after: 0}\n"
    )
    problems = problems_of(probes)
    assert [(p.line, p.col) for p in problems] == [
        at(probes, "name: cpu", "95"),
        at(probes, "name: web", "FETCH"),
        at(probes, "name: web", "0}"),
    ]


def test_spec_without_marks_falls_back_to_its_own_place():
    import dataclasses
    from types import MappingProxyType

    from warroom.runbook.model import ProbeSpec

    runbook = loads(HEAD + "  - {name: web, http: http://127.0.0.1:8080/}\n", "probes.yaml")
    spec = dataclasses.replace(runbook.probes[0], options=MappingProxyType({"timeout": "soon"}),
                               marks=MappingProxyType({}))
    problem = only(probe_problems(dataclasses.replace(runbook, probes=(spec,))))
    assert (problem.line, problem.col) == (7, 5)
    bare = ProbeSpec("x", "tcp", "127.0.0.1:1", MappingProxyType({"expect": ["[A] == 1"]}))
    problem = only(probe_problems(dataclasses.replace(runbook, probes=(bare,))))
    assert (problem.line, problem.col) == (1, 1)


# --- marks -------------------------------------------------------------------------------------

def test_marks_record_every_value_and_list_item():
    probes = (
        "  - name: web\n"
        "    http: \"http://127.0.0.1:8080/\"\n"
        "    expect:\n"
        "      - '[STATUS] == 200'\n"
        "      - len([BODY]) > 0\n"
        "    warn: [\"[RESPONSE_TIME] < 200\"]\n"
        "    headers: {Accept: application/json}\n"
    )
    spec = loads(HEAD + probes).probes[0]
    marks = spec.marks
    assert marks["name"] == (7, 11)
    assert marks["http"] == (8, 11) and marks["http"].text_col == 12
    assert marks["expect"] == (10, 7)
    assert marks["expect[0]"] == (10, 9) and marks["expect[0]"].text_col == 10
    assert marks["expect[1]"] == (11, 9) and marks["expect[1]"].text_col == 9
    assert marks["warn"] == (12, 11) and marks["warn"].text_col is None
    assert marks["warn[0]"] == (12, 12) and marks["warn[0]"].text_col == 13
    assert marks["headers"] == (13, 14)
    line, col = marks["name"]
    assert (line, col) == (marks["name"].line, marks["name"].col)
    assert pickle.loads(pickle.dumps(marks["expect[0]"])).text_col == 10
    assert isinstance(marks["expect[0]"], Mark)


def test_marks_do_not_change_equality():
    first = loads(HEAD + "  - {name: db, tcp: 127.0.0.1:5432}\n")
    second = loads(HEAD + "  - name: db\n    tcp: 127.0.0.1:5432\n")
    assert first.probes == second.probes
    assert first.probes[0].marks != second.probes[0].marks


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.yaml")))
def test_sample_runbooks_have_no_probe_problems(sample):
    runbook = load(SAMPLES / sample)
    assert runbook.probes
    assert probe_problems(runbook) == []
