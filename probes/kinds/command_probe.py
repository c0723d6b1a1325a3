"""command: run a shell command; its exit code is [STATUS] and its stdout (capped) is [BODY].

The command runs in its own process group, its environment marked with a token of the check's
own (see process_tree), so that when the check ends - by exit or by timeout - everything the
command started is killed, daemons included, and its pipes are closed."""

from __future__ import annotations

import asyncio
import contextlib
from time import perf_counter
from types import MappingProxyType

from ..result import ProbeResult
from .base import Check
from .process_tree import MarkedTree

MAX_STDOUT = 64 * 1024
MAX_STDERR = 4 * 1024
# Seconds the output may take to end after the shell exited: it is normally in the pipe already.
# Whatever still holds the pipe after that (a daemon) is killed and the output ends there.
OUTPUT_GRACE = 0.1
EXIT_WAIT = 0.5  # seconds for the killed shell to be reaped, so no exit is reported to a closed loop
_LINE_SHOWN = 80
_STDOUT, _STDERR = 1, 2


class CommandCheck(Check):
    async def check(self) -> ProbeResult:
        started = perf_counter()
        loop = asyncio.get_running_loop()
        tree = MarkedTree()
        try:
            transport, output = await loop.subprocess_shell(
                _Output, self.config.target, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, start_new_session=True, env=tree.environment,
            )
        except BaseException:
            tree.end()  # cancelled while starting: asyncio killed the shell, not what it may have started
            raise
        try:
            await output.exited.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(output.pipes_closed.wait(), OUTPUT_GRACE)
        finally:
            # On a timeout (cancellation) the command is still running; after a normal exit something
            # it started may be. Either way: end them all, then close our ends of the pipes - once the
            # shell's exit is in, or close() would reap it itself and the child watcher would warn.
            # Off the loop: reading the processes' environments would hold up every other probe.
            try:
                await asyncio.to_thread(tree.end, leader=transport.get_pid())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(output.exited.wait(), EXIT_WAIT)
            finally:
                transport.close()
        code = transport.get_returncode()
        assert code is not None  # the shell exited: the try block above waited for it
        elapsed_ms = (perf_counter() - started) * 1000
        out = output.text(_STDOUT)
        err = output.text(_STDERR)
        values = {"status": code, "body": out, "response_time_ms": elapsed_ms}
        return ProbeResult(result=MappingProxyType(values), value=_summary(code, out, err), response_time_ms=elapsed_ms)


class _Output(asyncio.SubprocessProtocol):
    """The command's stdout and stderr, each kept up to its cap and the rest drained (so the command
    never blocks on a full pipe and its exit code stays its own), and when the shell exited and
    the pipes closed."""

    def __init__(self) -> None:
        self._kept = {_STDOUT: bytearray(), _STDERR: bytearray()}
        self._caps = {_STDOUT: MAX_STDOUT, _STDERR: MAX_STDERR}
        self._open = set(self._kept)
        self.exited = asyncio.Event()
        self.pipes_closed = asyncio.Event()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        kept = self._kept[fd]
        kept += data[:self._caps[fd] - len(kept)]

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        self._open.discard(fd)
        if not self._open:
            self.pipes_closed.set()

    def process_exited(self) -> None:
        self.exited.set()

    def text(self, fd: int) -> str:
        return self._kept[fd].decode("utf-8", errors="replace")


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
