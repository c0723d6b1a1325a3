"""Shared fixtures: every test gets its own data directory and operator, never the user's; one
clock that tests move by hand; real ledgers on a SQLite file in the test's tmp_path; the console
and single widgets under Textual's Pilot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from support import WEB_CUTOVER, ManualClock, main_screen, until
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget

from warroom.ops.loading import load_runbook
from warroom.probes.conditions import parse_condition
from warroom.runbook.model import Runbook
from warroom.store import Ledger
from warroom.tui.app import WarroomApp
from warroom.tui.main_screen import MainScreen
from warroom.widgets.timeline import Timeline


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Keep the user's data dir, operator and database settings out of every test."""
    data_home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("WARROOM_OPERATOR", "tester")
    for name in ("WARROOM_DB", "WARROOM_RUN", "NO_COLOR", "WARROOM_EXPORT"):
        monkeypatch.delenv(name, raising=False)
    return data_home


@pytest.fixture(autouse=True)
def fresh_condition_cache():
    """parse_condition keeps a cache for the whole process: clear it, so that each test parses its
    own probe conditions and none depends on what an earlier test parsed (and so that mutation
    testing, whose workers fork from a process that has run the tests, sees every parse)."""
    parse_condition.cache_clear()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def clock() -> ManualClock:
    """Starts at support.T0 and stands still until the test moves it."""
    return ManualClock()


@pytest.fixture
def open_ledger(db_path, clock):
    """Opens real ledgers: `open_ledger("lee", run="rehearsal-1")`. Defaults: operator 'ana' of
    deployment 'billing' on node 'n1', the file db_path, the `clock` fixture. Any other file via
    `path=`. Every ledger it opened is closed after the test."""
    opened: list[Ledger] = []

    def open_(operator: str = "ana", *, path: Path | None = None, deployment: str = "billing", **options) -> Ledger:
        options.setdefault("node", "n1")
        options.setdefault("clock", clock)
        ledger = Ledger.open(db_path if path is None else path, deployment, operator, **options)
        opened.append(ledger)
        return ledger

    yield open_
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(open_ledger) -> Ledger:
    """Ana's ledger on db_path (see open_ledger)."""
    return open_ledger()


@pytest.fixture(scope="session")
def web_cutover() -> Runbook:
    """The bundled web cutover: window 08:00-18:00 at +01:00 on 2026-11-28."""
    return load_runbook(WEB_CUTOVER)


# --- the console under Pilot --------------------------------------------------------------------


class Console:
    """The running console, read the way an operator reads it."""

    def __init__(self, app: WarroomApp, pilot: Pilot) -> None:
        self.app = app
        self.pilot = pilot

    async def until(self, condition: Callable[[], object], what: str = "the expected state",
                    timeout: float = 5.0) -> None:
        await until(self.pilot, condition, what, timeout)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)

    async def pause(self, delay: float | None = None) -> None:
        await self.pilot.pause(delay)

    @property
    def screen(self) -> MainScreen:
        """The main screen, even while a dialog is open above it."""
        return main_screen(self.app)

    @property
    def timeline(self) -> Timeline:
        return self.screen.query_one(Timeline)

    def status_of(self, step_id: str) -> str:
        """The step's status in the ledger snapshot on screen."""
        snapshot = self.screen.snapshot
        return snapshot.state.step(step_id).status if snapshot else "pending"

    def step_line(self, step_id: str) -> str:
        """The timeline's line for a step, as drawn (on screen or scrolled away)."""
        index = self.timeline.get_row_index(step_id)
        return "" if index is None else self.timeline.render_row(index).text


class Consoles:
    """Opens the console on a ledger of its own (closed at the end of the test)."""

    def __init__(self, db_path: Path, runbook: Runbook) -> None:
        self.db_path = db_path
        self.runbook = runbook
        self.ledgers: list[Ledger] = []

    def app(self, runbook: Runbook | None = None, *, operator: str = "tester", run: str = "rehearsal-1",
            clock: ManualClock | None = None, **options) -> WarroomApp:
        """A WarroomApp on this test's ledger; probes are off unless `probes=True`."""
        runbook = runbook or self.runbook
        ledger = Ledger.open(self.db_path, runbook.id, operator, run=run, runbook_sha256=runbook.sha256,
                             **({"clock": clock} if clock else {}))
        self.ledgers.append(ledger)
        options.setdefault("probes", False)
        if clock:
            options.setdefault("clock", clock.now)
        return WarroomApp(runbook, ledger, **options)

    @asynccontextmanager
    async def run(self, app: WarroomApp | None = None, size: tuple[int, int] = (140, 40),
                  notifications: bool = False, **options) -> AsyncIterator[Console]:
        """`async with consoles.run() as ui:` the console under Pilot, its first snapshot shown;
        `notifications=True` keeps the notices (Textual drops them under Pilot otherwise)."""
        app = app or self.app(**options)
        async with app.run_test(size=size, notifications=notifications) as pilot:
            ui = Console(app, pilot)
            await ui.until(lambda: any(isinstance(s, MainScreen) and s.snapshot for s in app.screen_stack),
                           "the first ledger snapshot on screen")
            yield ui
        app.ledger.close()

    def close(self) -> None:
        for ledger in self.ledgers:
            ledger.close()


@pytest.fixture
def console(db_path, web_cutover) -> Consoles:
    """The console on the web cutover under Textual's Pilot: `async with console.run() as ui:`."""
    consoles = Consoles(db_path, web_cutover)
    yield consoles
    consoles.close()


# --- one widget under Pilot ---------------------------------------------------------------------


class Host(App):
    """A bare app around one widget, focused; it keeps the messages the widget posts."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.messages: list = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.widget.focus()

    def post_message(self, message) -> bool:  # the widget's messages bubble up to here
        if getattr(message, "control", None) is self.widget:
            self.messages.append(message)
        return super().post_message(message)


@pytest.fixture
def hosted():
    """`async with hosted(ProbeBoard(), size=(160, 20)) as (board, pilot):` one widget under Pilot."""

    @asynccontextmanager
    async def run(widget: Widget, size: tuple[int, int] = (120, 20)):
        app = Host(widget)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            yield widget, pilot

    return run
