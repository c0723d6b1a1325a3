"""The `steps:` list -> Step objects, plus the checks that need every step: duplicate ids,
unknown dependencies, cycles and undefined probes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .graph import find_cycles
from .model import Step, Validation
from .names import did_you_mean, slugify
from .reading import Fields, Reader
from .timeparse import in_zone, on_window_day
from .yamlnodes import describe, is_null, plain_int, position

STEP_KEYS = ("id", "title", "phase", "owner", "duration", "at", "command", "validate", "rollback",
             "after", "approval", "gate", "rollback_duration")
# What a step may wait for (`gate:`): a GO at the go/no-go review, or the go-live decision.
GATES = ("go-no-go", "go-live")
DEFAULT_PHASE = "Steps"


@dataclass(frozen=True)
class WindowClock:
    """What a time-only `at:` needs: the window start and the window's time zone."""

    start: datetime
    zone: tzinfo


@dataclass
class _Draft:
    """A step read on its own, with the nodes the cross-step checks point at."""

    step: Step | None  # None when the step itself had errors
    node: MappingNode
    id: str | None
    id_node: Node | None
    after: list[tuple[str, Node]] = field(default_factory=list)  # explicit dependency names
    probes: list[tuple[str, Node]] = field(default_factory=list)  # `validate: [probe: X]`


def read_steps(reader: Reader, fields: Fields, clock: WindowClock | None,
               probe_names: set[str]) -> tuple[Step, ...]:
    node = fields.required("steps", "the runbook has no steps; add e.g. steps: [{id: backup, "
                                    "title: Take a backup, duration: 15m}]")
    if node is None:
        return ()
    if not isinstance(node, SequenceNode):
        reader.error(node, f"steps must be a list, each step starting with '- id: ...'; found {describe(node)}")
        return ()
    entries = list(node.value)
    if not entries:
        reader.error(node, "steps is empty; add at least one step")
        return ()
    drafts: list[_Draft] = []
    phase, previous_id = DEFAULT_PHASE, None
    for index, entry in enumerate(entries, 1):
        draft = _read_step(reader, entry, index, phase, previous_id, clock)
        if draft is None:
            previous_id = None
            continue
        drafts.append(draft)
        previous_id = draft.id
        if draft.step is not None:
            phase = draft.step.phase
    _check_references(reader, drafts, probe_names)
    return tuple(d.step for d in drafts if d.step is not None)


def _read_step(reader: Reader, node: Node, index: int, phase: str, previous_id: str | None,
               clock: WindowClock | None) -> _Draft | None:
    fields = reader.mapping(node, f"step {index}", "{id: backup, title: Take a backup, duration: 15m}")
    if fields is None:
        return None
    checkpoint = reader.checkpoint()
    step_id = _read_id(reader, fields, index)
    where = f"step '{step_id}'" if step_id else f"step {index}"
    fields.reject_unknown(STEP_KEYS, f"in {where}")
    draft = _Draft(None, fields.node, step_id, fields.get("id"))

    title = fields.required_text("title", f"{where} title", f"{where} has no title; add e.g. "
                                                            f"title: Deploy application code")
    phase = fields.optional_text("phase", f"{where} phase") or phase
    owner = fields.optional_text("owner", f"{where} owner")
    duration_node = fields.required("duration", f"{where} has no duration; add e.g. duration: 10m")
    duration = reader.duration(duration_node, f"{where} duration") if duration_node else None
    at = _read_at(reader, fields.get("at"), f"{where} at", clock)
    command = fields.optional_text("command", f"{where} command", " (use 'command: |' for several lines)")
    rollback = fields.optional_text("rollback", f"{where} rollback", " (use 'rollback: |' for several lines)")
    validate = _read_validate(reader, fields.get("validate"), where, draft)
    after = _read_after(reader, fields, where, previous_id, draft)
    approval = _read_approval(reader, fields.get("approval"), where)
    gate = _read_gate(reader, fields.get("gate"), where)
    rollback_node = fields.get("rollback_duration")
    rollback_duration = reader.duration(rollback_node, f"{where} rollback_duration") if rollback_node else None

    if reader.clean_since(checkpoint):
        assert step_id is not None and title is not None and duration is not None  # clean: all were read
        line, col = position(node)
        draft.step = Step(
            id=step_id, title=title, phase=phase, owner=owner, duration=duration, command=command,
            validate=validate, rollback=rollback, after=after, approval=approval, at=at,
            gate=gate, rollback_duration=rollback_duration, line=line, col=col,
        )
    return draft


def _read_id(reader: Reader, fields: Fields, index: int) -> str | None:
    id_node = fields.get("id")
    if id_node is not None:
        return reader.ident(id_node, f"step {index} id")
    title = fields.get("title")
    example = slugify(title.value) if isinstance(title, ScalarNode) else ""
    missing = f"step {index} has no id; add e.g. id: {example or 'deploy-app'}"
    reader.error(fields.key("id") if fields.has("id") else fields.node, missing)
    return None


def _read_at(reader: Reader, node: Node | None, what: str, clock: WindowClock | None) -> datetime | None:
    if node is None:
        return None
    moment = reader.moment(node, what)
    if moment is None or clock is None:  # no window: its error is already reported
        return None
    if isinstance(moment, time):
        return on_window_day(moment, clock.start, clock.zone)
    return in_zone(moment, clock.zone)


def _read_validate(reader: Reader, node: Node | None, where: str, draft: _Draft) -> tuple[Validation, ...]:
    if node is None:
        return ()
    entries = node.value if isinstance(node, SequenceNode) else [node]
    checks = []
    for entry in entries:
        if isinstance(entry, MappingNode):
            fields = Fields(reader, entry)
            fields.reject_unknown(("probe",), f"in a validate entry of {where}")
            probe_node = fields.required("probe", f"{where} validate entry needs a probe, e.g. probe: db")
            if probe_node is not None and (name := reader.text(probe_node, f"{where} validate probe")):
                checks.append(Validation(probe=name))
                draft.probes.append((name, probe_node))
        elif isinstance(entry, ScalarNode) and not is_null(entry) and entry.value.strip():
            checks.append(Validation(text=entry.value.strip()))
        else:
            reader.error(entry, f"{where} validate entries are text or probe: NAME; found {describe(entry)}")
    return tuple(checks)


def _read_after(reader: Reader, fields: Fields, where: str, previous_id: str | None,
                draft: _Draft) -> tuple[str, ...]:
    node = fields.raw("after")
    if node is None:  # absent: run after the previous step
        return (previous_id,) if previous_id else ()
    entries = [] if is_null(node) else node.value if isinstance(node, SequenceNode) else [node]
    names: list[str] = []
    for entry in entries:
        name = reader.text(entry, f"{where} after", " (a step id)")
        if name and name not in names:
            names.append(name)
            draft.after.append((name, entry))
    return tuple(names)


def _read_approval(reader: Reader, node: Node | None, where: str) -> int:
    if node is None:
        return 0
    count = plain_int(node) if isinstance(node, ScalarNode) else None
    if count is None or count < 0:
        reader.error(node, f"{where} approval must be a whole number >= 0 (people who must sign off); "
                           f"found {describe(node)}")
        return 0
    return count


def _read_gate(reader: Reader, node: Node | None, where: str) -> str | None:
    if node is None:
        return None
    value = reader.text(node, f"{where} gate")
    if value is not None and value not in GATES:
        reader.error(node, f"{where} gate is '{value}'; use go-no-go (waits for a GO) or go-live "
                           f"(asks PROCEED or ROLLBACK){did_you_mean(value, GATES)}")
        return None
    return value


def _check_references(reader: Reader, drafts: list[_Draft], probe_names: set[str]) -> None:
    first_line: dict[str, int] = {}
    for draft in drafts:
        if draft.id is None:
            continue
        if draft.id in first_line:
            assert draft.id_node is not None  # an id is only read from its node
            reader.error(draft.id_node, f"duplicate step id '{draft.id}' (already used on line "
                                        f"{first_line[draft.id]})")
        else:
            first_line[draft.id] = position(draft.node)[0]

    for draft in drafts:
        where = f"step '{draft.id}'" if draft.id else "a step"
        for name, node in draft.after:
            if name == draft.id:
                reader.error(node, f"{where} depends on itself; remove '{name}' from its after list")
            elif name not in first_line:
                reader.error(node, f"{where} depends on unknown step '{name}'{did_you_mean(name, first_line)}")
        for name, node in draft.probes:
            if name not in probe_names:
                reader.error(node, f"{where} validates with unknown probe '{name}'"
                                   f"{did_you_mean(name, probe_names)}; define it under probes:")

    built: dict[str, tuple[Step, MappingNode]] = {}  # id -> (step, its mapping)
    for draft in drafts:  # the first step of each id; later duplicates are already errors
        if draft.step is not None:
            built.setdefault(draft.step.id, (draft.step, draft.node))
    # A step that waits for itself is reported above, on its own; a cycle takes two steps or more.
    deps = {step_id: tuple(dep for dep in step.after if dep != step_id) for step_id, (step, _) in built.items()}
    for cycle in find_cycles(deps):
        _, node = built[cycle[0]]
        reader.error(node, f"steps depend on each other in a cycle: {' -> '.join(cycle)}")
