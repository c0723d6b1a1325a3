"""plan(): when each step should run; lint(): warnings that do not stop a load."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from warroom.runbook import lint, loads, plan
from warroom.runbook.model import PlannedSlot

PLUS_ONE = timezone(timedelta(hours=1))
HEAD = """\
id: demo
title: Demo deployment
window: {start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}
"""


def at(hour: int, minute: int = 0, day: int = 28) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PLUS_ONE)


def test_plan_chains_steps_and_honours_fixed_times_and_parallel_branches():
    runbook = loads(HEAD + """\
steps:
  - {id: backup, title: Backup, duration: 15m}
  - {id: db, title: Migrate DB, duration: 1h}
  - {id: cdn, title: Purge CDN, duration: 10m, after: [backup]}
  - {id: switch, title: Switch traffic, duration: 5m, after: [db, cdn], at: "10:00"}
  - {id: notify, title: Notify, duration: 5m, after: []}
  - {id: wait, title: Wait for a fixed time, duration: 5m, after: [backup], at: "07:30"}
""")
    assert plan(runbook) == {
        "backup": PlannedSlot(at(8), at(8, 15)),
        "db": PlannedSlot(at(8, 15), at(9, 15)),
        "cdn": PlannedSlot(at(8, 15), at(8, 25)),
        "switch": PlannedSlot(at(10), at(10, 5)),  # both branches end earlier; `at` wins
        "notify": PlannedSlot(at(8), at(8, 5)),  # no dependency: the window start
        "wait": PlannedSlot(at(7, 30, day=29), at(7, 35, day=29)),  # 07:30 is before 08:00: next day
    }


def test_plan_follows_dependencies_on_later_steps_and_keeps_file_order():
    runbook = loads(HEAD + """\
steps:
  - {id: last, title: Last, duration: 5m, after: [first]}
  - {id: first, title: First, duration: 20m, after: []}
""")
    slots = plan(runbook)
    assert list(slots) == ["last", "first"]
    assert slots["last"] == PlannedSlot(at(8, 20), at(8, 25))


def test_plan_counts_real_hours_across_a_daylight_saving_change():
    runbook = loads("""\
id: dst
title: DST night
timezone: Europe/Madrid
window: {start: 2026-03-29 01:00, end: 06:00}
steps: [{id: a, title: A, duration: 3h}]
""")
    slot = plan(runbook)["a"]
    # Subtracting two datetimes of the same ZoneInfo gives wall-clock time, so compare in UTC.
    assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == timedelta(hours=3)
    assert slot.end == datetime(2026, 3, 29, 5, 0, tzinfo=ZoneInfo("Europe/Madrid"))  # clocks skip 02:00-03:00


def test_plan_of_a_big_chain():
    steps = "\n".join(f"  - {{id: s{n}, title: S{n}, duration: 1m}}" for n in range(500))
    runbook = loads(HEAD + "steps:\n" + steps + "\n")
    assert plan(runbook)["s499"].end == at(8) + timedelta(minutes=500)


def messages(text: str) -> list[tuple[int, int, str]]:
    problems = lint(loads(text, "plan.yaml"))
    assert all(p.severity == "warning" and p.file == "plan.yaml" for p in problems)
    return [(p.line, p.col, p.message) for p in problems]


def test_a_clean_runbook_has_no_warnings():
    assert messages(HEAD + """\
team: [{role: DBA, name: Lee Park}]
steps:
  - {id: a, title: A, duration: 5m, owner: DBA, command: ./go, rollback: ./undo}
""") == []


def test_lint_warns_about_overruns_missing_rollbacks_and_unknown_owners():
    found = messages(HEAD + """\
team:
  - {role: DBA, name: Lee Park}
  - {role: DevOps, name: Sam Roe}
steps:
  - id: migrate
    title: Migrate
    owner: DevOp
    duration: 10h40m
    command: ./migrate.sh
  - {id: late, title: Late, duration: 1h, owner: Nobody Here, rollback: none needed}
""")
    assert found == [
        (8, 5, "step 'migrate' is planned to end at 18:40, after the window closes at 18:00"),
        (8, 5, "step 'migrate' has a command but no rollback; add rollback: (or \"none needed\")"),
        (8, 5, "step 'migrate' owner 'DevOp' is not a team role (did you mean 'DevOps'?)"),
        (13, 5, "step 'late' is planned to end at 19:40, after the window closes at 18:00"),
        (13, 5, "step 'late' owner 'Nobody Here' is not a team role"),
    ]


def test_overrun_past_midnight_names_the_date():
    found = messages(HEAD + "steps: [{id: a, title: A, duration: 17h}]\n")
    assert found == [(4, 9, "step 'a' is planned to end at 2026-11-29 01:00, after the window closes at 18:00")]


def test_owners_are_not_checked_without_a_team():
    assert messages(HEAD + "steps: [{id: a, title: A, duration: 5m, owner: Anyone}]\n") == []


def test_rollback_deadline_outside_the_window():
    text = HEAD.replace("18:00+01:00}", "18:00+01:00, rollback_deadline: 2026-11-28T19:00+01:00}")
    assert messages(text + "steps: [{id: a, title: A, duration: 5m}]\n") == [
        (3, 9, "rollback deadline 19:00 is outside the window (08:00 to 18:00)"),
    ]


def test_lint_does_not_change_the_runbook():
    runbook = loads(HEAD + "steps: [{id: a, title: A, duration: 20h, command: x}]\n")
    before = loads(HEAD + "steps: [{id: a, title: A, duration: 20h, command: x}]\n")
    assert len(lint(runbook)) == 2 and lint(runbook) == lint(runbook)
    assert runbook == before
