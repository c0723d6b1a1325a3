"""Segment files: encoded, decoded whole, and every fault rejected whole with a reason in words."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.store.events import Event, canonical_json
from warroom.sync.errors import SegmentRejected
from warroom.sync.keys import device_key
from warroom.sync.segment import (
    MAX_LINE_BYTES,
    MAX_SEGMENT_BYTES,
    MAX_SEGMENT_EVENTS,
    decode,
    encode,
    header_deployment,
    is_ignored,
    parse_segment_name,
    parse_writer_dir,
    segment_name,
    writer_dir,
)

HLC0 = 1_790_000_000_000 << 16


def chain(count: int, *, first: int = 1, prev: str = "", operator: str = "ana", deployment: str = "billing",
          node: str = "0123456789ab", body: dict | None = None) -> list[Event]:
    events = []
    for seq in range(first, first + count):
        event = Event.create(deployment=deployment, run="live", operator=operator, node=node, seq=seq, prev=prev,
                             hlc=HLC0 + seq, kind="note.added", subject="", body=body or {"text": f"note {seq} é"})
        events.append(event)
        prev = event.id
    return events


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return device_key(tmp_path_factory.mktemp("key"))


@pytest.fixture(scope="module")
def other_key(tmp_path_factory):
    return device_key(tmp_path_factory.mktemp("other-key"))


def read(name, data, key, **overrides):
    where = dict(deployment="billing", operator="ana", key_id=key.key_id)
    where.update(overrides)
    return decode(name, data, **where)


def renamed(data: bytes) -> str:
    """A name that fits `data` (so that checks past the name's hash are reached): the header's
    seq range when it has one, and the data's sha256."""
    try:
        header = json.loads(data.partition(b"\n")[0])
        first, last = int(header["first"]), int(header["last"])
    except Exception:
        first, last = 1, 1
    return segment_name(first, last, hashlib.sha256(data).hexdigest())


def resign(lines: list[bytes], key) -> tuple[str, bytes]:
    """Lines (header and events, each without "\\n") sealed as encode() would seal them."""
    body = b"".join(line + b"\n" for line in lines)
    signature = base64.b64encode(key.sign(hashlib.sha256(body).digest())).decode()
    data = body + canonical_json({"signature": signature}).encode() + b"\n"
    return renamed(data), data


def split(data: bytes) -> list[bytes]:
    """Header and event lines, without the signature line."""
    return data.split(b"\n")[:-2]


# --- the round trip --------------------------------------------------------------------------------

def test_a_segment_round_trips(key):
    events = chain(5, first=7, prev="f" * 64)
    name, data = encode(events, key)
    first, last, sha = parse_segment_name(name)
    assert (first, last, sha) == (7, 11, hashlib.sha256(data).hexdigest())
    segment = read(name, data, key)
    assert segment.events == tuple(events)
    assert all(event.verify() for event in segment.events)
    assert [hash(event) for event in segment.events] == [hash(event) for event in events]
    assert (segment.deployment, segment.operator, segment.node, segment.key) == ("billing", "ana", "0123456789ab", key.public)
    assert (segment.first, segment.last, segment.prev, segment.name, segment.size, segment.sha256) == (
        7, 11, "f" * 64, name, len(data), sha)


def test_the_file_is_a_header_the_events_and_a_signature_each_on_a_line(key):
    events = chain(2)
    _, data = encode(events, key)
    lines = data.decode().split("\n")
    assert lines[-1] == "" and len(lines) == 5
    assert json.loads(lines[0]) == {"format": "warroom-segment/1", "deployment": "billing", "operator": "ana",
                                    "node": "0123456789ab", "key": key.public, "first": 1, "last": 2, "count": 2,
                                    "prev": ""}
    assert lines[1] == canonical_json({"id": events[0].id, **events[0].content()})
    signed = "\n".join(lines[:3]) + "\n"
    signature = base64.b64decode(json.loads(lines[3])["signature"])
    from warroom.sync.keys import verify
    assert verify(key.public, signature, hashlib.sha256(signed.encode()).digest())
    assert header_deployment(data) == "billing"


def test_encode_takes_only_one_writers_consecutive_chained_events(key):
    events = chain(3)
    with pytest.raises(ValueError):
        encode([], key)
    with pytest.raises(ValueError):
        encode([events[0], events[2]], key)
    with pytest.raises(ValueError):
        encode(events[:1] + chain(1, first=2, operator="lee"), key)
    with pytest.raises(ValueError):
        encode(events[:1] + chain(1, first=2, prev="0" * 64), key)


# --- rejections --------------------------------------------------------------------------------------

def rejected(name, data, key, **where) -> str:
    with pytest.raises(SegmentRejected) as caught:
        read(name, data, key, **where)
    return caught.value.reason


def test_a_changed_byte_breaks_the_name_hash(key):
    name, data = encode(chain(3), key)
    changed = data.replace(b"note 2", b"note 9")
    assert "does not match the hash in its name" in rejected(name, changed, key)


def test_a_changed_byte_under_a_fitting_name_breaks_the_signature(key):
    _, data = encode(chain(3), key)
    changed = data.replace(b"note 2", b"note 9")
    assert rejected(renamed(changed), changed, key) == "its signature does not match its content"


def test_a_foreign_deployment_is_rejected(key):
    name, data = encode(chain(2, deployment="payroll"), key)
    assert rejected(name, data, key) == "it was written for deployment payroll, not billing"


def test_a_segment_in_another_writers_folder_is_rejected(key, other_key):
    name, data = encode(chain(2), key)
    assert rejected(name, data, key, operator="lee") == "its header names operator ana, not lee of its folder"
    assert rejected(name, data, key, key_id=other_key.key_id) == (
        f"it is signed by key {key.key_id}, not {other_key.key_id} of its folder")


def test_a_header_key_swapped_for_another_is_rejected(key, other_key):
    """Someone re-signs another writer's events with their own key but keeps the folder: the key id differs."""
    name, data = encode(chain(2), key)
    lines = split(data)
    header = json.loads(lines[0])
    header["key"] = other_key.public
    forged_name, forged = resign([canonical_json(header).encode(), *lines[1:]], other_key)
    assert "it is signed by key" in rejected(forged_name, forged, key)


def test_a_signature_by_another_key_is_rejected(key, other_key):
    name, data = encode(chain(2), key)
    forged_name, forged = resign(split(data), other_key)
    assert rejected(forged_name, forged, key) == "its signature does not match its content"


def test_an_event_whose_id_is_not_its_content_hash_is_rejected(key):
    events = chain(2)
    forged = replace(events[1], subject="step-9")  # keeps the id of the original content
    _, data = encode(chain(2), key)
    lines = split(data)
    lines[2] = canonical_json({"id": forged.id, **forged.content()}).encode()
    name, signed = resign(lines, key)
    assert rejected(name, signed, key) == "event 2 is not what its id says (its content was changed)"


@pytest.mark.parametrize("field,value,reason", [
    ("operator", "lee", "event 2 is not of the writer its header names"),
    ("node", "ffffffffffff", "event 2 is not of the writer its header names"),
    ("deployment", "payroll", "event 2 is not of the writer its header names"),
    ("seq", 3, "its events are not consecutive (found 3 where 2 belongs)"),
    ("prev", "0" * 64, "event 2 does not follow the one before it (prev chain broken)"),
    ("hlc", "soon", "an event line holds a field of the wrong type"),
    ("seq", True, "an event line holds a field of the wrong type"),
    ("body", [], "an event line holds a field of the wrong type"),
])
def test_an_event_that_does_not_belong_is_rejected(key, field, value, reason):
    """Each forged event carries a correct id for its content, and the file is properly signed:
    only the segment's own rules catch it."""
    events = chain(2)
    content = {**events[1].content(), field: value}
    from warroom.store.events import content_id
    forged_id = content_id(content)
    _, data = encode(events, key)
    lines = split(data)
    lines[2] = canonical_json({"id": forged_id, **content}).encode()
    name, signed = resign(lines, key)
    assert rejected(name, signed, key) == reason


def test_a_first_prev_other_than_the_headers_is_rejected(key):
    _, data = encode(chain(2), key)
    lines = split(data)
    header = json.loads(lines[0])
    header["prev"] = "a" * 64
    name, signed = resign([canonical_json(header).encode(), *lines[1:]], key)
    assert rejected(name, signed, key) == "event 1 does not follow the one before it (prev chain broken)"


def test_a_count_that_does_not_match_is_rejected(key):
    _, data = encode(chain(3), key)
    lines = split(data)
    name, signed = resign(lines[:3], key)  # header says 1..3, three events; two are left
    assert rejected(name, signed, key) == "it holds 2 events, not the 3 its header says"
    header = json.loads(lines[0])
    header["count"] = 4
    name, signed = resign([canonical_json(header).encode(), *lines[1:]], key)
    assert rejected(name, signed, key) == "it holds 3 events, not the 4 its header says"


@pytest.mark.parametrize("change,reason", [
    (lambda h: h.pop("node"), "its header is not a warroom-segment/1 header"),
    (lambda h: h.update(format="warroom-segment/2"), "its header is not a warroom-segment/1 header"),
    (lambda h: h.update(extra=1), "its header is not a warroom-segment/1 header"),
    (lambda h: h.update(node=7), "its header's node is not text"),
    (lambda h: h.update(count="3"), "its header's count is not a whole number"),
    (lambda h: h.update(key="ed25519:short"), "its header's key is not a public key"),
    (lambda h: h.update(first=2), "its header's seq range does not match its name"),
])
def test_a_wrong_header_is_rejected(key, change, reason):
    name, data = encode(chain(3), key)
    lines = split(data)
    header = json.loads(lines[0])
    change(header)
    body = b"".join(line + b"\n" for line in [canonical_json(header).encode(), *lines[1:]])
    signature = base64.b64encode(key.sign(hashlib.sha256(body).digest())).decode()
    signed = body + canonical_json({"signature": signature}).encode() + b"\n"
    assert rejected(segment_name(1, 3, hashlib.sha256(signed).hexdigest()), signed, key) == reason


def test_event_lines_must_be_one_json_object_each(key):
    _, data = encode(chain(2), key)
    lines = split(data)
    name, signed = resign([lines[0], lines[1] + b"," + lines[2]], key)
    assert rejected(name, signed, key) == "an event line is not one JSON object"
    name, signed = resign([lines[0], lines[1], b"{nope"], key)
    assert rejected(name, signed, key) == "an event line is not JSON"
    name, signed = resign([lines[0], lines[1], b"[]"], key)
    assert rejected(name, signed, key) == "an event line does not hold exactly an event's fields"


def test_a_header_that_is_not_json_is_rejected(key):
    _, data = encode(chain(1), key)
    lines = split(data)
    name, signed = resign([b"[1, 2]", *lines[1:]], key)
    assert rejected(name, signed, key) == "the header is not a JSON object"
    name, signed = resign([b"{nope", *lines[1:]], key)
    assert rejected(name, signed, key) == "the header is not JSON"


def test_a_file_cut_short_is_rejected(key):
    _, data = encode(chain(3), key)
    without_signature = data[:data.rindex(b"{")]
    assert rejected(renamed(without_signature), without_signature, key) == "it is truncated (no signature line)"
    mid_line = data[:-5]
    assert rejected(renamed(mid_line), mid_line, key) == "it is truncated (the last line is incomplete)"
    header_only = data.partition(b"\n")[0] + b"\n"
    assert rejected(renamed(header_only), header_only, key) == "it is truncated (no signature line)"


def test_text_that_is_not_utf8_is_rejected(key):
    _, data = encode(chain(1), key)
    broken = data.replace("é".encode(), b"\xe9")
    assert rejected(renamed(broken), broken, key) == "it is not UTF-8 text"


def test_json_values_no_event_can_hold_are_rejected_not_raised(key):
    _, data = encode(chain(2), key)
    lines = split(data)
    for value in (b"NaN", b'"\\ud800"', b"[" * 100_000 + b"]" * 100_000):
        line = lines[1].replace(b'"body":{', b'"body":{"x":' + value + b",", 1)
        name, signed = resign([lines[0], line, lines[2]], key)
        reason = rejected(name, signed, key)
        assert reason in ("an event line holds a value no event can hold", "a line is nested too deeply to be an event",
                          "event 1 is not what its id says (its content was changed)")


def test_an_oversized_file_line_or_count_is_rejected(key):
    big = b"x" * (MAX_SEGMENT_BYTES + 1)
    assert rejected(renamed(big), big, key) == "it is over 8 MiB"
    name, data = encode(chain(1, body={"text": "y" * (MAX_LINE_BYTES + 10)}), key)
    assert rejected(name, data, key) == "a line is over 256 KiB"
    events = chain(MAX_SEGMENT_EVENTS + 1, body={"t": ""})
    name, data = encode(events, key)
    assert len(data) < MAX_SEGMENT_BYTES
    assert rejected(name, data, key) == f"it holds more than {MAX_SEGMENT_EVENTS} events"


def test_a_name_that_is_not_a_segments_is_rejected(key):
    name, data = encode(chain(1), key)
    assert rejected(name + ".tmp", data, key) == f"{name + '.tmp'!r} is not a segment file name"
    assert "is not a segment file name" in rejected("notes.txt", data, key)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7), fit_name=st.booleans())
def test_any_flipped_bit_is_rejected_and_nothing_else_is_raised(key, offset, bit, fit_name):
    name, data = encode(chain(4), key)
    flipped = bytearray(data)
    flipped[offset % len(data)] ^= 1 << bit
    flipped_bytes = bytes(flipped)
    with pytest.raises(SegmentRejected):
        read(renamed(flipped_bytes) if fit_name else name, flipped_bytes, key)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0), fit_name=st.booleans())
def test_any_truncation_is_rejected_and_nothing_else_is_raised(key, cut, fit_name):
    name, data = encode(chain(4), key)
    truncated = data[:cut % len(data)]
    with pytest.raises(SegmentRejected):
        read(renamed(truncated) if fit_name else name, truncated, key)


# --- names ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("operator", ["ana", "a.b", "../x", "é ü", "probe@abc123", "50%", "~root", "a/b\\c", ".",
                                      "x.0123456789abcdef", "tab\there", "+-_@"])
def test_writer_dirs_round_trip_for_any_operator(operator):
    name = writer_dir(operator, "0123456789abcdef")
    assert parse_writer_dir(name) == (operator, "0123456789abcdef")
    assert "/" not in name and name.count(".") == 1 and not name.startswith(".")
    assert all(c.isalnum() or c in "%@+-_." for c in name)  # a folder name and a git ref component


def test_the_documented_writer_dir_spelling():
    assert writer_dir("probe@abc123", "0123456789abcdef") == "probe@abc123.0123456789abcdef"
    assert writer_dir("a.b", "0123456789abcdef") == "a%2Eb.0123456789abcdef"
    assert writer_dir("../x", "0123456789abcdef") == "%2E%2E%2Fx.0123456789abcdef"


@pytest.mark.parametrize("name", ["ana", "ana.", ".0123456789abcdef", "ana.0123456789ABCDEF", "ana.0123456789abcde",
                                  "ana.0123456789abcdefa", "a.b.0123456789abcdef", "%2e.0123456789abcdef",
                                  "%FF.0123456789abcdef", "a%2Fb%.0123456789abcdef"])
def test_what_is_not_a_writer_dir_is_none(name):
    assert parse_writer_dir(name) is None


def test_writer_dir_refuses_what_cannot_name_a_writer():
    with pytest.raises(ValueError):
        writer_dir("", "0123456789abcdef")
    with pytest.raises(ValueError):
        writer_dir("ana", "nothex")


def test_segment_names_round_trip_and_others_are_none():
    sha = "ab" * 32
    assert segment_name(1, 20, sha) == f"1-20-{sha}.jsonl"
    assert parse_segment_name(segment_name(1, 20, sha)) == (1, 20, sha)
    for name in [f"20-1-{sha}.jsonl", f"01-2-{sha}.jsonl", f"1-2-{sha[:-1]}.jsonl", f"1-2-{sha.upper()}.jsonl",
                 f"1-2-{sha}.json", f"1-2-{sha}.jsonl.tmp", f"1-2-{sha}.sync-conflict-20260101-120000-ABCDEFG.jsonl",
                 f".syncthing.1-2-{sha}.jsonl", f"1-2-{sha} (conflicted copy 2026-01-01).jsonl", "-1-2-x.jsonl"]:
        assert parse_segment_name(name) is None, name


@pytest.mark.parametrize("name,ignored", [
    ("1-2-x.jsonl.tmp", True), ("a.sync-conflict-20260101.jsonl", True), (".syncthing.1-2.jsonl", True),
    ("1-2 (conflicted copy).jsonl", True), ("1-2-x.jsonl", False), ("tmp", False),
])
def test_sync_tool_leftovers_are_ignored(name, ignored):
    assert is_ignored(name) is ignored


def test_header_deployment_refuses_what_is_not_a_segment():
    with pytest.raises(ValueError):
        header_deployment(b"hello\n")
    with pytest.raises(ValueError):
        header_deployment(b'{"format": "other", "deployment": "billing"}\n')


def test_a_long_operator_name_gets_a_folder_name_that_fits_and_still_verifies(key):
    long_name = "é" * 300 + "[b]"
    folder = writer_dir(long_name, key.key_id)
    assert len(folder.encode()) <= 255 and "," in folder
    token, key_id = parse_writer_dir(folder)
    assert key_id == key.key_id and token != long_name
    name, data = encode(chain(2, operator=long_name), key)
    assert read(name, data, key, operator=token).operator == long_name
    other = "é" * 300 + "[i]"  # the same start: the hash tells them apart
    assert writer_dir(other, key.key_id) != folder
    name, data = encode(chain(2, operator=other), key)
    with pytest.raises(SegmentRejected):
        read(name, data, key, operator=token)
