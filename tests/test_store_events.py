import hashlib
import json

import pytest

from warroom.store import Event, LedgerError
from warroom.store.events import canonical_json, normalise_body
from warroom.store.kinds import SHAPES, validate
from warroom.vocabulary import EventKind


def make(**overrides):
    fields = dict(deployment="billing", run="live", operator="ana", node="n1", seq=1, prev="",
                  hlc=123 << 16, kind="step.done", subject="backup", body={"note": "ok"})
    fields.update(overrides)
    return Event.create(**fields)


def test_id_is_the_sha256_of_the_canonical_content():
    event = make(body={"note": "señal", "b": [1, 2], "a": None})
    content = {k: v for k, v in event.to_json().items() if k not in ("id", "at")}
    expected = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert event.id == expected
    assert event.verify()


def test_any_change_of_content_changes_the_id():
    base = make()
    assert make(seq=2).id != base.id
    assert make(body={"note": "ok "}).id != base.id
    assert make(operator="lee").id != base.id


def test_to_json_round_trips_and_carries_a_readable_time():
    event = make()
    data = event.to_json()
    assert data["at"] == "1970-01-01T00:00:00.123000+00:00"
    assert set(data) == {"id", "deployment", "run", "operator", "node", "seq", "prev", "hlc", "kind",
                         "subject", "body", "at"}
    assert json.loads(json.dumps(data)) == data
    assert Event.from_json(data) == event


def test_a_tampered_event_does_not_verify():
    data = make().to_json()
    data["subject"] = "deploy-app"
    assert not Event.from_json(data).verify()


def test_events_are_hashable_by_id():
    assert len({make(), make(), make(seq=2)}) == 2


def test_canonical_json_is_compact_sorted_and_keeps_unicode():
    assert canonical_json({"b": 1, "a": "ü"}) == '{"a":"ü","b":1}'


def test_body_is_normalised_through_json():
    assert normalise_body({"items": (1, 2)}) == {"items": [1, 2]}
    assert normalise_body(None) == {}


@pytest.mark.parametrize("body", [{"x": object()}, {"x": float("nan")}, ["not", "a", "dict"]])
def test_a_body_that_is_not_json_is_refused(body):
    with pytest.raises(LedgerError):
        normalise_body(body)


@pytest.mark.parametrize(
    "kind, subject, body",
    [
        ("", "", {}),
        ("step.done", "", {}),
        ("step.done", "backup", {"note": 3}),
        ("check.ticked", "", {}),
        ("note.added", "", {}),
        ("note.added", "", {"text": "   "}),
        ("runbook.loaded", "", {}),
        ("runbook.loaded", "x", {"sha256": "ab"}),
        ("step.done", "backup", {"notes": "typo of note"}),
        ("probe.changed", "web", {"from": "UP", "to": "DOWN"}),
        ("probe.changed", "web", {"from": "UP", "to": "DOWN", "vantage": "n1", "failed_condition": 3}),
        ("probe.changed", "", {"from": "UP", "to": "DOWN", "vantage": "n1"}),
        ("check.ticked", "pre/x", {"ticked": True}),
        ("check.ticked", "pre/x", {"note": 3}),
    ],
)
def test_malformed_events_of_known_kinds_are_refused(kind, subject, body):
    with pytest.raises(LedgerError):
        validate(kind, subject, body)


def test_unknown_kinds_are_refused_on_append():
    """Our own writes use the vocabulary; a typo never lands in the ledger."""
    with pytest.raises(LedgerError, match="'step.dne' is not an event kind"):
        validate("step.dne", "backup", {})


@pytest.mark.parametrize("kind, subject, body", [
    ("step.done", "backup", {"note": "went fine"}),
    ("note.added", "", {"text": "bridge moved"}),
    ("probe.changed", "web", {"from": "UP", "to": "DOWN", "failed_condition": None, "vantage": "n1"}),
    ("runbook.loaded", "", {"sha256": "ab" * 32}),
])
def test_well_formed_events_are_accepted(kind, subject, body):
    assert validate(kind, subject, body) == EventKind(kind)


def test_every_kind_declares_its_body():
    assert set(SHAPES) == set(EventKind)


def test_the_body_is_cut_out_of_a_canonical_content_exactly():
    from warroom.store.events import body_of_canonical, canonical_json

    for body in ({}, {"a": 1, "deployment": 2}, {"s": ',"deployment":"x"', "n": {"deployment": [1]}}, {"é": "\u2028"}):
        event = Event.create(deployment="billing", run="live", operator="ana", node="n1", seq=1, prev="", hlc=5,
                             kind="note.added", subject="", body=body)
        assert body_of_canonical(canonical_json(event.content())) == canonical_json(event.body) == event.body_json()
