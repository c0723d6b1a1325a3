"""THE LEDGER: an append-only SQLite event log with a hybrid logical clock and a projection.

Pure: no Textual, no runbook model; it works on plain step and checklist ids.
"""

from .errors import ForeignDatabaseError, LedgerError
from .events import Event
from .identity import default_db_path, node_id, resolve_db_path, resolve_operator
from .ledger import Ledger
from .samples import SampleRow
from .state import STEP_STATUSES, CheckState, NoteEntry, RunState, StepState

__all__ = [
    "Ledger",
    "SampleRow",
    "Event",
    "RunState",
    "StepState",
    "CheckState",
    "NoteEntry",
    "LedgerError",
    "ForeignDatabaseError",
    "STEP_STATUSES",
    "resolve_operator",
    "node_id",
    "default_db_path",
    "resolve_db_path",
]
