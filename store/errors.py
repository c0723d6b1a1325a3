"""The errors the ledger raises; the LedgerErrors' messages are meant to be shown to the operator as-is."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .events import Event


class LedgerError(Exception):
    """Something is wrong with the ledger; the message is one sentence that says what to do."""


class ForeignDatabaseError(LedgerError):
    """The database file belongs to another deployment."""


class StateChanged(Exception):
    """An append expected a subject as it was last seen, and someone changed it since: nothing was
    written. `current` is the event that changed it last (None: it has no event any more)."""

    def __init__(self, current: Event | None) -> None:
        super().__init__("changed since it was last seen")
        self.current = current
