"""SVG snapshots of the console (pytest-textual-snapshot): what the operator actually sees.

Everything on screen is pinned: one clock set by hand (conftest.py's `clock`) writes the events at
their times and then stops at 10:20 for the app (header, now-marker, forecast); the operator and
run names and the events are fixed. The watcher is off (`follow_ledger=False`) and no cursor
blinks, so a snapshot only changes when the screen does.

Regenerate after an intended change of the layout, then look at the diff before committing:

    .venv/bin/pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from support import main_screen, until

from warroom.probes import ProbeState, ProbeStatus
from warroom.runbook.model import Runbook
from warroom.store import Ledger
from warroom.tui.app import WarroomApp
from warroom.tui.main_screen import MainScreen, ProbesUpdated
from warroom.widgets.activity import ActivityLog
from warroom.widgets.checklists import ChecklistPane
from warroom.widgets.timeline import Timeline

OPERATOR = "ana.ruiz"
NOW = "10:20"  # the app's clock while the snapshots are taken (the window is 08:00-18:00)


def seed(ledger: Ledger, runbook: Runbook, clock) -> None:
    """A morning that went partly wrong: done, running, failed and pending steps; some ticks; a note."""
    steps = [s.id for s in runbook.steps]
    assert steps[:6] == ["war-room-open", "checklist-review", "notify-start", "health-check", "backup", "go-no-go"]
    pre = [i.id for i in runbook.checklists["pre_deployment"].items]
    go = [i.id for i in runbook.checklists["go_no_go"].items]
    script = [
        ("08:00", "step.started", "war-room-open", None),
        ("08:04", "check.ticked", pre[0], None),  # change request approved
        ("08:06", "check.ticked", pre[1], None),  # team members available
        ("08:07", "check.ticked", pre[2], None),  # war room prepared
        ("08:09", "note.added", "war-room-open", {"text": "all seven roles on the bridge"}),
        ("08:14", "step.done", "war-room-open", None),
        ("08:15", "step.started", "checklist-review", None),
        ("08:16", "step.started", "notify-start", None),
        ("08:21", "check.ticked", pre[3], None),  # rollback plan ready
        ("08:24", "step.done", "notify-start", None),
        ("08:38", "step.done", "checklist-review", None),
        ("08:40", "step.started", "health-check", None),
        ("08:41", "step.started", "backup", None),
        ("08:52", "check.ticked", go[0], None),
        ("08:53", "check.ticked", go[1], None),
        ("09:07", "step.failed", "backup", {"note": "pg_dump: no space left on device on backup host"}),
    ]
    for hhmm, kind, subject, body in script:
        clock.at(hhmm)
        ledger.append(kind, subject, body)


@pytest.fixture
def app(console, clock, web_cutover) -> WarroomApp:
    """The console on that morning, its clock stopped at 10:20. No live probes (their results
    would differ run to run): `data_shown` feeds fixed statuses."""
    app = console.app(operator=OPERATOR, clock=clock, follow_ledger=False)
    seed(app.ledger, web_cutover, clock)
    clock.at(NOW)
    return app


def fixed_probe_statuses(app: WarroomApp) -> list[ProbeStatus]:
    """One probe in each interesting state, with history, as the probe thread would send them."""
    now = app.clock()
    specs = app.runbook.probes
    looks = [
        (ProbeState.UP, "200", 42.0, None, (38.0, 41.0, 45.0, 40.0, 42.0), 100.0),
        (ProbeState.DEGRADED, "200", 312.0, "[RESPONSE_TIME] (312) < 200", (120.0, 180.0, 260.0, 312.0), 100.0),
        (ProbeState.DOWN, "", None, "connection refused", (3.0, 2.0, None, None), 91.5),
        (ProbeState.UP, "cpu 23.0%", None, None, (20.0, 25.0, 23.0), 100.0),
    ]
    return [
        ProbeStatus(spec.name, spec.kind, state, value, latency, failed, now, now, history, uptime, uptime)
        for spec, (state, value, latency, failed, history, uptime) in zip(specs, looks, strict=True)
    ]


async def data_shown(pilot) -> None:
    """The ledger's snapshot is on screen: header filled, timeline rows in, visible checklist filled."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.snapshot is not None, "the first snapshot")
    screen = main_screen(app)
    await until(pilot, lambda: screen.query_one(Timeline).selected_step is not None, "the timeline rows")
    await until(pilot, lambda: screen.side_ready, "the side column (mounted after the first frame)")
    await until(pilot, lambda: any("failed backup" in row.text for row in screen.query_one(ActivityLog).entries), "the activity log")
    await checklist_filled(pilot, "pre_deployment")  # the checklist tab open at start
    screen.post_message(ProbesUpdated(fixed_probe_statuses(app)))
    await until(pilot, lambda: len(screen.probe_statuses) == len(app.runbook.probes), "the probe statuses")
    # A checklist's scrollbar thumb lands a row higher or lower from run to run (its rows are
    # measured as the side column settles): the snapshots leave it out, it is not what they test.
    for pane in screen.query(ChecklistPane):
        pane.styles.scrollbar_size_vertical = 0
    await pilot.pause()


async def checklist_filled(pilot, name: str, timeout: float = 5.0) -> None:
    """The checklist `name` is mounted and lists every item (and its category rows)."""
    screen = main_screen(pilot.app)
    checklist = pilot.app.runbook.checklists[name]
    expected = len(checklist.items) + len({item.category for item in checklist.items if item.category})

    def filled() -> bool:
        panes = screen.query(f"#list-{name}")
        return bool(panes) and panes.first().option_count == expected

    await until(pilot, filled, f"the {name} checklist to list its {expected} rows", timeout)
    await pilot.pause()


def no_blinking(app) -> None:
    for widget in app.screen.query("Input"):
        widget.cursor_blink = False


async def press_and_wait(pilot, *keys: str, screen_name: str) -> None:
    await pilot.press(*keys)
    await until(pilot, lambda: type(pilot.app.screen).__name__ == screen_name, f"the {screen_name} screen")
    await pilot.pause()
    no_blinking(pilot.app)
    await pilot.pause()


def test_main_120x36(snap_compare, app):
    """Stacked layout: timeline on top, checklists and activity side by side below."""
    assert snap_compare(app, terminal_size=(120, 36), run_before=data_shown)


def test_main_80x24_tabs(snap_compare, app):
    """Under 110 columns the panes become tabs; the timeline tab is open."""
    assert snap_compare(app, terminal_size=(80, 24), run_before=data_shown)


def test_go_no_go_tab_80x24(snap_compare, app):
    """Key 3 opens the go/no-go checklist tab, grouped by category, two items ticked."""

    async def go_no_go(pilot):
        await data_shown(pilot)
        screen = main_screen(pilot.app)
        await until(pilot, lambda: any(p.is_mounted for p in screen.query("#list-go_no_go")), "the lazy go/no-go tab")
        await pilot.press("3")
        await until(pilot, lambda: screen.query_one("#panes").active == "pane-go_no_go", "the go/no-go tab")
        await checklist_filled(pilot, "go_no_go")

    assert snap_compare(app, terminal_size=(80, 24), run_before=go_no_go)


def test_step_detail_120x36(snap_compare, app):
    """Enter on the failed backup step: plan, command, rollback and its history with the failure note."""

    async def detail(pilot):
        await data_shown(pilot)
        main_screen(pilot.app).query_one(Timeline).select_step("backup")
        await pilot.pause()
        await press_and_wait(pilot, "enter", screen_name="StepDetail")

    assert snap_compare(app, terminal_size=(120, 36), run_before=detail)


def test_fail_prompt_120x36(snap_compare, app):
    """`f` on the running health check asks why it failed."""

    async def fail_prompt(pilot):
        await data_shown(pilot)
        main_screen(pilot.app).query_one(Timeline).select_step("health-check")
        await pilot.pause()
        await press_and_wait(pilot, "f", screen_name="TextPrompt")

    assert snap_compare(app, terminal_size=(120, 36), run_before=fail_prompt)


def test_main_200x50_side_by_side(snap_compare, app):
    """From 180 columns the checklists and activity sit beside the timeline."""
    assert snap_compare(app, terminal_size=(200, 50), run_before=data_shown)


def test_no_color_80x24(snap_compare, console, clock, web_cutover, monkeypatch):
    """NO_COLOR: the terminal's default colours only; state still reads by glyph and word."""
    monkeypatch.setenv("NO_COLOR", "1")  # before the app is made: it picks ANSI mode then
    app = console.app(operator=OPERATOR, clock=clock, follow_ledger=False)
    seed(app.ledger, web_cutover, clock)
    clock.at(NOW)
    assert app.no_color
    seen: list[str] = []

    async def shown_and_exported(pilot):
        await data_shown(pilot)
        seen.append(pilot.app.export_screenshot())

    assert snap_compare(app, terminal_size=(80, 24), run_before=shown_and_exported)
    # Under NO_COLOR the app runs in ANSI mode, which the SVG exporter paints with its own palette;
    # that no colour code reaches the terminal is checked for real in test_e2e_tmux.py.
    text = seen[0].replace("&#160;", " ")
    assert "○ pending" in text and "✔ done" in text and "✖ FAILED" in text


# --- found while taking the snapshots ----------------------------------------------------------


async def test_checklists_are_filled_after_crossing_the_tabs_width(app):
    """Resizing across 110 columns recomposes the screen; every checklist must list its items again.

    The lazily mounted checklist tabs used to miss the snapshot shown right after the recompose
    (ChecklistPane.on_mount returned early: Textual sets is_mounted only after on_mount) and stayed
    empty until the next ledger change.
    """
    async with app.run_test(size=(120, 36)) as pilot:
        await data_shown(pilot)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: main_screen(app).narrow, "the tabbed layout")
        for key, name in (("3", "go_no_go"), ("4", "post_deployment"), ("5", "smoke_tests")):
            await pilot.press(key)
            await checklist_filled(pilot, name, timeout=2)


async def test_the_activity_log_survives_crossing_the_tabs_width(app):
    """The log made by the recompose shows the events too, before any new one arrives."""
    async with app.run_test(size=(120, 36)) as pilot:
        await data_shown(pilot)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: main_screen(app).narrow, "the tabbed layout")
        log = main_screen(app).query_one(ActivityLog)
        await until(pilot, lambda: any("failed backup" in row.text for row in log.entries), "the events in the new log")


def test_sync_conflict_and_peer_80x24(snap_compare, clock, web_cutover, db_path, tmp_path):
    """Synced with Lee's laptop, which was offline: Lee marked the health check done without having
    seen Ana start it, so its row and the header show ⚡; the header names Lee among the peers."""
    from warroom.sync.export import open_export
    from warroom.sync.keys import device_key
    from warroom.sync.round import Syncer
    from warroom.sync.trust import Trust

    share = tmp_path / "share"
    share.mkdir()
    ana_key, lee_key = device_key(tmp_path / "keys-ana"), device_key(tmp_path / "keys-lee")
    trust = Trust.build((), [(OPERATOR, ana_key.public), ("lee.park", lee_key.public)], "")
    ana = Ledger.open(db_path, web_cutover.id, OPERATOR, run="rehearsal-1", node="ana-desk",
                      runbook_sha256=web_cutover.sha256, clock=clock)
    lee = Ledger.open(tmp_path / "lee.sqlite", web_cutover.id, "lee.park", run="rehearsal-1", node="lee-laptop",
                      runbook_sha256=web_cutover.sha256, clock=clock)
    seed(ana, web_cutover, clock)
    clock.at("08:45")
    lee.append("step.done", "health-check", {"note": "checked from the laptop"})  # ana started it at 08:40, unseen
    clock.at("10:12")
    lee.append("note.added", "", {"text": "laptop back online"})
    Syncer(lee, open_export(str(share), tmp_path / "cache-lee"), lee_key, trust).round()
    lee.close()
    clock.at(NOW)
    synced_at = clock.now().timestamp() - 30
    syncer = Syncer(ana, open_export(str(share), tmp_path / "cache-ana"), ana_key, trust, wall=lambda: synced_at)
    app = WarroomApp(web_cutover, ana, clock=clock.now, follow_ledger=False, probes=False, syncer=syncer)

    async def synced(pilot):
        await data_shown(pilot)
        await until(pilot, lambda: app.sync_status is not None and app.sync_status.last_ok is not None, "a round")
        header = main_screen(app).query_one("DeploymentHeader")
        await until(pilot, lambda: "⚡" in "".join(header.lines), "the conflict in the header")
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=synced)
    finally:
        ana.close()
