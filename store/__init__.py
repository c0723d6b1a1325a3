"""THE LEDGER: an append-only SQLite event log with a hybrid logical clock, and one reducer per
kind of state folding it (see `aggregate.py` and `aggregates/`).

Pure: no Textual, no runbook model; it works on plain step and checklist ids.
"""

from warroom.vocabulary import EventKind, StepStatus

from .aggregates.checks import CheckState
from .aggregates.decisions import DecisionEntry
from .aggregates.incidents import Incident
from .aggregates.notes import NoteEntry
from .aggregates.probes import ProbeObservation
from .aggregates.rollbacks import RollbackState
from .aggregates.signoffs import SignOff
from .aggregates.steps import StepState
from .aggregates.updates import PostedUpdate
from .errors import ForeignDatabaseError, LedgerError, StateChanged
from .events import Event
from .identity import default_db_path, node_id, resolve_db_path, resolve_operator
from .ledger import WITHOUT_NOTES, Ledger
from .samples import SampleRow
from .state import RunState, fold

__all__ = [
    "Ledger",
    "WITHOUT_NOTES",
    "SampleRow",
    "Event",
    "EventKind",
    "RunState",
    "StepState",
    "StepStatus",
    "CheckState",
    "NoteEntry",
    "SignOff",
    "DecisionEntry",
    "Incident",
    "PostedUpdate",
    "RollbackState",
    "ProbeObservation",
    "LedgerError",
    "StateChanged",
    "ForeignDatabaseError",
    "fold",
    "resolve_operator",
    "node_id",
    "default_db_path",
    "resolve_db_path",
]
