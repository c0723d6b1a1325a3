"""Sync rounds in the background: at start, every 10 s, at once after a local write (`poke`), and
at once when a folder export changes (watched with watchfiles), never on the UI thread.

The rounds use a ledger connection of their own (`Syncer.on`), so a long import never holds the
screen's; the screen learns of what was imported through its data_version watcher, and of the
round itself through `on_round`, called from the runner's thread with a `SyncOutcome`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.store import Ledger

if TYPE_CHECKING:
    from warroom.sync.round import RoundReport, Syncer, SyncStatus
    from warroom.sync.trust import Trust

INTERVAL_SECONDS = 10.0
WATCH_DEBOUNCE_MS = 200  # a segment is written to a temp name, then renamed: one round for both
MISSING_FOLDER_POLL_SECONDS = 1.0  # how often a watched folder that is not there yet is looked for
STOP_WAIT_SECONDS = 2.0  # how long stopping waits for a round under way (a git push may take longer)


@dataclass(frozen=True)
class SyncOutcome:
    """One finished round: what it moved and the status after it; `failure`, one line, when the
    round itself broke (a bug or the ledger, not the export: the export's failure is in the status)."""

    report: RoundReport | None
    status: SyncStatus | None
    failure: str | None = None


class SyncRunner:
    def __init__(self, syncer: Syncer, on_round: Callable[[SyncOutcome], None], *,
                 interval: float = INTERVAL_SECONDS, watch: bool = True) -> None:
        self.syncer = syncer
        self.on_round = on_round
        self.interval = interval
        self.watches = watch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._ready = threading.Event()  # the runner's own syncer is there (retrust needs it)
        self._own: Syncer | None = None
        self._threads: list[threading.Thread] = []

    # ---- control (any thread) ------------------------------------------------------------------

    def start(self) -> None:
        rounds = threading.Thread(target=self._run, name="warroom-sync", daemon=True)
        self._threads = [rounds]
        watch_path = self.syncer.export.watch_path() if self.watches else None
        if watch_path is not None:
            self._threads.append(threading.Thread(target=self._watch, args=(watch_path,), name="warroom-sync-watch",
                                                  daemon=True))
        for thread in self._threads:
            thread.start()

    def poke(self) -> None:
        """A round as soon as the one under way (if any) is over."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(STOP_WAIT_SECONDS)

    def retrust(self, trust: Trust) -> int:
        """Use `trust` from now on and import what it releases (blocking: call it from a worker
        thread); the number of events it applied. A round follows to tell the new status."""
        self.syncer.trust = trust
        if not self._ready.wait(STOP_WAIT_SECONDS) or self._own is None:
            return 0  # the runner never started: its first round will use the new trust
        released = self._own.retrust(trust)
        self.poke()
        return released

    # ---- the rounds' thread ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            own_ledger = self._open_own_ledger()
        except Exception as exc:  # noqa: BLE001 - said on screen, never raised into the UI
            self._ready.set()
            self._tell(SyncOutcome(None, None, f"sync cannot start: {exc}"))
            return
        try:
            self._own = self.syncer.on(own_ledger)
            self._ready.set()
            while not self._stop.is_set():
                self._wake.clear()
                self._tell(self._one_round(self._own))
                self._wake.wait(self.interval)
        finally:
            own_ledger.close()

    def _open_own_ledger(self) -> Ledger:
        ledger = self.syncer.ledger
        return Ledger.open(ledger.path, ledger.deployment, ledger.operator, run=ledger.run, node=ledger.node,
                           runbook_sha256=ledger.runbook_sha256)

    @staticmethod
    def _one_round(syncer: Syncer) -> SyncOutcome:
        try:
            report = syncer.round()
        except Exception as exc:  # noqa: BLE001 - a round must never take the console down
            status = None
            try:
                status = syncer.status()
            except Exception:  # noqa: BLE001, S110 - the failure above is the one to tell
                pass
            return SyncOutcome(None, status, f"sync round failed: {exc}")
        try:
            return SyncOutcome(report, syncer.status())
        except Exception as exc:  # noqa: BLE001
            return SyncOutcome(report, None, f"sync status unreadable: {exc}")

    def _tell(self, outcome: SyncOutcome) -> None:
        if self._stop.is_set():
            return
        try:
            self.on_round(outcome)
        except Exception:  # noqa: BLE001, S110 - the app is closing; nobody is left to tell
            pass

    # ---- the watcher's thread ------------------------------------------------------------------

    def _watch(self, path: Path) -> None:
        """Poke on every change under `path` but our own segments; wait for it while it is absent,
        and start again when it goes away (a drive unmounted and mounted again)."""
        import watchfiles

        own = f".{self.syncer.key.key_id}"

        def relevant(change: watchfiles.Change, name: str) -> bool:
            parts = Path(name).parts
            return not name.endswith(".tmp") and not any(part.endswith(own) for part in parts)

        missing = False
        while not self._stop.is_set():
            if not path.is_dir():
                missing = True
                self._stop.wait(MISSING_FOLDER_POLL_SECONDS)
                continue
            if missing:  # back: sync at once rather than at the next interval
                missing = False
                self.poke()
            try:
                for _changes in watchfiles.watch(path, watch_filter=relevant, debounce=WATCH_DEBOUNCE_MS,
                                                 stop_event=self._stop, recursive=True, raise_interrupt=False):
                    self.poke()
            except Exception:  # noqa: BLE001 - the folder went away: look for it again
                self._stop.wait(MISSING_FOLDER_POLL_SECONDS)
            else:
                if not self._stop.is_set():
                    self._stop.wait(MISSING_FOLDER_POLL_SECONDS)  # the watch ended by itself
