"""LIVE HEALTH: probe kinds, Gatus-compatible conditions, the per-probe state machine and an
asyncio scheduler. Pure: no Textual, no SQLite; the tui wires it to widgets and the store."""

from .conditions import Condition, ConditionError, evaluate, parse_condition
from .judge import Verdict, judge
from .kinds import Check, make_check
from .result import ProbeResult
from .scheduler import ProbeScheduler
from .spec import KINDS, ProbeConfig, ProbeConfigError, config_problems, to_config
from .state import ProbeStatus, ProbeTracker, Sample, State, Transition, Update

__all__ = [
    "KINDS", "Check", "Condition", "ConditionError", "ProbeConfig", "ProbeConfigError", "ProbeResult",
    "ProbeScheduler", "ProbeStatus", "ProbeTracker", "Sample", "State", "Transition", "Update", "Verdict",
    "config_problems", "evaluate", "judge", "make_check", "parse_condition", "to_config",
]
