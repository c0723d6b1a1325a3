"""This device's Ed25519 key, and public keys as text: "ed25519:<base64 of the 32 raw bytes>".

A writer is an operator on one device; the device's key signs every segment it exports, and its
key id (16 hex of the public key's sha256) names the writer's folder in the export.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from warroom.runbook.loader import PUBLIC_KEY_SHAPE
from warroom.store.private import (
    PRIVATE_FILE_MODE,
    NotPrivateFile,
    durable_temp_file,
    fsync_folder,
    make_private_folder,
    read_private_file,
)

from .errors import KeyProblem

KEY_FILE_NAME = "device-key.pem"
PREFIX = "ed25519:"
# The shape of the text form, defined once where the runbook loader checks team keys.
PUBLIC_KEY_PATTERN = PUBLIC_KEY_SHAPE.pattern
RAW_KEY_BYTES = 32
KEY_ID_HEX = 16
_MAX_KEY_FILE_BYTES = 4096  # a PKCS8 Ed25519 PEM is 119 bytes


@dataclass(frozen=True)
class DeviceKey:
    private: Ed25519PrivateKey
    public: str
    key_id: str

    @classmethod
    def from_private(cls, private: Ed25519PrivateKey) -> DeviceKey:
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(private=private, public=_public_text(raw), key_id=_raw_key_id(raw))

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def __repr__(self) -> str:  # never the private key in a log or a traceback
        return f"DeviceKey({self.public!r})"


def device_key(folder: Path) -> DeviceKey:
    """This device's key from `folder/device-key.pem`, made on first use (0600 in a 0700 folder).
    Two processes making it at once end with the same key: each links a complete file to the
    name, and the one that finds it taken loads the winner's."""
    path = folder / KEY_FILE_NAME
    try:
        return _load(path)
    except FileNotFoundError:
        pass
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    try:
        make_private_folder(folder)
        temp = durable_temp_file(path, pem, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise KeyProblem(f"the device key cannot be made in {folder} ({exc.strerror}); "
                         "check that the folder is yours and writable") from exc
    try:
        try:
            os.link(temp, path)  # never replaces: the first complete key to arrive is the key
        except FileExistsError:
            return _load(path)
        fsync_folder(folder)
    except OSError as exc:
        raise KeyProblem(f"the device key {path} cannot be made ({exc.strerror}); "
                         "check that the folder is yours and writable") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return DeviceKey.from_private(private)


def _load(path: Path) -> DeviceKey:
    """The key at `path`; FileNotFoundError when there is none yet, KeyProblem when it is unusable."""
    try:
        pem = read_private_file(path, _MAX_KEY_FILE_BYTES)
    except FileNotFoundError:
        raise
    except NotPrivateFile:
        raise _unreadable(path, "it is not a regular file of yours") from None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from exc
    if len(pem) > _MAX_KEY_FILE_BYTES:
        raise _unreadable(path, "it is far too long for a key")
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _unreadable(path, "it is not an unencrypted PEM private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise _unreadable(path, "it is not an Ed25519 key")
    return DeviceKey.from_private(private)


def _unreadable(path: Path, why: str) -> KeyProblem:
    return KeyProblem(f"the device key {path} cannot be read ({why}); move it away and a new one is made")


def normalise_public_key(text: str) -> str:
    """"ed25519:<base64>" or the bare base64 of 32 bytes, whitespace anywhere ignored (a pasted key
    may be wrapped), as "ed25519:<base64>"; KeyProblem otherwise."""
    return _public_text(_raw(text))


def key_id(public: str) -> str:
    """The first 16 hex of the sha256 of the raw public key: names the writer in the export."""
    return _raw_key_id(_raw(public))


def verify(public: str, signature: bytes, data: bytes) -> bool:
    """True when `signature` is `public`'s over `data`; KeyProblem when `public` is not a key."""
    try:
        Ed25519PublicKey.from_public_bytes(_raw(public)).verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _raw(text: str) -> bytes:
    compact = "".join(text.split())
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX):]
    compact += "=" * (-len(compact) % 4)  # bare base64 may come without its padding
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != RAW_KEY_BYTES:
        raise KeyProblem("that is not a public key warroom made; paste the line `warroom keys show` prints")
    return raw


def _public_text(raw: bytes) -> str:
    return PREFIX + base64.b64encode(raw).decode("ascii")


def _raw_key_id(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:KEY_ID_HEX]
