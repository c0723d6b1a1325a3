"""Status updates (issue 10, item 5): the draft in the teams' template filled from live state, the
overall status by one rule, posting (event, then the updates file), the countdown to the next one,
and the command line's `warroom update` and `status --json`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER
from textual.widgets import TextArea

from warroom.ops.actions import UsageProblem, record_step
from warroom.ops.incidents import open_incident
from warroom.ops.progress import actuals
from warroom.ops.updates import draft_update, next_update_due, overall_status, post_update, updates_path
from warroom.runbook.forecast import forecast
from warroom.tui.cli import main
from warroom.tui.day_rows import update_countdown
from warroom.tui.screens import Confirm
from warroom.tui.updates import UpdateComposer
from warroom.widgets.header import DeploymentHeader

TEMPLATE_HEADINGS = ["Current Activity:", "Progress:", "Status:", "Issues:", "Next Steps:", "ETA:"]


@pytest.fixture
def day(open_ledger, web_cutover):
    return open_ledger("ana", deployment=web_cutover.id, runbook_sha256=web_cutover.sha256)


def drafted(runbook, ledger, now, probes=None):
    state = ledger.state()
    return draft_update(runbook, state, forecast(runbook, actuals(state), now), probes or {}, now)


def section(text: str, heading: str) -> str:
    """The lines under one heading of a drafted update."""
    after = text.split(heading + "\n", 1)[1]
    return after.split("\n\n", 1)[0]


def test_the_draft_follows_the_template_and_says_what_runs_and_what_is_counted(day, web_cutover, clock):
    clock.at("08:10")
    record_step(day, web_cutover, day.state(), "war-room-open", "done")
    record_step(day, web_cutover, day.state(), "checklist-review", "skip", "done yesterday")
    record_step(day, web_cutover, day.state(), "notify-start", "start")
    now = clock.at("08:20")
    text = drafted(web_cutover, day, now)
    assert text.startswith("Status Update - 08:20\n\n")
    assert [line for line in text.splitlines() if line.endswith(":")] == TEMPLATE_HEADINGS
    assert section(text, "Current Activity:") == web_cutover.step("notify-start").title
    assert section(text, "Progress:") == "1 of 27 steps completed (1 skipped)"
    assert section(text, "Status:") == "On Track"
    assert section(text, "Issues:") == "None"
    assert web_cutover.step("health-check").title in section(text, "Next Steps:")
    assert section(text, "ETA:") == "18:00"


def test_waiting_when_nothing_runs_and_blocked_by_an_open_p2_but_not_a_p3(day, web_cutover, clock):
    now = clock.at("07:50")
    text = drafted(web_cutover, day, now)
    assert section(text, "Current Activity:") == f"Waiting for {web_cutover.steps[0].title} at 08:00"
    open_incident(day, web_cutover, day.state(), "P3", "Slow dashboard")
    assert section(drafted(web_cutover, day, now), "Status:") == "On Track"
    open_incident(day, web_cutover, day.state(), "P2", "Checkout 500s")
    text = drafted(web_cutover, day, now)
    assert section(text, "Status:") == "Blocked"
    issues = section(text, "Issues:").splitlines()
    assert issues[0].endswith("P2 Checkout 500s (new)") and issues[1].endswith("P3 Slow dashboard (new)")


def test_overall_status_one_rule_probe_down_failed_step_and_delay(day, web_cutover, clock):
    now = clock.at("08:05")
    state = day.state()  # nothing recorded yet
    outlook = forecast(web_cutover, actuals(state), now)
    assert overall_status(outlook, state, {"api": "UP"}) == "On Track"
    assert overall_status(outlook, state, {"api": "DOWN"}) == "Blocked"
    late = clock.at("09:30")  # nothing started: the forecast end moves past the plan's
    assert overall_status(forecast(web_cutover, actuals(state), late), state, {}) == "Delayed"
    clock.at("08:04")
    record_step(day, web_cutover, state, "war-room-open", "fail", "bridge down")
    state = day.state()
    assert overall_status(forecast(web_cutover, actuals(state), now), state, {}) == "Blocked"
    assert "Step failed: " in section(drafted(web_cutover, day, now), "Issues:")


def test_posting_records_appends_with_a_blank_line_and_resets_the_countdown(day, web_cutover, clock, tmp_path):
    clock.at("07:30")
    target = tmp_path / "updates.txt"
    assert next_update_due(web_cutover, day.state()) == web_cutover.window.start + timedelta(minutes=15)
    clock.at("08:40")
    post_update(day, "first\n", web_cutover, target)
    assert next_update_due(web_cutover, day.state()) == clock.now() + timedelta(minutes=15)
    post_update(day, "second", web_cutover, target)
    assert target.read_text() == "first\n\nsecond\n"
    assert [u.text for u in day.state().updates] == ["first", "second"]


def test_an_empty_update_is_refused_and_records_nothing(day, web_cutover):
    with pytest.raises(UsageProblem, match="empty"):
        post_update(day, " \n ", web_cutover)
    assert day.state().updates == ()


def test_an_unwritable_file_is_a_warning_and_the_update_stays_recorded(day, web_cutover, tmp_path):
    warnings: list[str] = []
    post_update(day, "text", web_cutover, tmp_path / "no-such-folder" / "u.txt", on_warning=warnings.append)
    assert len(day.state().updates) == 1
    assert len(warnings) == 1 and "could not be written" in warnings[0]


def test_the_runbooks_updates_file_is_relative_to_the_runbook(web_cutover, tmp_path):
    from dataclasses import replace

    named = replace(web_cutover, updates_file="updates.md", path=str(tmp_path / "rb.yaml"))
    assert updates_path(named) == tmp_path / "updates.md"
    assert updates_path(named, "elsewhere.txt") == Path("elsewhere.txt")
    assert updates_path(web_cutover) is None


# --- the command line ------------------------------------------------------------------------------


def run(*args: object, stdin: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def test_cli_drafts_posts_a_file_or_the_draft_and_refuses_an_empty_message(db_path, tmp_path):
    draft = run("update", WEB_CUTOVER, "--draft", "--db", db_path)
    assert draft.exit_code == 0, draft.output
    assert draft.output.startswith("Status Update - ")
    message = tmp_path / "m.txt"
    message.write_text("All green, traffic at 10%.\n")
    posted = run("update", WEB_CUTOVER, "--post", "--message-file", message, "--updates-file", tmp_path / "u.txt",
                 "--db", db_path)
    assert posted.exit_code == 0, posted.output
    assert (tmp_path / "u.txt").read_text() == "All green, traffic at 10%.\n"
    assert run("update", WEB_CUTOVER, "--post", "--db", db_path).exit_code == 0  # the draft itself
    message.write_text("   \n")
    empty = run("update", WEB_CUTOVER, "--post", "--message-file", message, "--db", db_path)
    assert empty.exit_code == 2
    assert "empty" in empty.output and "Traceback" not in empty.output
    status = json.loads(run("status", WEB_CUTOVER, "--json", "--db", db_path).output)
    updates = status["updates"]
    assert updates["every_seconds"] == 900
    assert [u["text"] for u in updates["posted"]][0] == "All green, traffic at 10%."
    assert len(updates["posted"]) == 2 and updates["posted"][1]["text"].startswith("Status Update - ")
    assert updates["last_posted_at"] == updates["posted"][-1]["at"]
    assert updates["overdue"] is False and updates["next_due_at"] > updates["last_posted_at"]
    assert status["incidents"] == []


def test_cli_update_needs_draft_or_post(db_path):
    result = run("update", WEB_CUTOVER, "--db", db_path)
    assert result.exit_code == 2 and "--draft" in result.output


# --- the console -----------------------------------------------------------------------------------


async def test_an_update_drafted_edited_and_posted_resets_the_countdown_copies_and_appends(console, clock, tmp_path):
    target = tmp_path / "updates.txt"
    async with console.run(app=console.app(clock=clock, updates_file=str(target)), notifications=True) as ui:
        header = ui.screen.query_one(DeploymentHeader)
        await ui.until(lambda: header.day is not None)
        assert header.day.update == "⚠ update 45m overdue" and header.day.update_overdue  # 09:00, none since 08:00
        await ui.press("u")
        await ui.until(lambda: isinstance(ui.app.screen, UpdateComposer) and ui.app.screen.query(TextArea))
        composer = ui.app.screen
        assert composer.text.startswith("Status Update - 09:00\n\nCurrent Activity:\n")
        assert "\n\nStatus:\nDelayed\n\n" in composer.text  # 09:00, nothing done since 08:00
        await ui.press(*"Bridge quiet. ")
        edited = composer.text
        assert edited.startswith("Bridge quiet. Status Update - 09:00")
        await ui.press("ctrl+s")
        await ui.until(lambda: ui.app.ledger.state().updates, "the update recorded")
        assert [u.text for u in ui.app.ledger.state().updates] == [edited.strip()]
        assert target.read_text() == edited.strip() + "\n"
        assert ui.app.clipboard == edited.strip()
        await ui.until(lambda: header.day.update == "update in 15m", "the countdown reset")
        assert not header.day.update_overdue
        assert any("copied to the clipboard" in n.message for n in ui.app._notifications)


async def test_escape_asks_before_discarding_an_edited_update_and_an_empty_one_is_not_posted(console):
    async with console.run() as ui:
        await ui.press("u")
        await ui.until(lambda: isinstance(ui.app.screen, UpdateComposer) and ui.app.screen.query(TextArea))
        composer = ui.app.screen
        composer.query_one(TextArea).text = "  \n"
        await ui.press("ctrl+s")
        await ui.pause(0.1)
        assert ui.app.screen is composer  # refused: still composing
        await ui.press("escape")
        assert isinstance(ui.app.screen, Confirm)
        await ui.press("n")
        assert ui.app.screen is composer
        await ui.press("escape", "y")
        await ui.until(lambda: not isinstance(ui.app.screen, (UpdateComposer, Confirm)))
        assert ui.app.ledger.state().updates == ()


async def test_escape_on_an_untouched_draft_just_closes(console):
    async with console.run() as ui:
        await ui.press("u")
        await ui.until(lambda: isinstance(ui.app.screen, UpdateComposer) and ui.app.screen.query(TextArea))
        await ui.press("escape")
        await ui.until(lambda: not isinstance(ui.app.screen, UpdateComposer))
        assert not isinstance(ui.app.screen, Confirm)


def test_the_update_countdown_runs_while_the_window_is_open(day, web_cutover, clock):
    assert update_countdown(web_cutover, day.state(), clock.at("08:05")) == ("update in 10m", False)
    assert update_countdown(web_cutover, day.state(), clock.at("08:20")) == ("⚠ update 5m overdue", True)
    assert update_countdown(web_cutover, day.state(), clock.at("18:00")) == ("", False)  # the window has closed
