"""command: run a shell command; its exit code is [STATUS] and its stdout (capped) is [BODY].

The command runs in its own process group so that a timeout kills everything it started,
not just the shell."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from time import perf_counter
from types import MappingProxyType

from ..result import ProbeResult
from .base import Check

MAX_STDOUT = 64 * 1024
MAX_STDERR = 4 * 1024
_LINE_SHOWN = 80


class CommandCheck(Check):
    async def check(self) -> ProbeResult:
        started = perf_counter()
        process = await asyncio.create_subprocess_shell(
            self.config.target, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )
        try:
            # Both were asked for as PIPE above, so asyncio always opens them.
            assert process.stdout is not None and process.stderr is not None
            (stdout, _), (stderr, _), code = await asyncio.gather(
                _read_capped(process.stdout, MAX_STDOUT), _read_capped(process.stderr, MAX_STDERR), process.wait())
        finally:
            # On a timeout (cancellation) the command is still running; after a normal exit
            # something it started in the background may be. Either way: kill the whole group.
            _kill_group(process.pid)
            if process.returncode is None:
                with contextlib.suppress(TimeoutError, ProcessLookupError):
                    await asyncio.wait_for(asyncio.shield(process.wait()), 2.0)
        elapsed_ms = (perf_counter() - started) * 1000
        out = stdout.decode("utf-8", errors="replace")
        err = stderr.decode("utf-8", errors="replace")
        values = {"status": code, "body": out, "response_time_ms": elapsed_ms}
        return ProbeResult(result=MappingProxyType(values), value=_summary(code, out, err), response_time_ms=elapsed_ms)


async def _read_capped(stream: asyncio.StreamReader, limit: int) -> tuple[bytes, bool]:
    """Keep the first `limit` bytes and drain the rest, so the command never blocks on a
    full pipe and its exit code stays its own. Ends at EOF; the check's timeout bounds time."""
    kept = bytearray()
    truncated = False
    while chunk := await stream.read(65536):
        room = limit - len(kept)
        kept += chunk[:room]
        truncated = truncated or len(chunk) > room
    return bytes(kept), truncated


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _summary(code: int, out: str, err: str) -> str:
    line = _last_line(err) if code != 0 and err.strip() else _first_line(out)
    head = "exit 0" if code == 0 else (f"killed by signal {-code}" if code < 0 else f"exit {code}")
    return f"{head}: {line}" if line else head


def _first_line(text: str) -> str:
    line = next((raw.strip() for raw in text.splitlines() if raw.strip()), "")
    return line[:_LINE_SHOWN]


def _last_line(text: str) -> str:
    line = next((raw.strip() for raw in reversed(text.splitlines()) if raw.strip()), "")
    return line[:_LINE_SHOWN]
