"""What one check of a probe found. Whether that is good is decided later (see judge.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class ProbeResult:
    """`result` holds the values conditions read (status, body, response_time_ms, ip,
    connected, certificate_expiration_ms, dns_rcode); a missing key means "not available".
    `offline` means this machine has no network, so the check says nothing about the target."""

    result: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    value: str = ""  # short human summary for the board: "200 OK", "connected", "cpu 12.5%"
    response_time_ms: float | None = None
    error: str | None = None  # one clear sentence: "connection refused", "timed out after 5s"
    offline: bool = False
    metric: float | None = None  # the number a host probe measures, judged by warn_above/fail_above


def failed(error: str, offline: bool = False, /, **values: object) -> ProbeResult:
    """A result for a check that could not get an answer. `error` and `offline` are positional
    only, so every keyword (from a check's FAILURE_VALUES too) is one of the result's values."""
    return ProbeResult(result=MappingProxyType(dict(values)), value=error, error=error, offline=offline)
