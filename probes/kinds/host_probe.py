"""host: this machine's cpu, memory, disk or load, measured with psutil in a worker thread."""

from __future__ import annotations

import asyncio
import os
import time
from types import MappingProxyType

import psutil

from ..result import ProbeResult
from .base import Check

MIN_CPU_SPAN = 0.5  # seconds: a reading over a few milliseconds is noise


class HostCheck(Check):
    """CPU is measured from this check's own readings of the CPU times, not with psutil's
    cpu_percent(): that keeps its last reading per thread, and the checks run in whichever worker
    thread is free, so a reading would span anything from nothing (0.0 on a busy machine, in a
    one-shot `warroom probe`) to the last time that thread happened to look."""

    def __init__(self, config):
        super().__init__(config)
        self.metric = config.target
        self._cpu_times = psutil.cpu_times() if self.metric == "cpu" else None
        self._cpu_read_at = time.monotonic()

    async def check(self) -> ProbeResult:
        value = await asyncio.to_thread(self._measure)
        return ProbeResult(result=MappingProxyType({"value": value}), value=self._describe(value), metric=value)

    def _measure(self) -> float:
        if self.metric == "cpu":
            # Busy over the time since the last check (at least MIN_CPU_SPAN: the first check waits).
            time.sleep(max(0.0, MIN_CPU_SPAN - (time.monotonic() - self._cpu_read_at)))
            before, self._cpu_times = self._cpu_times, psutil.cpu_times()
            self._cpu_read_at = time.monotonic()
            return busy_percent(before, self._cpu_times)
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


def busy_percent(before, after) -> float:
    """Percent of CPU time spent busy between two psutil.cpu_times() readings, as psutil counts
    it: everything but idle and iowait, guest time already being inside user and nice on Linux."""
    deltas = {field: max(0.0, getattr(after, field) - getattr(before, field)) for field in after._fields}
    total = sum(value for field, value in deltas.items() if field not in ("guest", "guest_nice"))
    busy = total - deltas.get("idle", 0.0) - deltas.get("iowait", 0.0)
    return round(100.0 * busy / total, 1) if total > 0 else 0.0
