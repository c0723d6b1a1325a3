"""LIVE HEALTH: probe kinds, Gatus-compatible conditions, the per-probe state machine and an
asyncio scheduler. Pure: no Textual, no SQLite; the tui wires it to widgets and the store.

The checks and the scheduler load on first use (PEP 562): the console shows its first frame
without paying for httpx and dnspython, which only the probe thread needs.
"""

from importlib import import_module

from .conditions import Condition, ConditionError, evaluate, parse_condition
from .judge import Verdict, judge
from .result import ProbeResult
from .spec import KINDS, ProbeConfig, ProbeConfigError, config_problems, to_config
from .state import Past, ProbeState, ProbeStatus, ProbeTracker, Sample, Transition, Update

_LAZY = {"Check": "kinds", "make_check": "kinds", "ProbeScheduler": "scheduler"}

__all__ = [
    "KINDS", "Check", "Condition", "ConditionError", "Past", "ProbeConfig", "ProbeConfigError", "ProbeResult",
    "ProbeScheduler", "ProbeStatus", "ProbeTracker", "Sample", "ProbeState", "Transition", "Update", "Verdict",
    "config_problems", "evaluate", "judge", "make_check", "parse_condition", "to_config",
]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute '{name}'")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value
