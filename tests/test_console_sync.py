"""Sync in the console: two ledgers (separate files, separate device keys) sharing one real export
folder in tmp_path. The other side is driven directly (its ledger and its Syncer); this side is the
console under Pilot, syncing in the background on its own (start, after a local write, when the
folder changes). Nothing waits for time: every wait is a condition with a deadline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import main_screen

from warroom.ops.syncing import build_trust
from warroom.runbook.model import Runbook
from warroom.store import Ledger
from warroom.sync.export import open_export
from warroom.sync.keys import DeviceKey, device_key
from warroom.sync.round import Syncer
from warroom.sync.trust import Trust
from warroom.tui.app import WarroomApp
from warroom.tui.main_screen import MainScreen
from warroom.tui.quarantine import QuarantineScreen
from warroom.tui.screens import Confirm
from warroom.widgets.header import DeploymentHeader
from warroom.widgets.timeline import Timeline

RUN = "rehearsal-1"


@dataclass
class Side:
    """One operator's machine: a ledger of its own and a device key of its own."""

    name: str
    node: str
    ledger: Ledger
    key: DeviceKey

    def syncer(self, folder: Path, trust: Trust, cache: Path) -> Syncer:
        return Syncer(self.ledger, open_export(str(folder), cache), self.key, trust)

    def round_beside(self, app: WarroomApp) -> None:
        """A round on a connection of its own, as the console's runner makes (the console's
        watcher sees another connection's commits), for a test that stopped the runner."""
        ledger = self.ledger
        with Ledger.open(ledger.path, ledger.deployment, ledger.operator, run=ledger.run, node=ledger.node,
                         runbook_sha256=ledger.runbook_sha256) as beside:
            app.syncer.on(beside).round()


@pytest.fixture
def room(tmp_path, web_cutover):
    """`room.side("bob")` opens bob's machine; every ledger is closed at the end."""

    class Room:
        folder = tmp_path / "export"
        cache = tmp_path / "git-cache"
        sides: list[Side] = []

        def side(self, name: str) -> Side:
            ledger = Ledger.open(tmp_path / f"{name}.sqlite", web_cutover.id, name, run=RUN, node=f"node-{name}",
                                 runbook_sha256=web_cutover.sha256)
            side = Side(name, f"node-{name}", ledger, device_key(tmp_path / f"keys-{name}"))
            self.sides.append(side)
            return side

        def trusting(self, me: Side, *others: Side) -> Trust:
            return Trust.build(web_cutover.team, [(other.name, other.key.public) for other in others], me.key.public)

    room = Room()
    room.folder.mkdir()
    yield room
    for side in room.sides:
        side.ledger.close()


def console_of(side: Side, runbook: Runbook, syncer: Syncer, **options) -> WarroomApp:
    options.setdefault("probes", False)
    return WarroomApp(runbook, side.ledger, syncer=syncer, **options)


def header_text(app: WarroomApp) -> str:
    top, bottom = main_screen(app).query_one(DeploymentHeader).lines
    return f"{top}\n{bottom}"


def step_line(app: WarroomApp, step_id: str) -> str:
    timeline = main_screen(app).query_one(Timeline)
    index = timeline.get_row_index(step_id)
    return "" if index is None else timeline.render_row(index).text


async def until(pilot, condition, what: str, timeout: float = 8.0) -> None:
    from support import until as until_

    await until_(pilot, condition, what, timeout)


async def started(pilot, app: WarroomApp) -> None:
    await until(pilot, lambda: any(isinstance(s, MainScreen) and s.snapshot for s in app.screen_stack),
                "the first snapshot")


# --- a step marked there shows here --------------------------------------------------------------


async def test_a_step_marked_on_another_machine_shows_after_a_round(room, web_cutover):
    ana, bob = room.side("ana"), room.side("bob")
    ana_sync = ana.syncer(room.folder, room.trusting(ana, bob), room.cache)
    app = console_of(bob, web_cutover, bob.syncer(room.folder, room.trusting(bob, ana), room.cache))
    first = web_cutover.steps[0].id
    async with app.run_test(size=(140, 40)) as pilot:
        await started(pilot, app)
        await until(pilot, lambda: "⇅ " in header_text(app) and "never" not in header_text(app), "a first round")
        ana.ledger.append("step.done", first)
        assert ana_sync.round().exported >= 1
        # bob's console sees the folder change (or its next round) and imports on its own
        await until(pilot, lambda: "✔ done" in step_line(app, first), "ana's done step on bob's timeline")
        await until(pilot, lambda: "ana " in header_text(app), "ana among the peers in the header")
        # bob's own step goes out after his key press, without waiting for the interval
        await pilot.press("j", "s")
        second = web_cutover.steps[1].id
        await until(pilot, lambda: ana_sync.round().imported > 0 or ana.ledger.state().step(second).status == "in_progress",
                    "bob's started step in ana's ledger")
        assert ana.ledger.state().step(second).status == "in_progress"


async def test_the_header_says_unreachable_and_what_waits_then_recovers(room, web_cutover):
    bob = room.side("bob")
    app = console_of(bob, web_cutover, bob.syncer(room.folder, room.trusting(bob), room.cache))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await started(pilot, app)
        await until(pilot, lambda: app.sync_status is not None and app.sync_status.last_ok is not None, "a first round")
        assert "never synced" not in header_text(app)
        moved = room.folder.with_name("export-away")
        room.folder.rename(moved)  # the share goes away
        app.poke_sync()
        await until(pilot, lambda: "unreachable" in header_text(app), "the unreachable export in the header")
        await pilot.press("d")  # local work goes on
        # the step, and the runbook.loaded that goes before bob's first event
        await until(pilot, lambda: "2 out" in header_text(app), "the events waiting to go out")
        assert any("Sync:" in n.message and "not there" in n.message for n in app._notifications)
        moved.rename(room.folder)  # back: the watcher finds it again and a round follows at once
        await until(pilot, lambda: "unreachable" not in header_text(app) and "out" not in header_text(app),
                    "sync resumed and the step published")
        assert any("reachable again" in n.message for n in app._notifications)
        assert list((room.folder / "warroom" / web_cutover.id / "writers").iterdir())


async def test_no_export_no_sync_part(console):
    async with console.run() as ui:
        assert "⇅" not in header_text(ui.app)


# --- conflicts -----------------------------------------------------------------------------------


async def test_a_conflict_shows_on_both_sides_and_keep_clears_it(room, web_cutover):
    ana, bob = room.side("ana"), room.side("bob")
    ana_sync = ana.syncer(room.folder, room.trusting(ana, bob), room.cache)
    app = console_of(bob, web_cutover, bob.syncer(room.folder, room.trusting(bob, ana), room.cache))
    first = web_cutover.steps[0].id
    ana.ledger.append("step.started", first)
    ana_sync.round()
    async with app.run_test(size=(140, 40)) as pilot:
        await started(pilot, app)
        await until(pilot, lambda: "▶ running" in step_line(app, first), "ana's start on bob's timeline")
        app.sync_runner.stop()  # from here the test decides when each side syncs
        ana.ledger.append("step.done", first)  # both change the step having seen the same start
        await pilot.press("x", *"not needed", "enter")
        await until(pilot, lambda: bob.ledger.state().step(first).status == "skipped", "bob's skip")
        ana_sync.round()
        bob.round_beside(app)
        ana_sync.round()
        assert ana.ledger.state().step(first).conflict, "ana's ledger marks the conflict too"
        await until(pilot, lambda: "⚡" in step_line(app, first), "the conflict marker on bob's row")
        assert "⚡ conflict" in step_line(app, first)
        assert re.search(r"⚡ ?1( conflict)?$", header_text(app)), header_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "StepDetail", "the step detail")
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Standing:" in shown and "Displaced:" in shown and "ana" in shown and "bob" in shown
        await pilot.press("K")  # keep, from the detail
        await until(pilot, lambda: not bob.ledger.state().step(first).conflict, "the conflict resolved in bob's ledger")
        await until(pilot, lambda: "⚡" not in step_line(app, first), "the marker gone from bob's row")
        bob.round_beside(app)
        ana_sync.round()
        assert not ana.ledger.state().step(first).conflict, "the resolve reached ana"


async def test_keep_on_a_checklist_item_asks_first(room, web_cutover):
    ana, bob = room.side("ana"), room.side("bob")
    ana_sync = ana.syncer(room.folder, room.trusting(ana, bob), room.cache)
    app = console_of(bob, web_cutover, bob.syncer(room.folder, room.trusting(bob, ana), room.cache))
    item = web_cutover.checklists["pre_deployment"].items[0].id
    ana.ledger.append("check.ticked", item)
    ana_sync.round()
    async with app.run_test(size=(140, 40)) as pilot:
        await started(pilot, app)
        await until(pilot, lambda: bob.ledger.state().check(item).ticked, "ana's tick in bob's ledger")
        app.sync_runner.stop()
        ana.ledger.append("check.unticked", item)
        await until(pilot, lambda: main_screen(app).side_ready, "the side column")
        await pilot.press("2")
        await until(pilot, lambda: getattr(app.focused, "id", None) == "list-pre_deployment"
                    and main_screen(app).checklist_panes["pre_deployment"].rows, "the checklist in focus")
        await pilot.press("space")  # bob unticks too, having seen the same tick
        await until(pilot, lambda: not bob.ledger.state().check(item).ticked, "bob's untick")
        ana_sync.round()
        bob.round_beside(app)
        await until(pilot, lambda: main_screen(app).checklist_panes["pre_deployment"].rows[0].conflict,
                    "the conflict on bob's checklist row")
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        assert "displaced" in app.screen.question and "ana" in app.screen.question
        await pilot.press("n")
        assert bob.ledger.state().check(item).conflict
        await pilot.press("K", "y")
        await until(pilot, lambda: not bob.ledger.state().check(item).conflict, "the item's conflict resolved")


# --- quarantine ----------------------------------------------------------------------------------


async def test_quarantine_lists_an_untrusted_writer_and_t_trusts_it(room, web_cutover):
    carl, bob = room.side("carl"), room.side("bob")
    first = web_cutover.steps[0].id
    carl.ledger.append("step.done", first)
    carl.syncer(room.folder, room.trusting(carl), room.cache).round()
    app = console_of(bob, web_cutover, bob.syncer(room.folder, build_trust(web_cutover, bob.key), room.cache))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await started(pilot, app)
        held = re.compile(r"⚠ ?2( quarantined|q)")  # carl's step and the runbook.loaded before it
        await until(pilot, lambda: held.search(header_text(app)), "the quarantined count in the header")
        assert bob.ledger.state().step(first).status == "pending", "never applied silently"
        await pilot.press("Q")
        await until(pilot, lambda: isinstance(app.screen, QuarantineScreen) and app.screen.loaded, "the quarantine")
        screen = app.screen
        assert [(row.operator, row.outcome, row.key_id) for row in screen.rows] == [
            ("carl", "quarantined", carl.key.key_id)]
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        assert app.screen.question == f"Trust {carl.key.key_id} as carl's key on this machine?"
        await pilot.press("y")
        await until(pilot, lambda: bob.ledger.state().step(first).status == "done", "carl's events applied")
        await until(pilot, lambda: not screen.rows, "the list emptied")
        await until(pilot, lambda: "✔ done" in step_line(app, first), "carl's step on the timeline")
        await pilot.press("escape")
        await until(pilot, lambda: "⚠" not in header_text(app), "the header's count gone")


async def test_quarantine_without_sync_says_so(console):
    async with console.run() as ui:
        await ui.press("Q")
        await ui.until(lambda: isinstance(ui.app.screen, QuarantineScreen) and ui.app.screen.loaded)
        assert "Sync is off" in str(ui.app.screen.query_one("#quarantine-status").render())
        await ui.press("t")
        assert isinstance(ui.app.screen, QuarantineScreen)
        await ui.press("escape")
        await ui.until(lambda: isinstance(ui.app.screen, MainScreen))



# --- the probe board's other vantage points ------------------------------------------------------


async def test_the_probe_board_shows_other_machines_view(room, web_cutover):
    from warroom.probes import ProbeState, ProbeStatus
    from warroom.tui.main_screen import ProbesUpdated
    from warroom.widgets.probe_board import ProbeBoard

    ana, bob = room.side("ana"), room.side("bob")
    probe = web_cutover.probes[0]
    ana.ledger.append("step.started", web_cutover.steps[0].id)  # so that node-ana is known as ana
    ana.ledger.append_observed([("probe.changed", probe.name, {"from": "UP", "to": "DOWN", "vantage": ana.node})])
    ana.syncer(room.folder, room.trusting(ana, bob), room.cache).round()
    app = console_of(bob, web_cutover, bob.syncer(room.folder, room.trusting(bob, ana), room.cache))
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, app)
        screen = main_screen(app)
        await until(pilot, lambda: screen.side_ready, "the panes")
        now = app.clock()
        screen.post_message(ProbesUpdated([ProbeStatus(probe.name, probe.kind, ProbeState.UP, "200", 40.0, None, now,
                                                       now, (40.0,), 100.0, 100.0)]))
        await pilot.press("7")
        board = screen.query_one(ProbeBoard)
        await until(pilot, lambda: board.get_row(probe.name) is not None and board.get_row(probe.name).elsewhere,
                    "ana's view on bob's board")
        assert board.get_row(probe.name).elsewhere == "DOWN from ana"
        await until(pilot, lambda: "elsewhere" in board._column_keys, "the Elsewhere column")
        line = board.render_row(board.get_row_index(probe.name)).text
        assert "● up" in line and "DOWN from ana" in line


def test_the_console_without_an_export_loads_no_sync():
    """Start-up pays nothing for sync when no export is named: its modules and cryptography load later."""
    import subprocess
    import sys

    probe = ("import sys, warroom.tui.app, warroom.tui.cli; "
             "print(sorted(m for m in sys.modules if m.startswith(('cryptography', 'warroom.sync.round'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
