"""host: this machine's cpu, memory, disk or load, measured with psutil in a worker thread."""

from __future__ import annotations

import asyncio
import os
import time
from types import MappingProxyType

import psutil

from ..result import ProbeResult
from .base import Check

MIN_CPU_SPAN = 0.2  # seconds


class HostCheck(Check):
    def __init__(self, config):
        super().__init__(config)
        self.metric = config.target
        if self.metric == "cpu":
            # psutil's first cpu_percent() compares with nothing and returns 0.0: prime it now
            # so that the first check reports a real reading.
            psutil.cpu_percent(interval=None)
        self._primed_at = time.monotonic()

    async def check(self) -> ProbeResult:
        value = await asyncio.to_thread(self._measure)
        return ProbeResult(result=MappingProxyType({"value": value}), value=self._describe(value), metric=value)

    def _measure(self) -> float:
        if self.metric == "cpu":
            # A reading over a few milliseconds is noise (0.0 right after priming): span at least 0.2 s.
            time.sleep(max(0.0, MIN_CPU_SPAN - (time.monotonic() - self._primed_at)))
            self._primed_at = time.monotonic()
            return psutil.cpu_percent(interval=None)
        if self.metric == "memory":
            memory = psutil.virtual_memory()
            return (memory.total - memory.available) / memory.total * 100
        if self.metric == "disk":
            return psutil.disk_usage(str(self.config.options.get("path", "/"))).percent
        if self.metric == "load":
            return os.getloadavg()[0] / (psutil.cpu_count() or 1)  # per core: 1.0 = every core busy
        raise ValueError(f"unknown host metric '{self.metric}'")

    def _describe(self, value: float) -> str:
        if self.metric == "load":
            return f"load {value:.2f}/core"
        if self.metric == "disk":
            return f"disk {self.config.options.get('path', '/')} {value:.1f}%"
        return f"{self.metric} {value:.1f}%"
