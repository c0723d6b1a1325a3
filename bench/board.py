"""Probe board repaint latency: 1,000 probes at 160x50, 50 rounds of 100 changed probes each.

A round is one `update_rows()` call; it is timed until every changed line that is on screen
has been repainted (render_line called for it). The baseline is Textual's DataTable doing
`update_cell` for the same changed cells, in the same run, timed the same way.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable

from bench.keystroke import percentile
from bench.scale import pick
from warroom.probes import ProbeState, ProbeStatus
from warroom.probes.state import HISTORY_SIZE
from warroom.tui.rows import probe_row
from warroom.widgets.probe_board import COLUMNS, ProbeBoard, fit_columns, row_cells

SIZE = (160, 50)
KINDS = ("http", "tcp", "dns", "tls", "command", "host")
STATE_ODDS = ((ProbeState.UP, 70), (ProbeState.DEGRADED, 12), (ProbeState.PENDING, 8), (ProbeState.DOWN, 8),
              (ProbeState.UNKNOWN, 2))
REASONS = {
    ProbeState.DEGRADED: "[RESPONSE_TIME] < 300 (got {ms:.0f})",
    ProbeState.PENDING: "[STATUS] == 200 (got 503)",
    ProbeState.DOWN: "connection refused",
    ProbeState.UNKNOWN: "this machine is offline",
}


def sizes() -> tuple[int, int, int]:
    """(probes, rounds, changes per round): full for `make bench`, tiny for the test."""
    return pick((1000, 50, 100), (20, 3, 5))


def _initial(rng: random.Random, probes: int) -> list[ProbeStatus]:
    return [
        ProbeStatus(
            name=f"probe-{n:04d}", kind=KINDS[n % len(KINDS)], state=ProbeState.UP, value="200 OK",
            response_time_ms=40.0, history=tuple(rng.uniform(20, 80) for _ in range(20)),
            uptime_1h=100.0, uptime_24h=99.9,
        )
        for n in range(probes)
    ]


def _rounds(rng: random.Random, initial: list[ProbeStatus], rounds: int, changes: int) -> list[list[ProbeStatus]]:
    """Every round's changed statuses, made up front so both widgets get the same and neither
    pays for making them."""
    current = {status.name: status for status in initial}
    states, weights = zip(*STATE_ODDS, strict=True)
    made = []
    for _ in range(rounds):
        changed = []
        for name in rng.sample(sorted(current), changes):
            state = rng.choices(states, weights)[0]
            ms = None if state is ProbeState.UNKNOWN else rng.uniform(10, 900)
            reason = REASONS.get(state, "").format(ms=ms or 0) or None
            status = replace(current[name], state=state, response_time_ms=ms, failed_condition=reason,
                             history=(current[name].history + (ms,))[-HISTORY_SIZE:])
            current[name] = status
            changed.append(status)
        made.append(changed)
    return made


class _Host(App):
    def __init__(self, widget: Widget, *others: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.others = others

    def compose(self) -> ComposeResult:
        yield self.widget
        yield from self.others


def _record_paints(widget: Widget) -> list[int]:
    painted: list[int] = []
    original = widget.render_line
    widget.render_line = lambda y: painted.append(y) or original(y)  # noqa: E731
    return painted


async def _timed_rounds(pilot, widget: Widget, rounds, row_of: Callable[[str], int], apply) -> dict:
    """Apply each round and wait until its visible changed lines are painted."""
    painted = _record_paints(widget)
    times, calls, lines = [], [], []
    for changes in rounds:
        top, height = widget.scroll_offset.y, widget.size.height - 1  # -1: the header line
        expected = {row_of(s.name) + 1 - top for s in changes if top <= row_of(s.name) < top + height}
        await pilot.pause()
        painted.clear()
        started = time.perf_counter()
        apply(changes)
        calls.append(time.perf_counter() - started)
        if not expected:  # nothing on screen changed: no repaint to wait for
            continue
        while not expected <= set(painted):
            await asyncio.sleep(0.0002)
        times.append(time.perf_counter() - started)
        await pilot.pause()
        lines.append(len(set(painted)))
    return {"times": times, "calls": calls, "lines": lines}


async def _board(initial, rounds) -> dict:
    board = ProbeBoard()

    def update(statuses: list[ProbeStatus]) -> None:  # as the console does
        board.update_rows(map(probe_row, statuses))

    async with _Host(board).run_test(size=SIZE) as pilot:
        update(initial)
        await pilot.pause()
        return await _timed_rounds(pilot, board, rounds, board.get_row_index, update)


async def _data_table(initial, rounds) -> dict:
    table = DataTable(cursor_type="row")
    board = ProbeBoard()  # not shown: only its row styles, so that both tables paint the same cells
    board.display = False
    app = _Host(table, board)
    async with app.run_test(size=SIZE) as pilot:
        palette = board.row_palette()
        keys, widths = fit_columns(SIZE[0] - 1)
        for column in COLUMNS:
            if column.key in keys:
                table.add_column(column.label, width=widths[column.key], key=column.key)
        shown: dict[str, dict[str, Text]] = {}
        for status in initial:
            shown[status.name] = row_cells(probe_row(status), palette)
            table.add_row(*(shown[status.name][key] for key in keys), key=status.name)
        rows = {status.name: index for index, status in enumerate(initial)}
        await pilot.pause()

        def apply(changes: list[ProbeStatus]) -> None:
            # The same work as the board: build the cells, update only those that changed.
            for status in changes:
                cells = row_cells(probe_row(status), palette)
                for key in keys:
                    if cells[key] != shown[status.name][key]:
                        table.update_cell(status.name, key, cells[key])
                shown[status.name] = cells

        return await _timed_rounds(pilot, table, rounds, rows.__getitem__, apply)


async def _both(seed: int) -> tuple[dict, dict]:
    probes, rounds, changes = sizes()
    rng = random.Random(seed)
    initial = _initial(rng, probes)
    rounds = _rounds(rng, initial, rounds, changes)
    return await _board(initial, rounds), await _data_table(initial, rounds)


def measure(seed: int = 7) -> dict[str, float]:
    board, table = asyncio.run(_both(seed))
    return {
        "probes": sizes()[0],
        "rounds": len(board["times"]),
        "changes_per_round": sizes()[2],
        "p50_ms": statistics.median(board["times"]) * 1000,
        "p95_ms": percentile(board["times"], 0.95) * 1000,
        "max_ms": max(board["times"]) * 1000,
        "call_p50_ms": statistics.median(board["calls"]) * 1000,
        "lines_per_round": statistics.mean(board["lines"]),
        "datatable_p50_ms": statistics.median(table["times"]) * 1000,
        "datatable_p95_ms": percentile(table["times"], 0.95) * 1000,
        "datatable_max_ms": max(table["times"]) * 1000,
        "datatable_lines_per_round": statistics.mean(table["lines"]),
        "ratio_p50": statistics.median(board["times"]) / statistics.median(table["times"]),
        "ratio_p95": percentile(board["times"], 0.95) / percentile(table["times"], 0.95),
    }


def main() -> None:
    figures = measure()
    print(
        f"probe board, {figures['probes']:,} probes at {SIZE[0]}x{SIZE[1]}, {figures['rounds']} rounds of "
        f"{figures['changes_per_round']} changes in one update_rows call:\n"
        f"  repaint p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, max {figures['max_ms']:.1f} ms "
        f"(target p95 <= 50 ms); "
        f"the call alone p50 {figures['call_p50_ms']:.2f} ms; {figures['lines_per_round']:.1f} lines painted a round\n"
        f"  DataTable.update_cell baseline p50 {figures['datatable_p50_ms']:.1f} ms, "
        f"p95 {figures['datatable_p95_ms']:.1f} ms, max {figures['datatable_max_ms']:.1f} ms; "
        f"{figures['datatable_lines_per_round']:.1f} lines painted a round\n"
        f"  ratio board/DataTable p50 {figures['ratio_p50']:.2f}, p95 {figures['ratio_p95']:.2f}"
    )


if __name__ == "__main__":
    main()
