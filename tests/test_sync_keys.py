"""This device's Ed25519 key: made once, private, the same across processes; public keys as text."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import subprocess
import sys
import threading

import pytest
from support import pure_env

from warroom.sync.errors import KeyProblem
from warroom.sync.keys import PUBLIC_KEY_PATTERN, device_key, key_id, normalise_public_key, verify


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_key_is_made_once_private_and_loaded_again(tmp_path):
    folder = tmp_path / "data" / "keys"
    made = device_key(folder)
    assert mode(folder / "device-key.pem") == 0o600 and mode(folder) == 0o700
    assert (folder / "device-key.pem").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = device_key(folder)
    assert again.public == made.public and again.key_id == made.key_id
    assert os.listdir(folder) == ["device-key.pem"]  # no temporary file left


def test_the_public_key_and_key_id_have_their_documented_form(tmp_path):
    key = device_key(tmp_path)
    assert re.match(PUBLIC_KEY_PATTERN, key.public)
    raw = base64.b64decode(key.public.removeprefix("ed25519:"))
    assert len(raw) == 32
    assert key.key_id == hashlib.sha256(raw).hexdigest()[:16] == key_id(key.public)
    assert "PRIVATE" not in repr(key) and key.public in repr(key)


def test_a_signature_verifies_only_for_its_data_and_key(tmp_path):
    key = device_key(tmp_path / "a")
    other = device_key(tmp_path / "b")
    signature = key.sign(b"segment bytes")
    assert verify(key.public, signature, b"segment bytes")
    assert not verify(key.public, signature, b"segment bytez")
    assert not verify(other.public, signature, b"segment bytes")
    assert not verify(key.public, b"\0" * 64, b"segment bytes")
    assert not verify(key.public, b"short", b"segment bytes")


def test_threads_racing_to_make_the_key_end_with_one_key(tmp_path):
    folder = tmp_path / "keys"
    start = threading.Barrier(8)
    found: list[str] = []

    def make() -> None:
        start.wait()
        found.append(device_key(folder).public)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1
    assert device_key(folder).public == found[0]
    assert os.listdir(folder) == ["device-key.pem"]


def test_processes_racing_to_make_the_key_end_with_one_key(tmp_path):
    folder = tmp_path / "keys"
    code = ("import sys; from pathlib import Path; from warroom.sync.keys import device_key; "
            "print(device_key(Path(sys.argv[1])).public)")
    processes = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True,
                                  env=pure_env(), cwd=tmp_path) for _ in range(4)]
    publics = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert publics == {device_key(folder).public}


@pytest.mark.parametrize("content", [b"", b"not a key\n", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                     b"x" * 10_000])
def test_a_file_that_is_not_a_key_is_a_key_problem_left_in_place(tmp_path, content):
    path = tmp_path / "device-key.pem"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyProblem, match=r"^the device key .*device-key.pem cannot be read \(.+\); move it away "
                                         r"and a new one is made$"):
        device_key(tmp_path)
    assert path.read_bytes() == content


def test_a_key_of_another_kind_is_a_key_problem(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tmp_path / "device-key.pem").write_bytes(pem)
    (tmp_path / "device-key.pem").chmod(0o600)
    with pytest.raises(KeyProblem, match="not an Ed25519 key"):
        device_key(tmp_path)


def test_a_symlinked_key_file_is_refused(tmp_path):
    real = device_key(tmp_path / "real")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "device-key.pem").symlink_to(tmp_path / "real" / "device-key.pem")
    with pytest.raises(KeyProblem, match="cannot be read"):
        device_key(tmp_path / "linked")
    assert device_key(tmp_path / "real").public == real.public


def test_public_keys_are_normalised(tmp_path):
    public = device_key(tmp_path).public
    bare = public.removeprefix("ed25519:")
    assert normalise_public_key(public) == public
    assert normalise_public_key(f"  {bare}\n") == public
    assert normalise_public_key(bare.rstrip("=")) == public  # padding may be lost in a paste
    assert normalise_public_key(f"ed25519:{bare[:20]}\n {bare[20:]}") == public  # a wrapped line


@pytest.mark.parametrize("text", ["", "ed25519:", "ed25519:" + "A" * 40, "ssh-ed25519 AAAA", "ed25519:" + "*" * 44,
                                  base64.b64encode(b"x" * 31).decode(), base64.b64encode(b"x" * 33).decode()])
def test_what_is_not_a_public_key_is_a_key_problem(text):
    with pytest.raises(KeyProblem, match=r"^that is not a public key warroom made; paste the line `warroom keys show` prints$"):
        normalise_public_key(text)
    with pytest.raises(KeyProblem):
        key_id(text)


def test_the_pattern_checks_the_whole_text():
    good = "ed25519:" + base64.b64encode(b"k" * 32).decode()
    assert re.match(PUBLIC_KEY_PATTERN, good)
    assert not re.match(PUBLIC_KEY_PATTERN, good + "x")
    assert not re.match(PUBLIC_KEY_PATTERN, good + "\n")
    assert not re.match(PUBLIC_KEY_PATTERN, good.removeprefix("ed25519:"))
