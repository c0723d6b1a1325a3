"""The activity log: newest first, time, operator, what happened."""

from __future__ import annotations

from datetime import tzinfo
from typing import Callable, Sequence

from textual.widgets import DataTable

from store import Event
from widgets.display import clock


class ActivityLog(DataTable):
    def __init__(self, describe: Callable[[Event], str], **kwargs) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self._describe = describe
        self._shown: list[str] = []

    def on_mount(self) -> None:
        self.add_column("Time", key="time", width=5)
        self.add_column("Who", key="who", width=10)
        self.add_column("What", key="what")

    def show(self, events: Sequence[Event], zone: tzinfo) -> None:
        """`events` newest first; the table is refilled only when the newest events changed."""
        ids = [event.id for event in events]
        if ids == self._shown:
            return
        self._shown = ids
        self.clear()
        for event in events:
            self.add_row(clock(event.at, zone), event.operator, self._describe(event), key=event.id)
