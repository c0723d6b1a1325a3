"""Trust: which keys may write as whom, from the runbook's team and this machine's trust file."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from warroom.runbook import loads
from warroom.runbook.loader import PUBLIC_KEY_SHAPE
from warroom.runbook.model import TeamMember
from warroom.store.identity import data_dir
from warroom.sync.errors import KeyProblem
from warroom.sync.keys import key_id
from warroom.sync.trust import PUBLIC_KEY, Trust, TrustStore, Verdict, trust_store_path


def new_key() -> str:
    """A real device's public key, written as `warroom keys show` prints it."""
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "ed25519:" + base64.b64encode(raw).decode()


ANA_LAPTOP, ANA_JUMP, LEE, SAM, MINE, STRANGER = (new_key() for _ in range(6))


@pytest.fixture
def trust() -> Trust:
    team = [
        TeamMember("Deployment Lead", "Ana Ruiz", operator="ana", keys=(ANA_LAPTOP,)),
        TeamMember("DBA", "Lee Park", keys=(LEE,)),  # records as "Lee Park"
        TeamMember("Comms", "Ana Ruiz", operator="ana"),  # one person, two roles: no second key
    ]
    return Trust.build(team, [("ana", ANA_JUMP), ("sam", SAM)], MINE)


# --- key shape and id -------------------------------------------------------------------------


def test_real_keys_have_the_shape_and_the_runbook_checks_the_same_shape():
    keys = [new_key() for _ in range(50)]
    assert all(PUBLIC_KEY.match(key) for key in keys)
    assert PUBLIC_KEY.pattern == PUBLIC_KEY_SHAPE.pattern


def test_key_id_is_sha256_of_the_raw_key_bytes():
    raw = bytes(range(32))
    key = "ed25519:" + base64.b64encode(raw).decode()
    assert key_id(key) == hashlib.sha256(raw).hexdigest()[:16]
    assert key_id(f" {key[:20]}\n{key[20:]} ") == key_id(key)
    with pytest.raises(KeyProblem, match="is not a public key warroom made"):
        key_id("ed25519:AAAA")


# --- the trust file ----------------------------------------------------------------------------


def test_a_missing_trust_file_trusts_nobody(tmp_path):
    assert TrustStore(tmp_path / "trusted-keys.json").entries() == []


def test_trusted_keys_are_kept_in_order_once_each_in_a_private_file(tmp_path):
    path = tmp_path / "private" / "trusted-keys.json"
    store = TrustStore(path)
    assert store.add("ana", ANA_JUMP) is True
    assert store.add(" lee ", f"{LEE[:30]}\n{LEE[30:]}") is True  # pasted across lines
    assert store.add("ana", ANA_JUMP) is False
    assert store.add("sam", ANA_JUMP) is True  # the same device, a second person on it
    assert store.entries() == [("ana", ANA_JUMP), ("lee", LEE), ("sam", ANA_JUMP)]
    assert TrustStore(path).entries() == store.entries()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    document = json.loads(path.read_text())
    assert [entry["operator"] for entry in document["trusted"]] == ["ana", "lee", "sam"]
    assert all(entry["at"] for entry in document["trusted"])
    assert [p.name for p in path.parent.iterdir()] == ["trusted-keys.json"]  # no temp file left


def test_adding_keeps_when_each_key_was_trusted(tmp_path):
    path = tmp_path / "trusted-keys.json"
    path.write_text(json.dumps({"trusted": [{"operator": "ana", "key": ANA_JUMP, "at": "2026-11-27T10:00:00+00:00"}]}))
    os.chmod(path, 0o600)
    TrustStore(path).add("lee", LEE)
    first = json.loads(path.read_text())["trusted"][0]
    assert first == {"operator": "ana", "key": ANA_JUMP, "at": "2026-11-27T10:00:00+00:00"}


def test_a_malformed_key_or_empty_name_is_not_trusted(tmp_path):
    store = TrustStore(tmp_path / "trusted-keys.json")
    with pytest.raises(KeyProblem, match="is not a public key warroom made"):
        store.add("ana", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5")
    with pytest.raises(KeyProblem, match="operator name to trust a key for is empty"):
        store.add("  ", LEE)
    assert not (tmp_path / "trusted-keys.json").exists()


@pytest.mark.parametrize(
    "content, what",
    [
        ("{not json", "it is not JSON"),
        ('["ana"]', 'it has no "trusted" list'),
        ('{"trusted": {"ana": "x"}}', 'it has no "trusted" list'),
        ('{"trusted": [["ana", "k"]]}', 'entry 1 is not {"operator": ..., "key": ...}'),
        ('{"trusted": [{"operator": "ana"}]}', 'entry 1 is not {"operator": ..., "key": ...}'),
        ('{"trusted": [{"operator": "ana", "key": "ed25519:AAAA"}]}', "entry 1 has an empty operator or a key"),
        (json.dumps({"trusted": [{"operator": "", "key": LEE}]}), "entry 1 has an empty operator or a key"),
    ],
)
def test_a_broken_trust_file_is_one_sentence_naming_it(tmp_path, content, what):
    path = tmp_path / "trusted-keys.json"
    path.write_text(content)
    store = TrustStore(path)
    for attempt in (store.entries, lambda: store.add("lee", LEE)):
        with pytest.raises(KeyProblem) as caught:
            attempt()
        message = str(caught.value)
        assert message.startswith(f"the trusted keys file {path} cannot be used: {what}")
        assert message.endswith("fix or remove it (then trust the keys again with `warroom keys trust`)")
    assert path.read_text() == content  # never overwritten on the way


def test_a_trust_file_that_is_a_symlink_is_refused(tmp_path):
    real = tmp_path / "elsewhere.json"
    real.write_text(json.dumps({"trusted": [{"operator": "ana", "key": STRANGER}]}))
    link = tmp_path / "trusted-keys.json"
    link.symlink_to(real)
    with pytest.raises(KeyProblem, match="cannot be used"):
        TrustStore(link).entries()


def test_the_trust_file_lives_in_the_data_folder():
    assert trust_store_path() == data_dir() / "trusted-keys.json"


# --- decisions ---------------------------------------------------------------------------------


def test_the_team_and_local_trust_make_up_the_keys_of_each_operator(trust):
    assert trust.by_operator == {"ana": {ANA_LAPTOP, ANA_JUMP}, "Lee Park": {LEE}, "sam": {SAM}}
    assert trust.own_key == MINE


def test_a_key_trusted_for_its_operator_is_trusted(trust):
    assert trust.decide("ana", ANA_LAPTOP) == Verdict(True, False, "")
    assert trust.decide("ana", ANA_JUMP) == Verdict(True, False, "")  # trusted here by hand
    assert trust.decide("Lee Park", f"  {LEE}\n") == Verdict(True, False, "")


def test_this_devices_key_is_trusted_for_any_name_used_on_it(trust):
    assert trust.decide("ana", MINE).trusted
    assert trust.decide("night-shift", MINE) == Verdict(True, False, "")


def test_a_machines_probe_changes_are_trusted_when_any_trusted_key_signs_them(trust):
    assert trust.decide("probe@3f2a9c01b4de", LEE) == Verdict(True, False, "")
    assert trust.decide("probe@3f2a9c01b4de", SAM) == Verdict(True, False, "")
    verdict = trust.decide("probe@3f2a9c01b4de", STRANGER)
    assert (verdict.trusted, verdict.alarm) == (False, False)
    assert verdict.reason == ("probe changes from 3f2a9c01b4de come from a key not trusted here yet; "
                              "review it (Q) or add its owner's key to the runbook's team")


def test_someone_elses_key_signing_as_an_operator_is_an_alarm(trust):
    assert trust.decide("Lee Park", ANA_LAPTOP) == Verdict(
        False, True, "the key of ana signs events as Lee Park; check who wrote them")
    # also for a name nobody knows yet: the key still belongs to someone else
    assert trust.decide("mallory", LEE) == Verdict(
        False, True, "the key of Lee Park signs events as mallory; check who wrote them")


def test_a_key_shared_by_several_names_is_named_with_all_of_them():
    shared = Trust.build([], [("ana", ANA_JUMP), ("sam", ANA_JUMP)], MINE)
    assert shared.decide("lee", ANA_JUMP).reason == "the key of ana and sam signs events as lee; check who wrote them"


def test_a_known_operator_with_an_unknown_key_is_an_alarm(trust):
    verdict = trust.decide("ana", STRANGER)
    assert (verdict.trusted, verdict.alarm) == (False, True)
    assert verdict.reason == (f"ana arrived with an unknown key {key_id(STRANGER)}; "
                              "if they changed device, trust it with `warroom keys trust`")


def test_an_unknown_operator_with_an_unknown_key_waits_for_review_without_alarm(trust):
    assert trust.decide("dana", STRANGER) == Verdict(
        False, False, "dana's key is not trusted here yet; review it (Q) or add it to the runbook's team")


def test_a_key_of_the_wrong_shape_is_never_trusted(trust):
    verdict = trust.decide("ana", "ed25519:AAAA")
    assert (verdict.trusted, verdict.alarm) == (False, False)
    assert "a key warroom did not make" in verdict.reason


def test_trust_from_a_loaded_runbook_and_the_trust_file(tmp_path):
    runbook = loads(f"""\
id: demo
title: Demo
window: {{start: 2026-11-28T08:00+01:00, end: 2026-11-28T18:00+01:00}}
steps: [{{id: a, title: A, duration: 5m}}]
team:
  - {{role: Lead, name: Ana Ruiz, operator: ana, key: "{ANA_LAPTOP}"}}
  - {{role: DBA, name: Lee Park, key: ["{LEE}"]}}
""")
    store = TrustStore(tmp_path / "trusted-keys.json")
    store.add("ana", ANA_JUMP)
    trust = Trust.build(runbook.team, store.entries(), MINE)
    assert trust.decide("ana", ANA_JUMP).trusted and trust.decide("Lee Park", LEE).trusted
    assert trust.decide("lee", LEE).alarm  # the runbook says Lee records as "Lee Park"
