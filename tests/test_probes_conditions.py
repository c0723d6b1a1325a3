"""Gatus-compatible conditions: every operator, placeholder, function, number base and duration,
the explanations shown when a condition fails, and syntax errors with their column."""

from __future__ import annotations

import json

import pytest

from warroom.probes.conditions import ConditionError, evaluate, parse_condition, to_number

BODY = json.dumps({
    "status": "UP",
    "data": {"name": "john", "items": [{"id": 1}, {"id": 2}, {"id": 3}], "ratio": 0.5, "count": 3},
    "errors": None,
    "ok": True,
    "version": "1.10",
})
RESULT = {
    "status": 200,
    "body": BODY,
    "response_time_ms": 612.4,
    "ip": "127.0.0.1",
    "connected": True,
    "certificate_expiration_ms": 30 * 24 * 3_600_000,
    "dns_rcode": "NOERROR",
}

# (condition, result overrides, passes, explanation)
CASES = [
    # operators
    ("[STATUS] == 200", {}, True, "[STATUS] == 200"),
    ("[STATUS] == 200", {"status": 500}, False, "[STATUS] (500) == 200"),
    ("[STATUS] != 500", {}, True, "[STATUS] != 500"),
    ("[STATUS] != 200", {}, False, "[STATUS] (200) != 200"),
    ("[STATUS] < 300", {}, True, "[STATUS] < 300"),
    ("[STATUS] <= 200", {}, True, "[STATUS] <= 200"),
    ("[STATUS] > 199", {}, True, "[STATUS] > 199"),
    ("[STATUS] >= 201", {}, False, "[STATUS] (200) >= 201"),
    ("[STATUS] < 400", {"status": 404}, False, "[STATUS] (404) < 400"),
    # placeholders
    ("[RESPONSE_TIME] < 500", {}, False, "[RESPONSE_TIME] (612) < 500"),
    ("[RESPONSE_TIME] < 1000", {}, True, "[RESPONSE_TIME] < 1000"),
    ("[IP] == 127.0.0.1", {}, True, "[IP] == 127.0.0.1"),
    ("[IP] == 10.0.0.1", {}, False, "[IP] (127.0.0.1) == 10.0.0.1"),
    ("[CONNECTED] == true", {}, True, "[CONNECTED] == true"),
    ("[CONNECTED] == true", {"connected": False}, False, "[CONNECTED] (false) == true"),
    ("[DNS_RCODE] == NOERROR", {}, True, "[DNS_RCODE] == NOERROR"),
    ("[DNS_RCODE] == NOERROR", {"dns_rcode": "NXDOMAIN"}, False, "[DNS_RCODE] (NXDOMAIN) == NOERROR"),
    ("[CERTIFICATE_EXPIRATION] > 48h", {}, True, "[CERTIFICATE_EXPIRATION] > 48h"),
    ("[CERTIFICATE_EXPIRATION] > 48h", {"certificate_expiration_ms": 3_600_000}, False,
     "[CERTIFICATE_EXPIRATION] (3600000) > 48h"),
    ("[CERTIFICATE_EXPIRATION] > 48h", {"certificate_expiration_ms": 3_600_000.7}, False,
     "[CERTIFICATE_EXPIRATION] (3600000) > 48h"),  # whole milliseconds, as for [RESPONSE_TIME]
    ("[status] == 200", {}, True, "[status] == 200"),  # placeholders ignore case, as in Gatus
    # body and paths
    ("[BODY] == All systems OK", {"body": "All systems OK\n"}, True, "[BODY] == All systems OK"),
    ("[BODY] == OK", {"body": b"NOPE"}, False, "[BODY] (NOPE) == OK"),
    ('[BODY] == {"a": 1}', {"body": '{"a": 1}'}, True, '[BODY] == {"a": 1}'),  # as received, not re-serialised
    ("[BODY].status == UP", {}, True, "[BODY].status == UP"),
    ("[BODY].data.name == john", {}, True, "[BODY].data.name == john"),
    ("[BODY].data.items[1].id == 2", {}, True, "[BODY].data.items[1].id == 2"),
    ("[BODY].data.items[7].id == 2", {}, False, "[BODY].data.items[7].id (INVALID) == 2"),
    ("[BODY].data.name == john", {"body": "plain text, not JSON"}, False, "[BODY].data.name (INVALID) == john"),
    ("[BODY].data.nope == john", {}, False, "[BODY].data.nope (INVALID) == john"),
    ("[BODY].errors == null", {}, False, "[BODY].errors (INVALID) == null"),  # null does not exist
    ("[BODY].ok == true", {}, True, "[BODY].ok == true"),
    ("[BODY].data.ratio < 1", {}, True, "[BODY].data.ratio < 1"),
    ("[BODY].data.count == 3", {}, True, "[BODY].data.count == 3"),
    ("[BODY].data.name < 5", {}, False, "[BODY].data.name (john) < 5"),  # not a number: fails (Gatus: 0)
    ("[BODY][0] == a", {"body": '["a", "b"]'}, True, "[BODY][0] == a"),
    ("[BODY].version == 1.1", {}, False, "[BODY].version (1.10) == 1.1"),  # text, not float, equality
    # functions
    ("len([BODY].data.items) == 3", {}, True, "len([BODY].data.items) == 3"),
    ("len([BODY].data.items) == 2", {}, False, "len([BODY].data.items) (3) == 2"),
    ("len([BODY].data.name) == 4", {}, True, "len([BODY].data.name) == 4"),
    ("len([BODY]) == 5", {"body": "hello"}, True, "len([BODY]) == 5"),
    ("len([BODY]) == 2", {"body": '["a", "b"]'}, True, "len([BODY]) == 2"),  # items of a JSON array
    ("len([BODY].missing) > 0", {}, False, "len([BODY].missing) (INVALID) > 0"),
    ("has([BODY].errors) == false", {}, True, "has([BODY].errors) == false"),
    ("has([BODY].data) == true", {}, True, "has([BODY].data) == true"),
    ("has([BODY].data) == false", {}, False, "has([BODY].data) (true) == false"),
    ("has([BODY].x) == false", {"body": "not json"}, True, "has([BODY].x) == false"),
    ("[BODY] == pat(*OK*)", {"body": "All systems OK"}, True, "[BODY] == pat(*OK*)"),
    ("[BODY] == pat(*OK*)", {"body": "DOWN"}, False, "[BODY] (DOWN) == pat(*OK*)"),
    ("pat(1.*) == [BODY].version", {}, True, "pat(1.*) == [BODY].version"),
    ("[BODY] != pat(*ERROR*)", {"body": "fine"}, True, "[BODY] != pat(*ERROR*)"),
    ("[STATUS] == any(200, 201)", {"status": 201}, True, "[STATUS] == any(200, 201)"),
    ("[STATUS] == any(200, 201)", {"status": 503}, False, "[STATUS] (503) == any(200, 201)"),
    ("[BODY].status == any(UP, DEGRADED)", {}, True, "[BODY].status == any(UP, DEGRADED)"),
    # number bases
    ("[STATUS] == 0xC8", {}, True, "[STATUS] == 0xC8"),
    ("[STATUS] == 0o310", {}, True, "[STATUS] == 0o310"),
    ("[STATUS] == 0b11001000", {}, True, "[STATUS] == 0b11001000"),
    ("[STATUS] < 0x12C", {}, True, "[STATUS] < 0x12C"),
    ("[BODY].data.ratio >= 0.5", {}, True, "[BODY].data.ratio >= 0.5"),
    ("[STATUS] > -1", {}, True, "[STATUS] > -1"),
    # durations, compared in milliseconds
    ("[RESPONSE_TIME] < 300ms", {"response_time_ms": 120}, True, "[RESPONSE_TIME] < 300ms"),
    ("[RESPONSE_TIME] < 300ms", {}, False, "[RESPONSE_TIME] (612) < 300ms"),
    ("[RESPONSE_TIME] < 1s", {}, True, "[RESPONSE_TIME] < 1s"),
    ("[RESPONSE_TIME] <= 1.5s", {"response_time_ms": 1500}, True, "[RESPONSE_TIME] <= 1.5s"),
    ("[CERTIFICATE_EXPIRATION] > 7d", {}, True, "[CERTIFICATE_EXPIRATION] > 7d"),
    ("[CERTIFICATE_EXPIRATION] > 1h30m", {"certificate_expiration_ms": 5_000_000}, False,
     "[CERTIFICATE_EXPIRATION] (5000000) > 1h30m"),
    # values the check did not produce: n/a, and nothing passes, not even !=
    ("[STATUS] == 200", {"status": None}, False, "[STATUS] (n/a) == 200"),
    ("[STATUS] != 500", {"status": None}, False, "[STATUS] (n/a) != 500"),
    ("[RESPONSE_TIME] < 500", {"response_time_ms": None}, False, "[RESPONSE_TIME] (n/a) < 500"),
    ("has([BODY].x) == false", {"body": None}, False, "has([BODY].x) (n/a) == false"),
    # both sides resolved
    ("[STATUS] == [BODY].data.count", {}, False, "[STATUS] (200) == [BODY].data.count (3)"),
]


@pytest.mark.parametrize("condition, overrides, passes, explanation", CASES, ids=[c[0] for c in CASES])
def test_condition(condition, overrides, passes, explanation):
    result = {**RESULT, **overrides}
    result = {key: value for key, value in result.items() if value is not None}
    assert evaluate(condition, result) == (passes, explanation)


def test_the_table_covers_every_operator_placeholder_and_function():
    text = " ".join(case[0] for case in CASES)
    for token in (" == ", " != ", " < ", " <= ", " > ", " >= ", "[STATUS]", "[RESPONSE_TIME]", "[IP]", "[BODY]",
                  "[BODY].", "[CONNECTED]", "[CERTIFICATE_EXPIRATION]", "[DNS_RCODE]", "len(", "has(", "pat(",
                  "any(", "0x", "0o", "0b", "ms", "48h"):
        assert token in text, token
    assert len(CASES) >= 30


def test_long_values_are_shortened_in_explanations():
    passed, explanation = evaluate("[BODY] == ok", {"body": "word " * 100})
    assert not passed
    assert explanation.startswith("[BODY] (word word") and explanation.endswith("...) == ok")
    assert len(explanation) < 90


def test_an_invalid_utf8_body_is_read_not_raised():
    assert evaluate("[BODY].a == 1", {"body": b"\xff\xfe{"})[0] is False


@pytest.mark.parametrize("text, expected", [
    ("500", 500.0), ("0x1F", 31.0), ("0o17", 15.0), ("0b101", 5.0), ("2.5", 2.5), ("-3", -3.0),
    ("300ms", 300.0), ("1s", 1000.0), ("48h", 172_800_000.0), ("1h30m", 5_400_000.0), ("abc", None), ("nan", None),
])
def test_numbers_and_durations(text, expected):
    assert to_number(text) == expected


@pytest.mark.parametrize("text, milliseconds", [  # \u00b5: the micro sign, as Go and Gatus write it
    ("1ns", 0.000_001), ("1us", 0.001), ("1\u00b5s", 0.001), ("1ms", 1.0), ("1s", 1_000.0), ("1m", 60_000.0),
    ("1h", 3_600_000.0), ("1d", 86_400_000.0), ("1d1h1m1s1ms", 90_061_001.0), ("-2m", -120_000.0),
])
def test_every_duration_unit_is_read_in_milliseconds(text, milliseconds):
    assert to_number(text) == pytest.approx(milliseconds, rel=1e-9)


@pytest.mark.parametrize("placeholder, key, value, bound", [
    ("[STATUS]", "status", 200, "200"),
    ("[BODY].data.count", "body", '{"data": {"count": 3}}', "3"),
    ("[RESPONSE_TIME]", "response_time_ms", 300, "300ms"),
    ("[CERTIFICATE_EXPIRATION]", "certificate_expiration_ms", 48 * 3_600_000, "48h"),
])
def test_a_value_equal_to_the_bound_fails_strict_and_passes_inclusive_comparisons(placeholder, key, value, bound):
    result = {key: value}
    assert evaluate(f"{placeholder} < {bound}", result)[0] is False
    assert evaluate(f"{placeholder} > {bound}", result)[0] is False
    assert evaluate(f"{placeholder} <= {bound}", result)[0] is True
    assert evaluate(f"{placeholder} >= {bound}", result)[0] is True


@pytest.mark.parametrize("text, column, fragment", [
    ("", 1, "empty condition"),
    ("[STATUS]", 1, "no operator"),
    ("[STATUS]==200", 9, "space on each side of '=='"),
    ("[STATUS] = 200", 10, "'=' is not an operator"),
    ("[STATUS] == ", 12, "nothing on the right"),
    (" == 200", 1, "nothing on the left"),
    ("[STATSU] == 200", 1, "did you mean [STATUS]?"),
    ("[STATUS].code == 200", 9, "[STATUS] takes no path"),
    ("[BODY].a..b == 1", 9, "[BODY] path"),
    ("[BODY].items[x] == 1", 13, "[BODY] path"),
    ("[RESPONSE_TIME] < fast", 19, "'fast' is not a number or a duration"),
    ("[STATUS] == 200 == 200", 17, "more than one operator"),
    ("lenn([BODY].items) == 3", 1, "did you mean len()?"),
    ("len([STATUS]) == 3", 5, "len() takes [BODY]"),
    ("[BODY] < pat(*x*)", 10, "pat() only works with == or !="),
    ("[STATUS] >= any(200, 300)", 13, "any() only works with == or !="),
    ("[IP] > 5", 1, "[IP] is not a number"),
    ("[STATUS] == any()", 17, "any() needs at least one value"),
    ("==200", 1, "nothing on the left of '=='"),
    ("[STATUS]==", 9, "nothing on the right of '=='"),
    ("[STATUS] == 200 != 300", 17, "more than one operator ('==' and '!=')"),
    ("[STATUS] == == 200", 13, "more than one operator"),
    ("[RESPONSE_TIME] <  fast", 20, "'fast' is not a number"),
    ("[FOO] == 1", 1, "unknown placeholder [FOO]; use one of [STATUS], [RESPONSE_TIME], [IP]"),
    ("zzz([BODY]) == 1", 1, "unknown function zzz(); use len(), has(), pat() or any()"),
    ("[STATUS] == lenn([BODY])", 13, "did you mean len()?"),
    ("len([BODY].a..b) == 1", 13, "[BODY] path"),
    ("0 < has([BODY].x)", 5, "has() only works with == or !="),
    ("5 < [IP]", 5, "[IP] is not a number"),
    ("pat(a*) == pat(b*)", 12, "pat() on both sides"),
    ("any(1) == any(2)", 11, "any() on both sides"),
])
def test_syntax_errors_name_the_column(text, column, fragment):
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert fragment in caught.value.message
    assert caught.value.column == column


def test_operators_inside_function_arguments_are_not_operators():
    condition = parse_condition("[BODY] == pat(*a == b*)")
    assert condition.operator == "=="
    assert condition.evaluate({"body": "x a == b y"}) == (True, "[BODY] == pat(*a == b*)")


def test_operators_inside_nested_parentheses_are_not_operators():
    condition = parse_condition("[BODY] == pat(*(a == b) c == d*)")
    assert condition.operator == "=="
    assert condition.evaluate({"body": "x (a == b) c == d y"})[0]


def test_evaluate_takes_a_parsed_condition_too():
    assert evaluate(parse_condition("[STATUS] == 200"), {"status": 200}) == (True, "[STATUS] == 200")


def test_a_value_of_exactly_sixty_characters_is_shown_whole_and_a_longer_one_in_sixty():
    assert evaluate("[BODY] == x", {"body": "y" * 60})[1] == f"[BODY] ({'y' * 60}) == x"
    assert evaluate("[BODY] == x", {"body": "y" * 61})[1] == f"[BODY] ({'y' * 57}...) == x"


def test_literal_text_may_contain_spaces():
    assert evaluate("[BODY].message == all good here", {"body": '{"message": "all good here"}'})[0]


# --- the hysteresis margin: only a response time against a number, always against the condition ----

@pytest.mark.parametrize("text, ms, plain, with_margin", [
    ("[RESPONSE_TIME] < 200", 185, True, False),  # must be under 180
    ("[RESPONSE_TIME] < 200", 179, True, True),
    ("[RESPONSE_TIME] <= 200", 180, True, True),
    ("[RESPONSE_TIME] > 100", 105, True, False),  # must be over 110
    ("[RESPONSE_TIME] >= 100", 110, True, True),
    ("200 > [RESPONSE_TIME]", 185, True, False),  # the number on the left: under 180 all the same
    ("200 > [RESPONSE_TIME]", 175, True, True),
    ("100 < [RESPONSE_TIME]", 105, True, False),
    ("100 < [RESPONSE_TIME]", 111, True, True),
    ("[RESPONSE_TIME] < 200", 250, False, False),  # failing is failing, margin or not
])
def test_a_margin_makes_a_response_time_clear_its_threshold(text, ms, plain, with_margin):
    condition = parse_condition(text)
    assert condition.has_margin
    assert condition.evaluate({"response_time_ms": ms})[0] is plain
    passed, explanation = condition.evaluate({"response_time_ms": ms}, margin=0.1)
    assert passed is with_margin
    if plain and not with_margin:
        assert explanation.endswith(", by less than 10%") and f"({ms})" in explanation


@pytest.mark.parametrize("text", ["[STATUS] < 400", "[BODY].data.count >= 3", "len([BODY].data.items) > 2",
                                  "[RESPONSE_TIME] == 612", "[CERTIFICATE_EXPIRATION] > 48h"])
def test_other_comparisons_have_no_margin(text):
    condition = parse_condition(text)
    assert not condition.has_margin
    assert condition.evaluate(RESULT, margin=0.1) == condition.evaluate(RESULT)
