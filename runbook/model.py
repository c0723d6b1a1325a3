"""The plan as a frozen, typed model.

A Runbook never changes during a run; everything the ledger records refers to the ids defined here.
`line`/`col` fields (1-based) point back into the YAML file so lint and errors can name a place; they
are left out of equality so two loads of the same text compare equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from types import MappingProxyType

# Checklist names in the order the screen shows them.
PRE_DEPLOYMENT = "pre_deployment"
GO_NO_GO = "go_no_go"
POST_DEPLOYMENT = "post_deployment"
SMOKE_TESTS = "smoke_tests"
CHECKLIST_NAMES = (PRE_DEPLOYMENT, GO_NO_GO, POST_DEPLOYMENT, SMOKE_TESTS)
CHECKLIST_TITLES = {
    PRE_DEPLOYMENT: "Pre-deployment",
    GO_NO_GO: "Go/No-Go",
    POST_DEPLOYMENT: "Post-deployment",
    SMOKE_TESTS: "Smoke tests",
}
GO_NO_GO_CATEGORIES = ("functional", "technical", "operational", "business", "governance")

# Used when the runbook has no `severity:` (respond, resolve), per the hypercare guide.
DEFAULT_SEVERITY = {
    "P1": (timedelta(minutes=15), timedelta(hours=4)),
    "P2": (timedelta(hours=1), timedelta(hours=8)),
    "P3": (timedelta(hours=4), timedelta(hours=24)),
    "P4": (timedelta(hours=8), timedelta(days=5)),
}


@dataclass(frozen=True)
class Window:
    start: datetime  # timezone-aware
    end: datetime
    rollback_deadline: datetime | None = None
    line: int = field(default=0, compare=False)  # of the `window:` mapping, for lint
    col: int = field(default=0, compare=False)

    @property
    def zone(self) -> tzinfo:
        """The deployment's time zone, in which every time is shown (the loader makes start aware)."""
        zone = self.start.tzinfo
        if zone is None:
            raise ValueError("the window's start has no time zone")
        return zone


@dataclass(frozen=True)
class TeamMember:
    role: str
    name: str
    phone: str | None = None
    email: str | None = None
    # Sync: the name this person records as in the ledger (the loader defaults it to `name`), and
    # the public keys of their devices ("ed25519:<base64>"), trusted without asking.
    operator: str = ""
    keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.operator:
            object.__setattr__(self, "operator", self.name)


@dataclass(frozen=True)
class SeverityTarget:
    respond: timedelta
    resolve: timedelta


@dataclass(frozen=True)
class ChecklistItem:
    id: str  # "<checklist>/<slug>", e.g. "pre_deployment/war-room-prepared"
    text: str
    checklist: str  # one of CHECKLIST_NAMES
    category: str | None = None  # go/no-go category, else None
    line: int = field(default=0, compare=False)
    col: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Checklist:
    name: str  # one of CHECKLIST_NAMES
    items: tuple[ChecklistItem, ...] = ()

    @property
    def title(self) -> str:
        return CHECKLIST_TITLES[self.name]


@dataclass(frozen=True)
class Validation:
    """One entry of a step's `validate:` list: a probe name, or free text for a human check."""

    text: str | None = None
    probe: str | None = None

    def __str__(self) -> str:
        return f"probe: {self.probe}" if self.probe else (self.text or "")


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    phase: str
    owner: str | None
    duration: timedelta
    command: str | None = None
    validate: tuple[Validation, ...] = ()
    rollback: str | None = None
    after: tuple[str, ...] = ()  # resolved: absent in YAML = the previous step
    approval: int = 0
    at: datetime | None = None  # fixed start: not planned before this time
    gate: str | None = None  # "go-no-go": waits for a GO; "go-live": asks PROCEED or ROLLBACK
    rollback_duration: timedelta | None = None  # how long undoing it takes, when not its duration
    line: int = field(default=0, compare=False)
    col: int = field(default=0, compare=False)

    @property
    def rollback_action(self) -> str | None:
        """What undoing this step takes, when anything: its `rollback`, unless that says none is needed."""
        text = (self.rollback or "").strip()
        return None if not text or text.lower().rstrip(".") in NO_ROLLBACK else text

    @property
    def time_to_undo(self) -> timedelta:
        """How long its rollback takes: `rollback_duration`, else as long as the step itself;
        nothing when there is nothing to undo."""
        if self.rollback_action is None:
            return timedelta(0)
        return self.rollback_duration if self.rollback_duration is not None else self.duration


# What runbooks write for a step that needs no rollback.
NO_ROLLBACK = ("none needed", "none", "n/a", "not needed", "nothing to roll back")


class Mark(tuple[int, int]):
    """Where a value starts in the file: a plain `(line, col)` pair, 1-based (for a quoted scalar,
    the column of its opening quote). `text_col` is the column of the value's first character when
    the scalar's characters sit one-to-one on that line (plain or quoted, on one line, no escapes),
    so a column inside the text maps to `text_col + column - 1`; otherwise None."""

    text_col: int | None

    def __new__(cls, line: int, col: int, text_col: int | None = None) -> Mark:
        mark = super().__new__(cls, (line, col))
        mark.text_col = text_col
        return mark

    def __getnewargs__(self) -> tuple[int, int, int | None]:
        return (self[0], self[1], self.text_col)

    @property
    def line(self) -> int:
        return self[0]

    @property
    def col(self) -> int:
        return self[1]


@dataclass(frozen=True)
class ProbeSpec:
    """Kept as written for the probes issue; `kind` is the key that names the target."""

    name: str
    kind: str  # http | tcp | dns | tls | command | host
    target: str
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    line: int = field(default=0, compare=False)
    col: int = field(default=0, compare=False)
    # Where each value was written, for errors found later (the probes package checks the
    # options): key -> Mark of its value (every key of the probe, `name` and the kind too), and
    # "key[i]" -> Mark of item i (0-based, as ProbeConfigError.index) of a list-valued key.
    marks: Mapping[str, Mark] = field(default_factory=lambda: MappingProxyType({}), compare=False)


@dataclass(frozen=True)
class PlannedSlot:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Runbook:
    id: str
    title: str
    version: int | str
    window: Window
    status_update_every: timedelta
    team: tuple[TeamMember, ...]
    severity: Mapping[str, SeverityTarget]
    checklists: Mapping[str, Checklist]  # every name of CHECKLIST_NAMES is present (maybe empty)
    steps: tuple[Step, ...]
    probes: tuple[ProbeSpec, ...]
    updates_file: str | None = None  # where posted status updates are appended (relative: to the runbook)
    path: str = field(default="", compare=False)
    sha256: str = ""  # of the file's bytes

    def step(self, step_id: str) -> Step:
        return self._steps_by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps_by_id

    def item(self, item_id: str) -> ChecklistItem:
        return self._items_by_id[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items_by_id

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        """Every checklist item and smoke test, in screen order."""
        return tuple(i for name in CHECKLIST_NAMES for i in self.checklists[name].items)

    @property
    def phases(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.phase for s in self.steps))

    @property
    def _steps_by_id(self) -> dict[str, Step]:
        cached = self.__dict__.get("_steps_cache")
        if cached is None:
            cached = {s.id: s for s in self.steps}
            object.__setattr__(self, "_steps_cache", cached)
        return cached

    @property
    def _items_by_id(self) -> dict[str, ChecklistItem]:
        cached = self.__dict__.get("_items_cache")
        if cached is None:
            cached = {i.id: i for i in self.items}
            object.__setattr__(self, "_items_cache", cached)
        return cached
