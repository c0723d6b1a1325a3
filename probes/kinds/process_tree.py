"""Ending every process a command probe started, wherever it went.

A command runs in a process group of its own, and killing the group ends whatever stayed in it.
A child that called setsid() (a daemon) has left the group, and once the shell exits it is
re-parented to init: neither the group nor our children lead to it any more. What it still
carries is the environment it inherited. So each check puts a token of its own in the command's
environment, and when the check ends, every process carrying that token is killed.

Why not make warroom a child subreaper (prctl PR_SET_CHILD_SUBREAPER)? It is process-wide: the
orphans of everything warroom runs, not just probes, would be re-parented to it and stay zombies
unless reaped; reaping them with waitpid(-1) would steal exit codes from asyncio's child watcher;
it is Linux-only; and the orphans would still have to be found to be killed. The token touches
nothing outside one check. Its limit: a process that drops its environment (env -i) is not found.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal

import psutil

MARKER = "WARROOM_PROBE_RUN"
KILL_ROUNDS = 3  # a process may fork while its siblings are killed: look again, a few times
_LOADAVG = "/proc/loadavg"  # Linux: its last field is the pid handed out last


class MarkedTree:
    """The processes one command will start, marked by a token in their environment: give the
    command `environment`, and call end() when its check ends."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(8)
        self.environment = {**os.environ, MARKER: self.token}

    def end(self, leader: int | None = None) -> None:
        """SIGKILL the process group of `leader` (the command's shell) and every process carrying the
        token, daemons that left the group included. Without a leader (the command did not start)
        every process on the machine is looked at."""
        if leader is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(leader, signal.SIGKILL)
        born_from = leader
        for _ in range(KILL_ROUNDS):
            pids = _pids_from(born_from, leader)
            marked = [process for process in map(_process, pids) if process and self._carries(process)]
            if not marked:
                return
            for process in marked:
                with contextlib.suppress(psutil.Error):
                    process.kill()
            born_from = max(pids) + 1  # what the killed started while dying was born after that list

    def _carries(self, process: psutil.Process) -> bool:
        try:
            return process.environ().get(MARKER) == self.token
        except psutil.Error:  # gone, a zombie, or not ours to read (then not ours to kill either)
            return False


def _pids_from(first: int | None, leader: int | None) -> list[int]:
    """Pids from `first` on, of processes born since `leader` started. Linux hands out pids in
    increasing order until they wrap at pid_max, so unless they wrapped since (or the system does not
    say), only pids from `first` to the newest need their environment read: ending a command that
    left nothing behind took 0.2-0.8 ms here, reading every process's environment 9-13 ms (90 of them)."""
    pids = psutil.pids()
    newest = _newest_pid()  # read after the list: every pid in it born since is at most this
    if first is None or leader is None or newest is None or newest < leader:
        return pids
    return [pid for pid in pids if first <= pid <= newest]


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def _newest_pid() -> int | None:
    """The pid handed out last, or None where the system does not say."""
    try:
        with open(_LOADAVG) as loadavg:
            return int(loadavg.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None
