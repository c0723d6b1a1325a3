"""Valid runbooks: what the loader makes of them."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warroom.runbook import RunbookError, load, loads, slugify, suggest
from warroom.runbook.model import CHECKLIST_NAMES, DEFAULT_SEVERITY, Runbook, SeverityTarget, TeamMember, Validation

PLUS_ONE = timezone(timedelta(hours=1))
MADRID = ZoneInfo("Europe/Madrid")

HEAD = """\
id: demo
title: Demo deployment
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00, rollback_deadline: 14:00}
"""

FULL = HEAD + """\
version: 3
status_update_every: 30m
team:
  - {role: Deployment Lead, name: Ana Ruiz, phone: "+34 600 000 001"}
  - {role: DBA, name: Lee Park, phone: 600000002, email: lee@example.com}
severity:
  P1: {respond: 10m, resolve: 2h}
checklists:
  pre_deployment: [Change request approved, War room prepared]
  go_no_go:
    functional: [No P1/P2 defects open]
    governance: [No, {id: cab, text: CAB approved}]
  post_deployment:
    - Smoke test passed
    - {id: perf, text: Performance acceptable}
smoke_tests: [User login works, Checkout completes]
steps:
  - id: backup
    title: Pre-deployment backup
    phase: Preparation
    owner: DBA
    duration: 15m
    command: pg_dump -Fc billing > /backups/billing.dump
    validate: [probe: db, "Backup file exists and is > 1 GB"]
    rollback: none needed
  - id: deploy-app
    title: Deploy application code
    phase: Deployment
    owner: Deployment Lead
    duration: 1h30m
    approval: 2
    validate: Site answers
  - id: verify
    title: Verify
    duration: 5m
probes:
  - {name: web, http: "https://billing.example.com/healthz", expect: ["[STATUS] == 200"], warn: ["[RESPONSE_TIME] < 200"]}
  - {name: db, tcp: db.internal:5432}
  - {name: host-cpu, host: cpu, warn_above: 70, fail_above: 90.5, enabled: true, note: yes}
"""


def steps_runbook(steps_yaml: str, head: str = HEAD) -> Runbook:
    return loads(head + "steps:\n" + steps_yaml)


@pytest.fixture(scope="module")
def full() -> Runbook:
    return loads(FULL, "full.yaml")


def test_top_level_values(full):
    assert (full.id, full.title, full.version) == ("demo", "Demo deployment", 3)
    assert full.status_update_every == timedelta(minutes=30)
    assert full.path == "full.yaml"
    assert full.team[1].phone == "600000002" and full.team[1].email == "lee@example.com"
    assert full.team[0].phone == "+34 600 000 001"


def test_unquoted_rollback_deadline_is_a_time_not_base_60(full):
    # PyYAML alone would read 14:00 as the integer 840.
    assert full.window.rollback_deadline == datetime(2026, 11, 28, 14, 0, tzinfo=PLUS_ONE)
    assert full.window.start == datetime(2026, 11, 28, 8, 0, tzinfo=PLUS_ONE)
    assert full.window.start.utcoffset() == timedelta(hours=1)


def test_severity_fills_missing_levels_from_the_defaults(full):
    assert list(full.severity) == ["P1", "P2", "P3", "P4"]
    assert full.severity["P1"] == SeverityTarget(timedelta(minutes=10), timedelta(hours=2))
    assert full.severity["P4"] == SeverityTarget(*DEFAULT_SEVERITY["P4"])


def test_checklist_item_ids_are_slugs_or_given_ids(full):
    assert [i.id for i in full.items] == [
        "pre_deployment/change-request-approved",
        "pre_deployment/war-room-prepared",
        "go_no_go/no-p1-p2-defects-open",
        "go_no_go/no",
        "go_no_go/cab",
        "post_deployment/smoke-test-passed",
        "post_deployment/perf",
        "smoke_tests/user-login-works",
        "smoke_tests/checkout-completes",
    ]
    no = full.item("go_no_go/no")
    assert no.text == "No" and no.category == "governance"  # not the boolean False
    assert full.item("go_no_go/cab").text == "CAB approved"
    assert full.item("pre_deployment/war-room-prepared").category is None
    assert (no.line, no.col) == (15, 18)
    assert full.checklists["smoke_tests"].title == "Smoke tests"


def test_every_checklist_exists_even_when_absent():
    runbook = steps_runbook("  - {id: a, title: A, duration: 5m}\n")
    assert list(runbook.checklists) == list(CHECKLIST_NAMES)
    assert all(c.items == () for c in runbook.checklists.values())
    assert runbook.probes == () and runbook.team == ()
    assert runbook.version == 1 and runbook.status_update_every == timedelta(minutes=15)
    assert runbook.severity["P2"] == SeverityTarget(*DEFAULT_SEVERITY["P2"])


def test_steps(full):
    backup, deploy, verify = full.steps
    assert backup.validate == (Validation(probe="db"), Validation(text="Backup file exists and is > 1 GB"))
    assert deploy.validate == (Validation(text="Site answers"),)
    assert backup.rollback == "none needed" and backup.owner == "DBA"
    assert deploy.duration == timedelta(hours=1, minutes=30) and deploy.approval == 2
    assert verify.phase == "Deployment"  # inherited from the previous step
    assert verify.owner is None and verify.command is None and verify.approval == 0
    assert (backup.line, backup.col) == (21, 5)
    assert full.step("verify") is verify and full.has_step("backup") and not full.has_step("nope")
    assert full.phases == ("Preparation", "Deployment")


def test_first_phase_defaults_to_steps():
    assert steps_runbook("  - {id: a, title: A, duration: 5m}\n").steps[0].phase == "Steps"


def test_probe_specs_keep_options_as_plain_read_only_values(full):
    web, db, cpu = full.probes
    assert (web.kind, web.target) == ("http", "https://billing.example.com/healthz")
    assert web.options["expect"] == ("[STATUS] == 200",)
    assert (db.kind, db.target, dict(db.options)) == ("tcp", "db.internal:5432", {})
    assert dict(cpu.options) == {"warn_above": 70, "fail_above": 90.5, "enabled": True, "note": "yes"}
    with pytest.raises(TypeError):
        cpu.options["warn_above"] = 1  # type: ignore[index]


def test_after_absent_means_the_previous_step_and_empty_means_none():
    runbook = steps_runbook("""\
  - {id: a, title: A, duration: 5m}
  - {id: b, title: B, duration: 5m}
  - {id: c, title: C, duration: 5m, after: []}
  - {id: d, title: D, duration: 5m, after: a}
  - {id: e, title: E, duration: 5m, after: [a, c, a]}
  - {id: f, title: F, duration: 5m, after: }
  - {id: g, title: G, duration: 5m, after: [h]}
  - {id: h, title: H, duration: 5m, after: []}
""")
    assert {s.id: s.after for s in runbook.steps} == {
        "a": (), "b": ("a",), "c": (), "d": ("a",), "e": ("a", "c"), "f": (), "g": ("h",), "h": (),
    }  # `after:` with nothing is like [], a repeated name counts once, and a later step may be named


def test_time_only_values_use_the_window_day_and_roll_past_midnight():
    head = """\
id: night
title: Night work
timezone: Europe/Madrid
window: {start: 2026-11-28 22:00, end: 03:00, rollback_deadline: "1:30"}
"""
    runbook = steps_runbook("""\
  - {id: a, title: A, duration: 5m, at: "23:15"}
  - {id: b, title: B, duration: 5m, at: 00:30}
  - {id: c, title: C, duration: 5m, at: 2026-11-28T23:00:30Z}
""", head)
    window = runbook.window
    assert window.start == datetime(2026, 11, 28, 22, 0, tzinfo=MADRID)
    assert window.start.tzinfo is MADRID  # the window's zone, for showing times
    assert window.end == datetime(2026, 11, 29, 3, 0, tzinfo=MADRID)
    assert window.rollback_deadline == datetime(2026, 11, 29, 1, 30, tzinfo=MADRID)
    a, b, c = runbook.steps
    assert a.at == datetime(2026, 11, 28, 23, 15, tzinfo=MADRID)
    assert b.at == datetime(2026, 11, 29, 0, 30, tzinfo=MADRID)
    assert c.at == datetime(2026, 11, 29, 0, 0, 30, tzinfo=MADRID)


def test_timezone_applies_to_datetimes_without_offset():
    head = """\
id: summer
title: Summer
timezone: Europe/Madrid
window: {start: 2026-07-01 08:00, end: 2026-07-01T17:00:00+01:00}
"""
    runbook = steps_runbook("  - {id: a, title: A, duration: 5m}\n", head)
    assert runbook.window.start.utcoffset() == timedelta(hours=2)
    assert runbook.window.end == datetime(2026, 7, 1, 18, 0, tzinfo=MADRID)


def test_without_timezone_the_start_offset_is_the_window_zone():
    head = "id: d\ntitle: T\nwindow: {start: 2026-11-28T08:00-05:00, end: 2026-11-28 18:00}\n"
    runbook = steps_runbook("  - {id: a, title: A, duration: 5m, at: '9:00'}\n", head)
    minus_five = timezone(timedelta(hours=-5))
    assert runbook.window.end == datetime(2026, 11, 28, 18, 0, tzinfo=minus_five)
    assert runbook.steps[0].at == datetime(2026, 11, 28, 9, 0, tzinfo=minus_five)


def test_version_keeps_quoted_or_non_integer_text():
    for written, expected in (("3", 3), ('"3"', "3"), ("3.1", "3.1"), ("v2", "v2")):
        runbook = loads(HEAD.replace("id: demo", f"id: demo\nversion: {written}") +
                        "steps: [{id: a, title: A, duration: 5m}]\n")
        assert runbook.version == expected


def test_anchors_and_merge_keys_work_and_x_keys_hold_them():
    runbook = steps_runbook("""\
  - {<<: *defaults, id: a, title: A}
  - {<<: *defaults, id: b, title: B, owner: DBA}
""", HEAD + "x-defaults: &defaults {owner: Ops, duration: 5m, phase: Night}\n")
    assert [(s.owner, s.duration, s.phase) for s in runbook.steps] == [
        ("Ops", timedelta(minutes=5), "Night"), ("DBA", timedelta(minutes=5), "Night")]


def test_loading_the_same_text_twice_gives_equal_runbooks():
    assert loads(FULL, "a.yaml") == loads(FULL, "b.yaml")


def test_load_records_path_and_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(FULL, encoding="utf-8")
    runbook = load(path)
    assert runbook.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert runbook.path == str(path)
    assert runbook == loads(FULL)
    path.write_text(FULL + "# a comment changes the hash\n", encoding="utf-8")
    assert load(path).sha256 != runbook.sha256


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + FULL.encode())
    assert load(path).id == "demo"


def test_big_generated_runbook_loads():
    lines = [f"  - {{id: step-{n}, title: Step {n}, duration: 1m, phase: Phase {n // 50}}}" for n in range(500)]
    runbook = steps_runbook("\n".join(lines) + "\n", HEAD.replace("18:00+01:00", "23:59+01:00"))
    assert len(runbook.steps) == 500
    assert runbook.steps[-1].after == ("step-498",)
    assert len(runbook.phases) == 10


def test_slugify():
    assert slugify("War room prepared") == "war-room-prepared"
    assert slugify("  No P1/P2 defects -- open! ") == "no-p1-p2-defects-open"
    assert slugify("Café listo") == "cafe-listo"
    assert slugify("!!!") == ""


def test_suggest():
    assert suggest("comand", ["command", "rollback"]) == "command"
    assert suggest("p1", ["P1", "P2"]) == "P1"
    assert suggest("zzz", ["command"]) is None


def test_unknown_key_is_reported_even_alongside_a_valid_runbook():
    with pytest.raises(RunbookError, match="unknown key 'titel' in step 'a' \\(did you mean 'title'\\?\\)"):
        steps_runbook("  - {id: a, title: A, titel: B, duration: 5m}\n")


@pytest.mark.parametrize("name", ["web-cutover.yaml", "db-migration.yaml", "phased-rollout.yaml"])
def test_libyaml_and_the_pure_parser_read_a_runbook_alike(name, monkeypatch):
    """The fast path resolves only null and merge tags; nothing the reader sees may differ.
    `line`/`col` are left out of equality, so the positions are compared on their own."""
    from support import SAMPLES

    from warroom.runbook import yamlnodes

    fast = load(SAMPLES / name)
    monkeypatch.setattr(yamlnodes, "_FastLoader", None)
    pure = load(SAMPLES / name)
    assert fast == pure
    assert [(s.line, s.col) for s in fast.steps] == [(s.line, s.col) for s in pure.steps]
    assert [(p.line, p.col, dict(p.marks)) for p in fast.probes] == [(p.line, p.col, dict(p.marks)) for p in pure.probes]


def test_null_merge_and_quoted_values_on_the_fast_path():
    text = HEAD + """\
x-defaults: &defaults {owner: DBA, duration: 5m}
steps:
  - {id: a, title: A, <<: *defaults}
  - {id: b, title: B, owner: ~, duration: "10m"}
probes:
  - {name: web, http: "http://127.0.0.1:8080/", interval: 200ms, fail_after: 2, insecure: true, note: "2"}
"""
    runbook = loads(text)
    assert runbook.step("a").owner == "DBA" and runbook.step("a").duration == timedelta(minutes=5)
    assert runbook.step("b").owner is None
    options = runbook.probes[0].options
    assert options["fail_after"] == 2 and options["insecure"] is True and options["note"] == "2"


# Two device keys as `warroom keys show` prints them (any 32 bytes have the shape; the runbook
# checks only the shape).
KEY_A = "ed25519:" + base64.b64encode(bytes(range(32))).decode()
KEY_B = "ed25519:" + base64.b64encode(bytes(range(100, 132))).decode()


def test_team_members_carry_their_operator_name_and_device_keys():
    text = HEAD + f"""\
team:
  - {{role: Deployment Lead, name: Ana Ruiz, operator: ana, key: "{KEY_A}"}}
  - role: DBA
    name: Lee Park
    key:
      - {KEY_A}
      - {KEY_B}
  - {{role: Comms, name: Sam}}
steps: [{{id: a, title: A, duration: 5m}}]
"""
    ana, lee, sam = loads(text).team
    assert (ana.operator, ana.keys) == ("ana", (KEY_A,))
    assert (lee.operator, lee.keys) == ("Lee Park", (KEY_A, KEY_B))
    assert (sam.operator, sam.keys) == ("Sam", ())


def test_a_key_pasted_across_lines_is_one_key_and_a_repeated_key_counts_once():
    text = HEAD + f"""\
team:
  - role: DBA
    name: Lee Park
    key: [{KEY_A[:30]}
          {KEY_A[30:]}, "{KEY_A}"]
steps: [{{id: a, title: A, duration: 5m}}]
"""
    assert loads(text).team[0].keys == (KEY_A,)


def test_a_member_built_in_code_records_as_their_name():
    assert TeamMember("DBA", "Lee Park").operator == "Lee Park"
    assert TeamMember("DBA", "Lee Park", None, None, "lee").operator == "lee"
