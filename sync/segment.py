"""Sealed, signed segment files: one writer's consecutive events, verified whole or rejected whole.

In the export: `warroom/<deployment>/writers/<writer-dir>/<first>-<last>-<sha256>.jsonl`. Pure:
bytes in, bytes out. The file is a header line, one canonical JSON line per event, and a signature
line over the sha256 of everything before it; every line ends with "\\n".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from warroom.store.events import CONTENT_FIELDS, Event, body_of_canonical, canonical_json

from .errors import KeyProblem, SegmentRejected
from .keys import DeviceKey, key_id, normalise_public_key, verify

FORMAT = "warroom-segment/1"
MAX_SEGMENT_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 256 * 1024
MAX_SEGMENT_EVENTS = 20_000

HEADER_FIELDS = frozenset({"format", "deployment", "operator", "node", "key", "first", "last", "count", "prev"})
_EVENT_FIELDS = frozenset({"id", *CONTENT_FIELDS})
_SEGMENT_NAME = re.compile(r"(0|[1-9][0-9]{0,17})-(0|[1-9][0-9]{0,17})-([0-9a-f]{64})\.jsonl\Z")
_KEY_ID = re.compile(r"[0-9a-f]{16}\Z")
# An operator's part of a folder name: at most this long, else cut to _CUT_TOKEN and hashed.
_LONGEST_TOKEN, _CUT_TOKEN = 120, 96
_SHORTENED = re.compile(r"[A-Za-z0-9@+_%-]{1,96},[0-9a-f]{16}\Z")
# store.events.canonical_json's spelling, with the encoder made once rather than once per event
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Segment:
    deployment: str
    operator: str
    node: str
    key: str
    first: int
    last: int
    prev: str
    events: tuple[Event, ...]
    name: str
    size: int
    sha256: str


# --- names -----------------------------------------------------------------------------------------

def writer_dir(operator: str, key_id: str) -> str:
    """`<operator, percent-encoded>.<key id>`: one folder name, whatever the operator's name holds
    ("/", "..", spaces). "~" is encoded too, so that the name is also a valid git ref component.
    A name too long for a folder (255 bytes) is cut and given its hash: `<start>,<hash>.<key id>`."""
    if not operator:
        raise ValueError("a writer needs an operator name")
    if not _KEY_ID.match(key_id):
        raise ValueError(f"{key_id!r} is not a key id (16 hex digits)")
    return _token(operator) + "." + key_id


def parse_writer_dir(name: str) -> tuple[str, str] | None:
    """(operator, key id) from a writer folder's name; None when it is not one writer_dir makes."""
    encoded, dot, found_key_id = name.rpartition(".")
    if not dot or not encoded or not _KEY_ID.match(found_key_id):
        return None
    if _SHORTENED.match(encoded):  # a long name, cut: the operator is known from the segments' headers
        return encoded, found_key_id
    try:
        operator = unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return None
    if _encode_operator(operator) != encoded:  # one spelling per writer, so no two folders are one writer
        return None
    return operator, found_key_id


def _encode_operator(operator: str) -> str:
    return quote(operator, safe="@+-_").replace(".", "%2E").replace("~", "%7E")


def _token(operator: str) -> str:
    """The operator's part of its writer folder's name: encoded, or cut with its hash when long
    (',' never appears in an encoded name, so the two cannot be confused)."""
    encoded = _encode_operator(operator)
    if len(encoded) <= _LONGEST_TOKEN:
        return encoded
    start = re.sub(r"%[0-9A-F]?\Z", "", encoded[:_CUT_TOKEN])  # not in the middle of an escape
    return f"{start},{hashlib.sha256(operator.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def segment_name(first: int, last: int, sha256: str) -> str:
    return f"{first:d}-{last:d}-{sha256}.jsonl"


def parse_segment_name(name: str) -> tuple[int, int, str] | None:
    """(first, last, sha256) from a segment's file name; None for anything else."""
    if is_ignored(name):
        return None
    match = _SEGMENT_NAME.match(name)
    if match is None:
        return None
    first, last = int(match[1]), int(match[2])
    if first > last:
        return None
    return first, last, match[3]


def is_ignored(name: str) -> bool:
    """Half-written files and the copies sync tools make when two machines touch one file."""
    return (name.endswith(".tmp") or ".sync-conflict-" in name or name.startswith(".syncthing.")
            or " (conflicted copy" in name)


# --- writing ----------------------------------------------------------------------------------------

def encode(events: Sequence[Event], key: DeviceKey) -> tuple[str, bytes]:
    """(file name, file bytes) for one writer's consecutive, chained events, signed with `key`."""
    if not events:
        raise ValueError("a segment needs at least one event")
    head = events[0]
    for before, event in zip(events, events[1:], strict=False):
        if (event.deployment, event.operator, event.node) != (head.deployment, head.operator, head.node):
            raise ValueError("a segment holds one writer's events only")
        if event.seq != before.seq + 1 or event.prev != before.id:
            raise ValueError(f"events {before.seq} and {event.seq} are not consecutive and chained")
    header = {"format": FORMAT, "deployment": head.deployment, "operator": head.operator, "node": head.node,
              "key": key.public, "first": head.seq, "last": events[-1].seq, "count": len(events),
              "prev": head.prev}
    lines = [canonical_json(header)]
    lines.extend(canonical_json({"id": event.id, **event.content()}) for event in events)
    body = ("\n".join(lines) + "\n").encode("utf-8")
    signature = base64.b64encode(key.sign(hashlib.sha256(body).digest())).decode("ascii")
    data = body + (canonical_json({"signature": signature}) + "\n").encode("utf-8")
    return segment_name(head.seq, events[-1].seq, hashlib.sha256(data).hexdigest()), data


def header_deployment(data: bytes) -> str:
    """The deployment a segment's header names (where an export files it); ValueError if none."""
    first_line = data[:MAX_LINE_BYTES + 1].partition(b"\n")[0]
    try:
        header = json.loads(first_line)
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT or not isinstance(header.get("deployment"), str):
        raise ValueError("these bytes are not a segment")
    return header["deployment"]


# --- reading ----------------------------------------------------------------------------------------

def decode(name: str, data: bytes, *, deployment: str, operator: str, key_id: str) -> Segment:
    """The segment `name` found in writer folder (operator, key_id) of `deployment`'s export,
    verified whole; SegmentRejected with the first fault found in words."""
    try:
        return _decode(name, data, deployment=deployment, operator=operator, expected_key_id=key_id)
    except RecursionError:  # JSON nested past Python's stack; only a hostile file does that
        raise SegmentRejected("a line is nested too deeply to be an event") from None


def _decode(name: str, data: bytes, *, deployment: str, operator: str, expected_key_id: str) -> Segment:
    if len(data) > MAX_SEGMENT_BYTES:
        raise SegmentRejected(f"it is over {MAX_SEGMENT_BYTES // (1024 * 1024)} MiB")
    parsed_name = parse_segment_name(name)
    if parsed_name is None:
        raise SegmentRejected(f"{name!r} is not a segment file name")
    first, last, name_sha = parsed_name
    sha = hashlib.sha256(data).hexdigest()
    if sha != name_sha:
        raise SegmentRejected("its content does not match the hash in its name (changed or torn)")
    if not data.endswith(b"\n"):
        raise SegmentRejected("it is truncated (the last line is incomplete)")
    lines = data[:-1].split(b"\n")
    if len(lines) > MAX_SEGMENT_EVENTS + 2:
        raise SegmentRejected(f"it holds more than {MAX_SEGMENT_EVENTS} events")
    if max(map(len, lines)) > MAX_LINE_BYTES:
        raise SegmentRejected(f"a line is over {MAX_LINE_BYTES // 1024} KiB")
    try:
        text_lines = data.decode("utf-8").split("\n")[:-1]
    except UnicodeDecodeError:
        raise SegmentRejected("it is not UTF-8 text") from None

    header = _json_object(text_lines[0], "the header")
    if set(header) != HEADER_FIELDS or header["format"] != FORMAT:
        raise SegmentRejected("its header is not a warroom-segment/1 header")
    for field in ("deployment", "operator", "node", "key", "prev"):
        if not isinstance(header[field], str):
            raise SegmentRejected(f"its header's {field} is not text")
    for field in ("first", "last", "count"):
        if not _is_int(header[field]):
            raise SegmentRejected(f"its header's {field} is not a whole number")
    if header["deployment"] != deployment:
        raise SegmentRejected(f"it was written for deployment {header['deployment']}, not {deployment}")
    if header["operator"] != operator and _token(header["operator"]) != operator:
        raise SegmentRejected(f"its header names operator {header['operator']}, not {operator} of its folder")
    try:
        public = normalise_public_key(header["key"])
    except KeyProblem:
        raise SegmentRejected("its header's key is not a public key") from None
    if key_id(public) != expected_key_id:
        raise SegmentRejected(f"it is signed by key {key_id(public)}, not {expected_key_id} of its folder")
    if (header["first"], header["last"]) != (first, last):
        raise SegmentRejected("its header's seq range does not match its name")

    if len(text_lines) < 2:
        raise SegmentRejected("it is truncated (no signature line)")
    signature = _signature(text_lines[-1])
    signed_length = len(data) - len(lines[-1]) - 1
    if not verify(public, signature, hashlib.sha256(data[:signed_length]).digest()):
        raise SegmentRejected("its signature does not match its content")

    # One parse for all event lines: a parse per line costs half as much again.
    event_lines = text_lines[1:-1]
    try:
        contents = _DECODER.decode("[" + ",".join(event_lines) + "]")
    except ValueError:
        raise SegmentRejected("an event line is not JSON") from None
    if len(contents) != len(event_lines):
        raise SegmentRejected("an event line is not one JSON object")
    events = tuple(map(_event, contents))
    if header["count"] != len(events) or len(events) != last - first + 1:
        raise SegmentRejected(f"it holds {len(events)} events, not the {header['count']} its header says")
    writer = (header["deployment"], header["operator"], header["node"])
    prev = header["prev"]
    for seq, event in enumerate(events, start=first):
        if (event.deployment, event.operator, event.node) != writer:
            raise SegmentRejected(f"event {event.seq} is not of the writer its header names")
        if event.seq != seq:
            raise SegmentRejected(f"its events are not consecutive (found {event.seq} where {seq} belongs)")
        if event.prev != prev:
            raise SegmentRejected(f"event {seq} does not follow the one before it (prev chain broken)")
        prev = event.id
    return Segment(deployment=deployment, operator=header["operator"], node=header["node"], key=public, first=first,
                   last=last, prev=header["prev"], events=events, name=name, size=len(data), sha256=sha)


def _json_object(line: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        raise SegmentRejected(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise SegmentRejected(f"{what} is not a JSON object")
    return value


def _signature(line: str) -> bytes:
    try:
        value = json.loads(line)
    except ValueError:
        value = None
    if not isinstance(value, dict) or set(value) != {"signature"} or not isinstance(value["signature"], str):
        raise SegmentRejected("it is truncated (no signature line)")
    try:
        return base64.b64decode(value["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SegmentRejected("its signature is not base64") from None


def _event(content: Any) -> Event:
    """One parsed event line, its id checked against the hash of its content: one canonical
    encoding per event, with the parse the bulk of a decode's time."""
    if type(content) is not dict or content.keys() != _EVENT_FIELDS:
        raise SegmentRejected("an event line does not hold exactly an event's fields")
    event_id = content.pop("id")
    # spelt out rather than looped: this runs once per event
    if (type(event_id) is not str or type(content["seq"]) is not int or type(content["hlc"]) is not int
            or type(content["body"]) is not dict or type(content["deployment"]) is not str
            or type(content["run"]) is not str or type(content["operator"]) is not str
            or type(content["node"]) is not str or type(content["prev"]) is not str
            or type(content["kind"]) is not str or type(content["subject"]) is not str):
        raise SegmentRejected("an event line holds a field of the wrong type")
    try:
        content_json = canonical_json(content)
        digest = hashlib.sha256(content_json.encode("utf-8")).hexdigest()
    except ValueError:  # NaN, or a lone surrogate: JSON that json.loads takes but no event can hold
        raise SegmentRejected("an event line holds a value no event can hold") from None
    if digest != event_id:
        raise SegmentRejected(f"event {content['seq']} is not what its id says (its content was changed)")
    content["id"] = event_id
    content["_body_json"] = body_of_canonical(content_json)  # kept: the ledger stores it as is
    return Event.from_fields(content)  # checked above to hold exactly an event's fields


def _is_int(value: object) -> bool:
    return type(value) is int  # not bool, not float
