"""What guarding the ledger costs on the 100,000-event fixture: SQLite's quick_check runs in a thread
at every writable open, and the first write waits for its verdict (nothing is written to a damaged
ledger). Measured as `warroom status` and `warroom note` do it - open, read the state or append one
note, close - against the same with the check left out (the baseline, in the same run)."""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from bench import scale
from warroom.store import Ledger
from warroom.store import ledger as ledger_module
from warroom.store.opening import IntegrityCheck


def rounds() -> int:
    return scale.pick(7, 2)


class _NoCheck:
    """The baseline: a ledger opened as before the guard (no check, so nothing to wait for)."""

    def __init__(self, path: Path) -> None:
        pass

    def result(self) -> None:
        return None

    def cancel(self) -> None:
        pass


@contextmanager
def _unguarded():
    guarded = ledger_module.IntegrityCheck
    ledger_module.IntegrityCheck = _NoCheck  # type: ignore[misc, assignment]
    try:
        yield
    finally:
        ledger_module.IntegrityCheck = guarded  # type: ignore[misc]


def _median_ms(action: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds()):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def compare(db: Path, deployment: str) -> dict[str, float]:
    """Median milliseconds, guarded and not, of reading the state and of appending one note."""
    copy = db.with_name("guard-" + db.name)  # notes are appended: leave the shared fixture as it was
    shutil.copyfile(db, copy)

    def status() -> None:
        with Ledger.open(copy, deployment, "bench") as ledger:
            ledger.state()

    def note() -> None:
        with Ledger.open(copy, deployment, "bench") as ledger:
            ledger.append("note.added", "", {"text": "guard bench"})

    def quick_check() -> None:
        IntegrityCheck(copy).result()  # as the ledger runs it: its own connection, in a thread, niced

    figures = {"status": _median_ms(status), "note": _median_ms(note), "quick_check": _median_ms(quick_check)}
    with _unguarded():
        figures |= {"status_base": _median_ms(status), "note_base": _median_ms(note)}
    return figures


def report(figures: dict[str, float]) -> str:
    return (f"(c) ledger guard, open + read state + close: {figures['status']:.0f} ms vs "
            f"{figures['status_base']:.0f} ms unguarded, ratio {figures['status'] / figures['status_base']:.2f}; "
            f"open + first append + close: {figures['note']:.0f} ms vs {figures['note_base']:.0f} ms, "
            f"ratio {figures['note'] / figures['note_base']:.2f}; quick_check alone {figures['quick_check']:.0f} ms")
