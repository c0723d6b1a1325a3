"""YAML text -> Runbook. Every value is checked and every problem collected, with its position,
before anything is returned; malformed input always ends as a RunbookError."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Mapping
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn
from zoneinfo import ZoneInfo, available_timezones

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .checklists import CHECKLIST_KEYS, read_checklists
from .model import DEFAULT_SEVERITY, Mark, ProbeSpec, Runbook, SeverityTarget, TeamMember, Window
from .names import did_you_mean, one_of, suggest
from .problems import Problem, RunbookError
from .reading import Fields, Reader
from .steps import WindowClock, read_steps
from .timeparse import format_moment, in_zone, on_window_day
from .yamlnodes import compose, describe, is_null, is_plain, plain_int, plain_value, position

TOP_KEYS = ("id", "title", "version", "timezone", "window", "status_update_every", "team", "severity",
            "checklists", "smoke_tests", "steps", "probes", "updates_file")
WINDOW_KEYS = ("start", "end", "rollback_deadline")
MEMBER_KEYS = ("role", "name", "phone", "email", "operator", "key")
# The shape of a device's public key as `warroom keys show` prints it: 32 bytes of Ed25519 key in
# canonical base64 (the last character before '=' carries no stray bits). Only the shape is checked
# here: the runbook never loads cryptography. sync's keys and trust use this one pattern.
PUBLIC_KEY_SHAPE = re.compile(r"\Aed25519:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=\Z")
SEVERITY_KEYS = ("respond", "resolve")
PROBE_KINDS = ("http", "tcp", "dns", "tls", "command", "host")
DEFAULT_STATUS_UPDATE_EVERY = timedelta(minutes=15)

# Far past any real runbook (a 500-step one is ~100 KiB); more is the wrong file or an attack,
# and is refused before more than this is read.
MAX_RUNBOOK_BYTES = 4 << 20  # 4 MiB
_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def load(path: str | Path) -> Runbook:
    """Read and check a runbook file; raises RunbookError listing every problem found."""
    file = str(path)
    data = _read_regular_file(path, file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); save it as UTF-8"
        raise RunbookError([Problem(file, line, col, message)]) from None
    return _parse(text, file, hashlib.sha256(data).hexdigest())


def _read_regular_file(path: str | Path, file: str) -> bytes:
    """The bytes of a regular file of at most MAX_RUNBOOK_BYTES. Anything else is refused at once:
    reading a FIFO would wait for a writer forever, and a device may never end."""
    def refuse(reason: str) -> NoReturn:
        raise RunbookError([Problem(file, 1, 1, f"cannot read the file: {reason}")]) from None

    def refuse_unless_regular(mode: int) -> None:
        if not stat.S_ISREG(mode):
            kind = next((kind for is_kind, kind in _NOT_REGULAR if is_kind(mode)), "a special file")
            refuse(f"it is {kind}, not a regular file; give the path of the runbook's YAML file")

    try:
        # stat first, so a device is never even opened; fstat again after opening, in case the
        # path was swapped meanwhile (O_NONBLOCK: opening a FIFO would wait for a writer).
        refuse_unless_regular(os.stat(path).st_mode)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(descriptor, "rb") as stream:
            refuse_unless_regular(os.fstat(descriptor).st_mode)
            data = stream.read(MAX_RUNBOOK_BYTES + 1)
    except OSError as exc:
        refuse(exc.strerror or str(exc))
    if len(data) > MAX_RUNBOOK_BYTES:
        refuse(f"it is larger than {MAX_RUNBOOK_BYTES >> 20} MiB, far more than a runbook; "
               f"check that this is the right file")
    return data


def loads(text: str, path: str = "<string>") -> Runbook:
    """Check runbook text; `path` only names it in problems. sha256 is of the UTF-8 encoding."""
    return _parse(text, path, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


def _parse(text: str, file: str, sha256: str) -> Runbook:
    reader = Reader(file)
    try:
        runbook = _read_runbook(reader, compose(text, file), file, sha256)
    except RecursionError:
        problem = Problem(file, 1, 1, "the runbook nests too deeply")
        raise RunbookError([problem]) from None
    except RunbookError:
        raise
    except Exception as exc:  # a bug here must still come out as a problem, never a traceback
        raise RunbookError([Problem(file, 1, 1, f"internal error while reading the runbook "
                                                f"({type(exc).__name__}: {exc}); please report it")]) from exc
    if runbook is None or reader.problems:
        raise RunbookError(reader.problems)
    return runbook


def _read_runbook(reader: Reader, root: Node | None, file: str, sha256: str) -> Runbook | None:
    if root is None or is_null(root) or (isinstance(root, ScalarNode) and not root.value.strip()):
        reader.error_at(1, 1, "the runbook is empty; it needs at least id, title, window and steps")
        return None
    if not isinstance(root, MappingNode):
        reader.error(root, f"the runbook must be a mapping of keys (id:, title:, window:, steps: ...); "
                           f"found {describe(root)}")
        return None
    top = Fields(reader, root)
    # `x-` keys are free for YAML anchors (x-defaults: &defaults {...}), as in docker-compose.
    extensions = [name for name in top.pairs if name.startswith("x-")]
    top.reject_unknown((*TOP_KEYS, *extensions), "at the top level",
                       hints={name: f"'{name}' goes under checklists:" for name in CHECKLIST_KEYS})
    checkpoint = reader.checkpoint()

    runbook_id = _read_runbook_id(reader, top)
    title = top.required_text("title", "title", "the runbook has no title; add e.g. title: Billing platform cutover")
    version = _read_version(reader, top.get("version"))
    zone, zone_ok = _read_timezone(reader, top.get("timezone"))
    window, clock = _read_window(reader, top, zone, zone_ok)
    every_node = top.get("status_update_every")
    every = (reader.duration(every_node, "status_update_every", allow_zero=False)
             if every_node is not None else DEFAULT_STATUS_UPDATE_EVERY)
    team = _read_team(reader, top.get("team"))
    severity = _read_severity(reader, top.get("severity"))
    checklists = read_checklists(reader, top.get("checklists"), top.get("smoke_tests"))
    probes, probe_names = _read_probes(reader, top.get("probes"))
    steps = read_steps(reader, top, clock, probe_names)
    updates_file = top.optional_text("updates_file", "updates_file")

    if not reader.clean_since(checkpoint):
        return None
    # clean: every required value was read
    assert runbook_id is not None and title is not None and window is not None and every is not None
    return Runbook(
        id=runbook_id, title=title, version=version, window=window, status_update_every=every,
        team=team, severity=severity, checklists=checklists, steps=steps, probes=probes,
        updates_file=updates_file, path=file, sha256=sha256,
    )


def _read_runbook_id(reader: Reader, top: Fields) -> str | None:
    node = top.required("id", "the runbook has no id; add e.g. id: billing-cutover")
    return reader.ident(node, "runbook id") if node is not None else None


def _read_version(reader: Reader, node: Node | None) -> int | str:
    if node is None:
        return 1
    value = reader.text(node, "version", " or a number")
    if value is None:
        return 1
    number = plain_int(node) if isinstance(node, ScalarNode) and is_plain(node) else None  # quoted "3" stays text
    return number if number is not None else value


def _read_timezone(reader: Reader, node: Node | None) -> tuple[tzinfo | None, bool]:
    """(zone or None, whether the key was fine) - a bad zone must not also cause a 'no offset' error."""
    if node is None:
        return None, True
    name = reader.text(node, "timezone", " like Europe/Madrid")
    if name is None:
        return None, False
    try:
        return ZoneInfo(name), True
    except Exception:  # ZoneInfoNotFoundError, ValueError for odd keys, OSError for directories
        hint = did_you_mean(name, available_timezones()) or " (use an IANA name like Europe/Madrid or UTC)"
        reader.error(node, f"unknown timezone '{name}'{hint}")
        return None, False


def _read_window(reader: Reader, top: Fields, zone: tzinfo | None,
                 zone_ok: bool) -> tuple[Window | None, WindowClock | None]:
    node = top.required("window", "the runbook has no window; add e.g. window: "
                                  "{start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}")
    if node is None:
        return None, None
    fields = reader.mapping(node, "window", "{start: 2026-11-28T08:00+01:00, end: 18:00}")
    if fields is None:
        return None, None
    checkpoint = reader.checkpoint()
    fields.reject_unknown(WINDOW_KEYS, "in window")
    start_node = fields.required("start", "window has no start; add e.g. start: 2026-11-28T08:00+01:00")
    end_node = fields.required("end", "window has no end; add e.g. end: 2026-11-28T18:00+01:00")
    deadline_node = fields.get("rollback_deadline")

    clock = _read_window_clock(reader, start_node, zone, zone_ok) if start_node is not None else None
    end = _read_window_time(reader, end_node, "window end", clock)
    deadline = _read_window_time(reader, deadline_node, "window rollback_deadline", clock)
    if end_node is not None and clock and end and end <= clock.start:
        reader.error(end_node, f"window end {format_moment(end, clock.start)} is not after its start "
                               f"{format_moment(clock.start, clock.start)}")
    if clock is None or end is None or not reader.clean_since(checkpoint):
        return None, clock
    line, col = position(node)
    return Window(clock.start, end, deadline, line=line, col=col), clock


def _read_window_clock(reader: Reader, node: Node, zone: tzinfo | None, zone_ok: bool) -> WindowClock | None:
    """The window start placed in its zone; None when it is not a date and time in a known zone."""
    start = reader.moment(node, "window start")
    if isinstance(start, time):
        reader.error(node, f"window start '{node.value.strip()}' needs a date; "
                           f"write e.g. 2026-11-28T{node.value.strip()}+01:00")
        return None
    if start is None:
        return None
    zone = zone or start.tzinfo  # without `timezone:`, the start's own offset is the window's zone
    if zone is None:
        if zone_ok:  # a bad `timezone:` is reported on its own
            raw = node.value.strip()
            reader.error(node, f"window start '{raw}' has no UTC offset; write {raw}+01:00 "
                               f"or add timezone: Europe/Madrid")
        return None
    return WindowClock(in_zone(start, zone), zone)


def _read_window_time(reader: Reader, node: Node | None, what: str, clock: WindowClock | None) -> datetime | None:
    moment = reader.moment(node, what) if node is not None else None
    if moment is None or clock is None:
        return None
    if isinstance(moment, time):
        return on_window_day(moment, clock.start, clock.zone)
    return in_zone(moment, clock.zone)


def _read_team(reader: Reader, node: Node | None) -> tuple[TeamMember, ...]:
    if node is None:
        return ()
    entries = reader.sequence(node, "team", "[{role: DBA, name: Lee Park}]")
    members = []
    for index, entry in enumerate(entries or (), 1):
        where = f"team member {index}"
        fields = reader.mapping(entry, where, "{role: DBA, name: Lee Park, phone: '+34 600 000 002'}")
        if fields is None:
            continue
        fields.reject_unknown(MEMBER_KEYS, f"in {where}")
        role = fields.required_text("role", f"{where} role", f"{where} has no role; add e.g. role: DBA")
        name = fields.required_text("name", f"{where} name", f"{where} has no name; add e.g. name: Lee Park")
        phone = fields.optional_text("phone", f"{where} phone")
        email = fields.optional_text("email", f"{where} email")
        operator = fields.optional_text("operator", f"{where} operator")
        keys = _read_member_keys(reader, fields.get("key"), where)
        if role and name:
            members.append(TeamMember(role, name, phone, email, operator or name, keys))
    return tuple(members)


def _read_member_keys(reader: Reader, node: Node | None, where: str) -> tuple[str, ...]:
    """`key:` is one public key or a list of them (one per device); each must have the shape
    `warroom keys show` prints. Whitespace inside is dropped: a key pasted across lines is one key."""
    if node is None:
        return ()
    listed = isinstance(node, SequenceNode)
    entries = list(node.value) if listed else [node]
    keys: list[str] = []
    for index, entry in enumerate(entries, 1):
        what = f"{where} key {index}" if listed else f"{where} key"
        text = reader.text(entry, what, " like ed25519:..., as `warroom keys show` prints it")
        if text is None:
            continue
        key = "".join(text.split())
        if not PUBLIC_KEY_SHAPE.match(key):
            reader.error(entry, f"{what} is not a public key warroom made; paste the line `warroom keys show` prints")
        elif key not in keys:
            keys.append(key)
    return tuple(keys)


def _read_severity(reader: Reader, node: Node | None) -> Mapping[str, SeverityTarget]:
    targets = {level: SeverityTarget(*times) for level, times in DEFAULT_SEVERITY.items()}
    fields = reader.mapping(node, "severity", "{P1: {respond: 15m, resolve: 4h}}") if node is not None else None
    if fields is not None:
        levels = tuple(DEFAULT_SEVERITY)
        fields.reject_unknown(levels, "", unknown=lambda name: (
            f"unknown severity level '{name}'{did_you_mean(name, levels)}; use {one_of(levels)}"))
        for level in levels:
            level_node = fields.get(level)
            if level_node is None:
                continue
            level_fields = reader.mapping(level_node, f"severity {level}", "{respond: 15m, resolve: 4h}")
            if level_fields is None:
                continue
            level_fields.reject_unknown(SEVERITY_KEYS, f"in severity {level}")
            times = []
            for key in SEVERITY_KEYS:
                value = level_fields.required(key, f"severity {level} has no {key}; add e.g. {key}: "
                                                   f"{'15m' if key == 'respond' else '4h'}")
                times.append(reader.duration(value, f"severity {level} {key}", allow_zero=False) if value else None)
            respond, resolve = times  # in SEVERITY_KEYS order
            if respond is not None and resolve is not None:
                targets[level] = SeverityTarget(respond, resolve)
    return MappingProxyType(targets)


def _read_probes(reader: Reader, node: Node | None) -> tuple[tuple[ProbeSpec, ...], set[str]]:
    """The probe specs, and every name given (even on a broken probe, so steps that use it
    are not also reported as naming an unknown probe)."""
    if node is None:
        return (), set()
    entries = reader.sequence(node, "probes", "[{name: db, tcp: 'db.internal:5432'}]")
    probes: list[ProbeSpec] = []
    first_line: dict[str, int] = {}
    for index, entry in enumerate(entries or (), 1):
        fields = reader.mapping(entry, f"probe {index}", "{name: db, tcp: 'db.internal:5432'}")
        if fields is None:
            continue
        checkpoint = reader.checkpoint()
        name = fields.required_text("name", f"probe {index} name", f"probe {index} has no name; add e.g. name: db")
        where = f"probe '{name}'" if name else f"probe {index}"
        if name and name in first_line:
            _, name_node = fields.pairs["name"]  # present: its text was just read
            reader.error(name_node, f"duplicate probe name '{name}' (already used on line {first_line[name]})")
        elif name:
            first_line[name] = position(entry)[0]
        kind, target = _read_probe_target(reader, fields, where)
        if reader.clean_since(checkpoint):
            assert name is not None and kind is not None and target is not None  # clean: all were read
            options = {key: plain_value(value) for key, (_, value) in fields.pairs.items() if key not in ("name", kind)}
            line, col = position(entry)
            probes.append(ProbeSpec(name, kind, target, MappingProxyType(options), line=line, col=col,
                                    marks=_probe_marks(fields)))
    return tuple(probes), set(first_line)


def _probe_marks(fields: Fields) -> Mapping[str, Mark]:
    """key -> where its value starts, and "key[i]" -> where item i of a list value starts, so
    a problem the probes package finds in an option can be reported at its place."""
    marks: dict[str, Mark] = {}
    for key, (_, value) in fields.pairs.items():
        marks[key] = _mark(value)
        if isinstance(value, SequenceNode):
            for index, item in enumerate(value.value):
                marks[f"{key}[{index}]"] = _mark(item)
    return MappingProxyType(marks)


def _mark(node: Node) -> Mark:
    line, col = position(node)
    text_col = None
    one_line = node.end_mark.line == node.start_mark.line
    if isinstance(node, ScalarNode) and node.style in (None, "", "'", '"') and one_line:
        quoted = not is_plain(node)
        # One-to-one only when the written form is the value itself (plus quotes): no escapes,
        # no '' doubling, no folding.
        if node.end_mark.column - node.start_mark.column == len(node.value) + (2 if quoted else 0):
            text_col = col + (1 if quoted else 0)
    return Mark(line, col, text_col)


def _read_probe_target(reader: Reader, fields: Fields, where: str) -> tuple[str | None, str | None]:
    kinds = [key for key in fields.pairs if key in PROBE_KINDS]
    if not kinds:
        near = next((f" (did you mean '{s}'?)" for key in fields.pairs if (s := suggest(key, PROBE_KINDS))), "")
        reader.error(fields.node, f"{where} needs one of {', '.join(PROBE_KINDS)}{near}, "
                                  f"e.g. tcp: db.internal:5432")
        return None, None
    for extra in kinds[1:]:
        reader.error(fields.key(extra), f"{where} has both {kinds[0]} and {extra}; "
                                        f"a probe checks one thing, so make two probes")
    kind = kinds[0]
    _, value = fields.pairs[kind]  # even if null: then text() reports it
    return kind, reader.text(value, f"{where} {kind}", " (the thing to check)")
