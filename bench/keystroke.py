"""`d` on a step: key press to committed event and repainted row, under Textual's Pilot.

The baseline is the ledger append alone (one fsynced SQLite transaction), measured on the same
file in the same run, so the ratio shows what the screen adds on top of durability.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from bench.scale import pick
from warroom.ops.actions import step_guards
from warroom.runbook import load
from warroom.store import WITHOUT_NOTES, Ledger
from warroom.tui.app import WarroomApp
from warroom.tui.main_screen import MainScreen
from warroom.widgets.timeline import Timeline

SETTLE_SECONDS = 0.15


def presses() -> int:
    return pick(40, 3)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _press_done(runbook_path: Path, db: Path) -> list[float]:
    runbook = load(runbook_path)
    ledger = Ledger.open(db, runbook.id, "bench", runbook_sha256=runbook.sha256)
    app = WarroomApp(runbook, ledger, follow_ledger=False)
    latencies = []
    async with app.run_test(size=(160, 50)) as pilot:
        while not (isinstance(app.screen, MainScreen) and app.screen.snapshot):
            await pilot.pause(0.01)
        screen = app.screen
        timeline = screen.query_one(Timeline)
        timeline.select_step(runbook.steps[0].id)  # the console opens on the running step; these are in order
        painted = []
        original = timeline.render_line
        timeline.render_line = lambda y: painted.append(y) or original(y)  # noqa: E731
        committed = []
        append = ledger.append

        def timed_append(*args, **kwargs):
            event = append(*args, **kwargs)  # returns once the transaction has committed
            committed.append(time.perf_counter())
            return event

        ledger.append = timed_append
        measured = 0
        while measured < presses():
            step_id = timeline.selected_step
            state = ledger.state(skip=WITHOUT_NOTES)
            # A step already done, or one whose `d` would ask first (a dependency unfinished, a
            # probe DOWN), is not what this measures: the next one.
            if state.step(step_id).status == "done" or step_guards(runbook, state, step_id, "done",
                                                                   screen.probe_states):
                timeline.action_cursor_down()
                if timeline.selected_step == step_id:
                    raise RuntimeError("no step left that `d` marks done without asking first")
                continue
            measured += 1
            row_line = timeline.get_row_index(step_id) + 1 - timeline.scroll_offset.y
            painted.clear()
            committed.clear()
            started = time.perf_counter()
            # Pilot's press() also waits for the whole app to go idle; watch the row meanwhile.
            pressing = asyncio.create_task(pilot.press("d"))
            # Done when the event is committed, the row says so and its line was repainted.
            while not (timeline.get_row(step_id).status == "done" and row_line in painted):
                await asyncio.sleep(0.0005)
            painted_at = time.perf_counter()
            while not committed:
                await asyncio.sleep(0.0005)
            latencies.append(max(painted_at, committed[0]) - started)
            await pressing
            timeline.action_cursor_down()
            # An operator's next key comes later than a test's: let the follow-up refresh finish,
            # so each press is measured on its own, not queued behind the previous one's work.
            await asyncio.sleep(SETTLE_SECONDS)
            await pilot.pause()
    ledger.close()
    return latencies


def _append_only(runbook_path: Path, db: Path) -> list[float]:
    runbook = load(runbook_path)
    times = []
    with Ledger.open(db, runbook.id, "bench-baseline", runbook_sha256=runbook.sha256) as ledger:
        for number in range(presses()):
            started = time.perf_counter()
            ledger.append("note.added", "", {"text": f"baseline {number}"})
            times.append(time.perf_counter() - started)
    return times


def measure(runbook_path: Path, db: Path) -> dict[str, float]:
    app_times = asyncio.run(_press_done(runbook_path, db))
    base_times = _append_only(runbook_path, db)
    return {
        "presses": len(app_times),
        "p50_ms": statistics.median(app_times) * 1000,
        "p95_ms": percentile(app_times, 0.95) * 1000,
        "max_ms": max(app_times) * 1000,
        "append_p50_ms": statistics.median(base_times) * 1000,
        "ratio_p50": statistics.median(app_times) / statistics.median(base_times),
    }
