"""The event: one immutable fact in the ledger, identified by the hash of its content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import LedgerError
from .hlc import hlc_to_datetime

# Every field but the id, in the order the id hashes them (canonical JSON sorts keys anyway).
CONTENT_FIELDS = ("deployment", "run", "operator", "node", "seq", "prev", "hlc", "kind", "subject", "body")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
# The canonical content starts with the body (its key sorts first): '{"body":<body>,"deployment":...'.
_BODY_START = len('{"body":')
_AFTER_BODY = ',"deployment":'


def canonical_json(value: Any) -> str:
    """One spelling per value, so that equal content always hashes equal on every machine."""
    return _CANONICAL.encode(value)


def body_of_canonical(content_json: str) -> str:
    """The body's canonical text cut out of the canonical text of a whole content: no second
    encoding. The last ',"deployment":' is the top-level key: inside the body's strings a quote
    is escaped, and every field after the body is a plain string or number."""
    return content_json[_BODY_START:content_json.rindex(_AFTER_BODY)]


def content_id(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Event:
    id: str
    deployment: str
    run: str
    operator: str
    node: str
    seq: int
    prev: str
    hlc: int
    kind: str
    subject: str
    body: dict = field(default_factory=dict)

    # frozen + a dict field: hash by the content id, which already stands for all fields
    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def create(cls, *, deployment: str, run: str, operator: str, node: str, seq: int, prev: str,
               hlc: int, kind: str, subject: str, body: Mapping[str, Any] | None) -> Event:
        """Build a new event and give it its content id. The body is normalised through JSON so
        that what is hashed, stored and returned are the same value."""
        content: dict[str, Any] = dict(deployment=deployment, run=run, operator=operator, node=node, seq=seq,
                                       prev=prev, hlc=hlc, kind=kind, subject=subject, body=normalise_body(body))
        return cls(id=content_id(content), **content)

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Event:
        """An event from a dict holding exactly its fields (`id` and CONTENT_FIELDS), already checked
        by the caller (a row read back, a verified segment line): the dict becomes its attributes.
        The dataclass __init__ (a frozen setattr per field) would cost as much as parsing the body."""
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", fields)
        return event

    @property
    def at(self) -> datetime:
        return hlc_to_datetime(self.hlc)

    @property
    def order_key(self) -> tuple[int, str, str]:
        """The one total order every replica folds events in."""
        return (self.hlc, self.operator, self.id)

    def body_json(self) -> str:
        """The body as canonical JSON (as stored), made once per event and kept."""
        text = self.__dict__.get("_body_json")
        if text is None:
            text = canonical_json(self.body)
            object.__setattr__(self, "_body_json", text)
        return text

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}

    def verify(self) -> bool:
        """True when the id is the hash of the content (an imported event was not tampered with)."""
        return content_id(self.content()) == self.id

    def to_json(self) -> dict[str, Any]:
        """All fields, plus `at` (ISO 8601 UTC) for people reading `warroom log --json`."""
        return {"id": self.id, **self.content(), "body": dict(self.body), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        """The inverse of to_json (`at` is derived, so it is ignored)."""
        return cls(id=data["id"], **{name: data[name] for name in CONTENT_FIELDS})


def normalise_body(body: Mapping[str, Any] | None) -> dict[str, Any]:
    if not body and (body is None or isinstance(body, Mapping)):
        return {}
    if not isinstance(body, Mapping):
        raise LedgerError(f"an event body must be a JSON object, not {type(body).__name__}")
    try:
        return json.loads(canonical_json(dict(body)))
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"the event body cannot be stored as JSON ({exc})") from exc
