"""tls: how long until the certificate at host:port expires."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from time import perf_counter
from types import MappingProxyType

from ..address import split_host_port
from ..result import ProbeResult, failed
from .base import Check
from .certs import certificate_not_after
from .tls_context import CaFileError, make_ssl_context


class TlsCheck(Check):
    FAILURE_VALUES = MappingProxyType({"connected": False})

    def __init__(self, config):
        super().__init__(config)
        self._context = None

    async def check(self) -> ProbeResult:
        host, port = split_host_port(self.config.target, default_port=443)
        try:
            if self._context is None:
                self._context = make_ssl_context(self.config.options)
        except CaFileError as exc:
            return failed(str(exc), **self.FAILURE_VALUES)
        started = perf_counter()
        _, writer = await asyncio.open_connection(host, port, ssl=self._context, server_hostname=host)
        elapsed_ms = (perf_counter() - started) * 1000
        try:
            der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
            peer = writer.get_extra_info("peername")
        finally:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
        if not der:
            return failed("the server sent no certificate", connected=True)
        try:
            not_after = certificate_not_after(der)
        except ValueError as exc:
            return failed(f"could not read the certificate's expiry: {exc}", connected=True)
        left_ms = (not_after - datetime.now(UTC)).total_seconds() * 1000
        values: dict[str, object] = {"connected": True, "certificate_expiration_ms": left_ms,
                                     "response_time_ms": elapsed_ms}
        if peer:
            values["ip"] = str(peer[0])
        return ProbeResult(result=MappingProxyType(values), value=_describe_expiry(left_ms, not_after),
                           response_time_ms=elapsed_ms)


def _describe_expiry(left_ms: float, not_after: datetime) -> str:
    day = f"{not_after:%Y-%m-%d}"
    if left_ms <= 0:
        return f"expired {day}"
    hours = left_ms / 3_600_000
    left = f"{hours / 24:.0f}d" if hours >= 48 else f"{hours:.0f}h"
    return f"expires in {left} ({day})"
