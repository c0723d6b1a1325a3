"""Sign-offs (issue 10, item 1): a step with `approval: N` cannot start until N different operators
have signed off on it, in the console (`a`) and on the command line (`warroom approve`); the same
operator twice counts once; a sign-off can be withdrawn before the step starts; a refusal is never
overridden; the step shows its progress and who signed."""

from __future__ import annotations

import json

from click.testing import CliRunner
from support import WEB_CUTOVER

from warroom.ops.decisions import sign_off
from warroom.tui.cli import main
from warroom.tui.screens import Confirm, StepDetail, TextPrompt

GATED = "go-no-go"  # approval: 2, after health-check, backup and notify-start
BEFORE_GATED = ("war-room-open", "checklist-review", "notify-start", "health-check", "backup")


def signoff_events(ledger):
    return [e for e in ledger.events() if e.kind.startswith("signoff.")]


def notices(ui) -> list[str]:
    return [n.message for n in ui.app._notifications]


def other_operator(open_ledger, console, web_cutover, operator: str):
    """A second operator's ledger on the console's file: their events arrive as another process's would."""
    return open_ledger(operator, path=console.db_path, deployment=web_cutover.id, run="rehearsal-1")


async def test_a_sign_off_pair_unblocks_the_step(console, web_cutover, clock, open_ledger):
    app = console.app(operator="ana", clock=clock)
    for step_id in BEFORE_GATED:  # its dependencies are done: only the sign-offs hold it back
        app.ledger.append("step.done", step_id)
    async with console.run(app=app, notifications=True) as ui:
        ui.timeline.select_step(GATED)
        await ui.until(lambda: "✍0/2" in ui.step_line(GATED), "the sign-off progress on the row")
        await ui.press("s")
        await ui.until(lambda: any("needs 0 of 2 sign-offs before it starts" in n for n in notices(ui)),
                       "the refusal, said")
        assert isinstance(ui.app.screen, type(ui.screen))  # said, not asked: no override prompt
        assert ui.status_of(GATED) == "pending"

        await ui.press("a")
        await ui.until(lambda: "✍1/2" in ui.step_line(GATED), "ana's sign-off counted")
        await ui.until(lambda: f"Signed off '{web_cutover.step(GATED).title}'" in notices(ui))
        await ui.press("s")
        await ui.until(lambda: any("needs 1 of 2 sign-offs (ana) before it starts" in n for n in notices(ui)))
        assert ui.status_of(GATED) == "pending"

        lee = other_operator(open_ledger, console, web_cutover, "lee")
        sign_off(lee, web_cutover, lee.state(), GATED)
        ui.app.load_snapshot()  # the app's reload, as the watcher does for another process's commit
        await ui.until(lambda: len(ui.screen.snapshot.state.signoffs(GATED)) == 2, "lee's sign-off read")
        await ui.until(lambda: "✍2/2" in ui.step_line(GATED))
        await ui.press("s")
        await ui.until(lambda: ui.status_of(GATED) == "in_progress", "the step started once signed off twice")
        assert "✍" not in ui.step_line(GATED)  # started: the progress no longer holds anything back


async def test_the_same_operator_twice_counts_once_and_may_withdraw(console, web_cutover, clock):
    async with console.run(app=console.app(operator="ana", clock=clock), notifications=True) as ui:
        ui.timeline.select_step(GATED)
        await ui.press("a")
        await ui.until(lambda: "✍1/2" in ui.step_line(GATED))
        await ui.press("a")  # again: asks whether to withdraw, never counts twice
        await ui.until(lambda: isinstance(ui.app.screen, Confirm), "the question to withdraw")
        assert "Withdraw" in ui.app.screen.question
        await ui.press("n")
        await ui.pause(0.2)
        assert [e.kind for e in signoff_events(ui.app.ledger)] == ["signoff.given"]
        assert [s.operator for s in ui.screen.snapshot.state.signoffs(GATED)] == ["ana"]
        await ui.press("a", "y")
        await ui.until(lambda: "✍0/2" in ui.step_line(GATED), "the sign-off withdrawn")
        assert [e.kind for e in signoff_events(ui.app.ledger)] == ["signoff.given", "signoff.withdrawn"]


async def test_a_sign_off_on_a_step_that_needs_none_or_has_started_is_refused_in_one_notice(console, web_cutover, clock):
    app = console.app(operator="ana", clock=clock)
    app.ledger.append("step.started", "traffic-10")  # needs sign-offs, but has started
    async with console.run(app=app, notifications=True) as ui:
        ui.timeline.select_step("war-room-open")
        await ui.press("a")
        await ui.until(lambda: any("needs no sign-off" in n for n in notices(ui)))
        ui.timeline.select_step("traffic-10")
        await ui.press("a")
        await ui.until(lambda: any("already in progress" in n for n in notices(ui)))
        assert isinstance(ui.app.screen, type(ui.screen))
        assert signoff_events(ui.app.ledger) == []


async def test_the_step_detail_says_how_many_and_who_signed_with_role_and_time(console, web_cutover, clock,
                                                                               open_ledger):
    async with console.run(app=console.app(operator="ana", clock=clock)) as ui:
        lee = other_operator(open_ledger, console, web_cutover, "Lee Park")  # the runbook's DBA
        sign_off(lee, web_cutover, lee.state(), GATED)
        ui.app.load_snapshot()
        await ui.until(lambda: "✍1/2" in ui.step_line(GATED))
        ui.timeline.select_step(GATED)
        await ui.press("enter")
        await ui.until(lambda: isinstance(ui.app.screen, StepDetail))
        assert ui.app.screen.signoffs == ("1 of 2 sign-offs (Lee Park)", "✍ Lee Park (DBA) at 09:00")
        await ui.press("a")  # the sign-off key works in the detail too
        await ui.until(lambda: len(ui.screen.snapshot.state.signoffs(GATED)) == 2)
        assert {s.operator for s in ui.app.ledger.state().signoffs(GATED)} == {"Lee Park", "ana"}


async def test_a_step_without_sign_offs_still_asks_about_its_dependencies(console, web_cutover, clock):
    """Refusals come first; a step that has none goes on to its guards, as before."""
    async with console.run(app=console.app(operator="ana", clock=clock)) as ui:
        ui.timeline.select_step("backup")
        await ui.press("s")
        assert isinstance(ui.app.screen, TextPrompt) and "anyway" in ui.app.screen.prompt_title


# --- the command line ----------------------------------------------------------------------------


def run(db, *args: str, operator: str = "ana"):
    return CliRunner().invoke(main, [args[0], str(WEB_CUTOVER), *args[1:], "--db", str(db), "--operator", operator])


def logged(db) -> list[dict]:
    result = CliRunner().invoke(main, ["log", str(WEB_CUTOVER), "--json", "--db", str(db)])
    return json.loads(result.output) if db.exists() else []


def test_approve_signs_off_once_per_operator_and_withdraws(db_path):
    first = run(db_path, "approve", GATED)
    assert first.exit_code == 0, first.output
    assert "signed off 'Final go/no-go confirmation' (go-no-go)" in first.output
    assert "1 of 2 sign-offs (ana)" in first.output
    again = run(db_path, "approve", GATED)
    assert again.exit_code == 0 and "already signed off" in again.output and "nothing recorded" in again.output
    assert [e["kind"] for e in logged(db_path) if e["kind"].startswith("signoff.")] == ["signoff.given"]
    withdrawn = run(db_path, "approve", GATED, "--withdraw")
    assert withdrawn.exit_code == 0 and "withdrew sign-off" in withdrawn.output and "0 of 2" in withdrawn.output
    assert run(db_path, "approve", GATED, "--withdraw").output.startswith("ana has not signed off")


def test_approve_on_a_step_that_needs_none_exits_2_with_nothing_recorded(db_path):
    refused = run(db_path, "approve", "war-room-open")
    assert refused.exit_code == 2
    assert "needs no sign-off" in refused.output and "Traceback" not in refused.output
    unknown = run(db_path, "approve", "go-no-gi")
    assert unknown.exit_code == 2 and "did you mean 'go-no-go'" in unknown.output
    assert logged(db_path) == []


def test_step_start_is_refused_without_sign_offs_even_forced_and_goes_once_two_signed(db_path):
    refused = run(db_path, "step", GATED, "start", "--force", "--note", "CAB said go")
    assert refused.exit_code == 2
    assert "needs 0 of 2 sign-offs before it starts" in refused.output and "Traceback" not in refused.output
    assert not [e for e in logged(db_path) if e["kind"].startswith("step.")]
    assert run(db_path, "approve", GATED, operator="ana").exit_code == 0
    half = run(db_path, "step", GATED, "start", "--force", "--note", "CAB said go")
    assert half.exit_code == 2 and "needs 1 of 2 sign-offs (ana)" in half.output
    assert run(db_path, "approve", GATED, operator="lee").exit_code == 0
    # Signed twice: only the unfinished dependencies are left, and --force answers those.
    started = run(db_path, "step", GATED, "start", "--force", "--note", "CAB said go")
    assert started.exit_code == 0, started.output
    assert run(db_path, "approve", GATED, operator="carl").exit_code == 2  # started: too late to sign


def test_status_json_reports_sign_offs_per_step_that_needs_them(db_path):
    assert run(db_path, "approve", GATED, operator="Lee Park").exit_code == 0
    result = CliRunner().invoke(main, ["status", str(WEB_CUTOVER), "--json", "--db", str(db_path)])
    signoffs = json.loads(result.output)["signoffs"]
    assert set(signoffs) == {"go-no-go", "traffic-10", "traffic-50", "traffic-100", "go-live-decision"}
    assert signoffs["traffic-10"] == {"needed": 2, "by": []}
    (signed,) = signoffs[GATED]["by"]
    assert signoffs[GATED]["needed"] == 2
    assert (signed["operator"], signed["role"]) == ("Lee Park", "DBA") and signed["at"].endswith("+01:00")
