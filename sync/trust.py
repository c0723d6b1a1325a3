"""Whose signed events are applied here: the runbook's team keys plus the keys trusted on this machine.

The rest are quarantined, never silently trusted nor dropped (DESIGN.md section 4); a known operator
arriving with an unknown key, or one person's key signing as another, is an alarm.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from warroom.runbook.loader import PUBLIC_KEY_SHAPE
from warroom.runbook.model import TeamMember
from warroom.store.identity import data_dir
from warroom.store.ledger import MACHINE_PREFIX
from warroom.store.private import NotPrivateFile, open_private_file, write_private_file

from .errors import KeyProblem
from .keys import key_id

# Canonical, so one key has one spelling and comparing text is enough.
PUBLIC_KEY = PUBLIC_KEY_SHAPE
# A trust file is a few lines per person; anything this big is not one.
_MAX_TRUST_FILE_BYTES = 1 << 20


def normalise_key(key: str) -> str:
    """A key as written, without any whitespace (a key pasted across lines is still one key)."""
    return "".join(key.split())


def trust_store_path() -> Path:
    return data_dir() / "trusted-keys.json"


class TrustStore:
    """Keys trusted on this machine by `warroom keys trust`: a private JSON file
    `{"trusted": [{"operator": ..., "key": ..., "at": iso}]}`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[tuple[str, str]]:
        """(operator, key) pairs in the order they were trusted; a missing file is no entries."""
        return [(entry["operator"], entry["key"]) for entry in self._read()]

    def add(self, operator: str, key: str) -> bool:
        """Trust `key` for `operator` here; False if it already was. The file is replaced atomically."""
        operator = operator.strip()
        key = normalise_key(key)
        if not operator:
            raise KeyProblem("the operator name to trust a key for is empty; give the name they record as")
        key_id(key)  # refuses a malformed key with its sentence
        entries = self._read()
        if any(entry["operator"] == operator and entry["key"] == key for entry in entries):
            return False
        entries.append({"operator": operator, "key": key, "at": datetime.now(UTC).isoformat(timespec="seconds")})
        data = json.dumps({"trusted": entries}, indent=2, ensure_ascii=False) + "\n"
        try:
            write_private_file(self.path, data.encode("utf-8"))
        except OSError as exc:
            raise KeyProblem(f"cannot write the trusted keys file {self.path} ({exc.strerror or exc}); "
                             "check the folder's permissions and free space") from exc
        return True

    def _read(self) -> list[dict[str, str]]:
        try:
            fd = open_private_file(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return []
        except NotPrivateFile:
            raise self._broken("it is not a regular file of yours") from None
        except OSError as exc:
            raise self._broken(f"it cannot be opened: {exc.strerror or exc}") from exc
        with os.fdopen(fd, "rb") as file:
            data = file.read(_MAX_TRUST_FILE_BYTES + 1)
        if len(data) > _MAX_TRUST_FILE_BYTES:
            raise self._broken("it is far larger than a trust file can be")
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise self._broken(f"it is not JSON ({exc})") from None
        listed = document.get("trusted") if isinstance(document, dict) else None
        if not isinstance(listed, list):
            raise self._broken('it has no "trusted" list')
        entries = []
        for number, entry in enumerate(listed, 1):
            if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("operator", "key")):
                raise self._broken(f'entry {number} is not {{"operator": ..., "key": ...}}')
            if not entry["operator"].strip() or not PUBLIC_KEY.match(entry["key"]):
                raise self._broken(f"entry {number} has an empty operator or a key warroom did not make")
            at = entry.get("at")
            entries.append({"operator": entry["operator"], "key": entry["key"],
                            "at": at if isinstance(at, str) else ""})
        return entries

    def _broken(self, what: str) -> KeyProblem:
        return KeyProblem(f"the trusted keys file {self.path} cannot be used: {what}; "
                          "fix or remove it (then trust the keys again with `warroom keys trust`)")


@dataclass(frozen=True)
class Verdict:
    trusted: bool
    alarm: bool  # a known operator with an unknown key, or a key that belongs to someone else
    reason: str  # one sentence for the quarantine screen ("" when trusted)


_TRUSTED = Verdict(True, False, "")


@dataclass(frozen=True)
class Trust:
    by_operator: Mapping[str, frozenset[str]]  # operator -> keys trusted for them (team + local)
    own_key: str  # this device's key: trusted for any operator name used on it
    # key -> operators it is trusted for, to tell "someone else's key" from "an unknown key"
    _by_key: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, set[str]] = {}
        for operator, keys in self.by_operator.items():
            for key in keys:
                by_key.setdefault(key, set()).add(operator)
        object.__setattr__(self, "_by_key", MappingProxyType({k: frozenset(v) for k, v in by_key.items()}))

    @classmethod
    def build(cls, team: Sequence[TeamMember], local: Iterable[tuple[str, str]], own_key: str) -> Trust:
        trusted: dict[str, set[str]] = {}
        pairs = [(member.operator, key) for member in team for key in member.keys]
        for operator, key in [*pairs, *local]:
            trusted.setdefault(operator.strip(), set()).add(normalise_key(key))
        by_operator = MappingProxyType({operator: frozenset(keys) for operator, keys in trusted.items()})
        return cls(by_operator, normalise_key(own_key))

    def decide(self, operator: str, key: str) -> Verdict:
        """Whether events signed by `key` and written as `operator` are applied here, and if not, why."""
        key = normalise_key(key)
        if not PUBLIC_KEY.match(key):
            return Verdict(False, False, f"{operator}'s events carry a key warroom did not make; "
                                         "they cannot be trusted")
        if key == self.own_key or key in self.by_operator.get(operator, ()):
            return _TRUSTED
        owners = self._by_key.get(key, frozenset())
        if operator.startswith(MACHINE_PREFIX):
            # A machine's probe changes are recorded by whoever's console runs there: any trusted key.
            if owners:
                return _TRUSTED
            node = operator[len(MACHINE_PREFIX):]
            return Verdict(False, False, f"probe changes from {node} come from a key not trusted here yet; "
                                         "review it (Q) or add its owner's key to the runbook's team")
        if owners:
            return Verdict(False, True, f"the key of {_names(owners)} signs events as {operator}; check who wrote them")
        if self.by_operator.get(operator):
            return Verdict(False, True, f"{operator} arrived with an unknown key {key_id(key)}; "
                                        "if they changed device, trust it with `warroom keys trust`")
        return Verdict(False, False, f"{operator}'s key is not trusted here yet; "
                                     "review it (Q) or add it to the runbook's team")


def _names(operators: Iterable[str]) -> str:
    ordered = sorted(operators)
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} and {ordered[-1]}"
