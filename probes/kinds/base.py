"""What every kind of check shares: its timeout, and turning any exception into a clear result."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from ..errors import describe_error, timed_out
from ..result import ProbeResult, failed
from ..spec import ProbeConfig


class Check:
    """One probe's check. `run()` never raises (except on cancellation) and never outlives
    the probe's timeout; subclasses implement `check()` and may raise anything."""

    # Values a failed check still knows, e.g. a tcp check that failed did not connect.
    FAILURE_VALUES: ClassVar[Mapping[str, object]] = MappingProxyType({})

    def __init__(self, config: ProbeConfig):
        self.config = config

    async def run(self) -> ProbeResult:
        try:
            return await asyncio.wait_for(self.check(), self.config.timeout)
        except TimeoutError:
            return failed(timed_out(self.config.timeout), **self.FAILURE_VALUES)
        except Exception as exc:  # noqa: BLE001 - any failure of a check is a result, not a crash
            sentence, offline = describe_error(exc, self.config.timeout)
            return failed(sentence, offline, **self.FAILURE_VALUES)

    async def check(self) -> ProbeResult:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release what the check keeps between runs (an HTTP client)."""
