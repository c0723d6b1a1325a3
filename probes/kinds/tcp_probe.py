"""tcp: can we open a connection to host:port?"""

from __future__ import annotations

import asyncio
import contextlib
from time import perf_counter
from types import MappingProxyType

from ..address import split_host_port
from ..result import ProbeResult
from .base import Check


class TcpCheck(Check):
    FAILURE_VALUES = MappingProxyType({"connected": False})

    async def check(self) -> ProbeResult:
        host, port = split_host_port(self.config.target)
        started = perf_counter()
        _, writer = await asyncio.open_connection(host, port)
        elapsed_ms = (perf_counter() - started) * 1000
        peer = writer.get_extra_info("peername")
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)
        values: dict[str, object] = {"connected": True, "response_time_ms": elapsed_ms}
        if peer:
            values["ip"] = str(peer[0])
        return ProbeResult(result=MappingProxyType(values), value="connected", response_time_ms=elapsed_ms)
