"""One Check class per probe kind; `make_check` picks it."""

from __future__ import annotations

from ..spec import ProbeConfig
from .base import Check
from .command_probe import CommandCheck
from .dns_probe import DnsCheck
from .host_probe import HostCheck
from .http_probe import HttpCheck
from .tcp_probe import TcpCheck
from .tls_probe import TlsCheck

CHECKS: dict[str, type[Check]] = {
    "http": HttpCheck, "tcp": TcpCheck, "dns": DnsCheck, "tls": TlsCheck, "command": CommandCheck, "host": HostCheck,
}


def make_check(config: ProbeConfig) -> Check:
    return CHECKS[config.kind](config)


__all__ = ["CHECKS", "Check", "CommandCheck", "DnsCheck", "HostCheck", "HttpCheck", "TcpCheck", "TlsCheck",
           "make_check"]
