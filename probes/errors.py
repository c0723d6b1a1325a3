"""Exceptions from sockets, TLS, httpx and dnspython turned into one sentence an operator reads."""

from __future__ import annotations

import errno
import socket
import ssl

import psutil

# errno values that mean this machine has no route anywhere, not that the target is down.
_OFFLINE_ERRNOS = {errno.ENETUNREACH, errno.ENETDOWN}


def format_seconds(seconds: float) -> str:
    """5 -> '5s', 0.5 -> '500ms', 90 -> '90s'."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    return f"{seconds:g}s"


def timed_out(seconds: float) -> str:
    return f"timed out after {format_seconds(seconds)}"


def describe_error(exc: BaseException, timeout: float | None = None) -> tuple[str, bool]:
    """(sentence, offline) for an exception raised by a check."""
    for cause in _chain(exc):
        described = _describe_one(cause, timeout)
        if described:
            return described
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text, False


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, innermost last (bounded: chains can be cyclic)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _describe_one(exc: BaseException, timeout: float | None) -> tuple[str, bool] | None:
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", None) or str(exc)
        return f"TLS certificate verify failed: {reason}", False
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed: {exc.reason or exc}", False
    if isinstance(exc, socket.gaierror):
        if exc.errno == socket.EAI_AGAIN:
            return "name lookup failed (temporary failure in name resolution)", machine_is_offline()
        return "name not found", False
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused", False
    if isinstance(exc, ConnectionResetError):
        return "connection reset by peer", False
    if isinstance(exc, TimeoutError) or type(exc).__name__ in ("Timeout", "ConnectTimeout", "ReadTimeout",
                                                                "WriteTimeout", "PoolTimeout"):
        return (timed_out(timeout) if timeout else "timed out"), False
    if isinstance(exc, OSError) and exc.errno in _OFFLINE_ERRNOS:
        return "network unreachable (this machine looks offline)", True
    if isinstance(exc, OSError) and exc.errno == errno.EHOSTUNREACH:
        return "host unreachable", False
    return None


def machine_is_offline() -> bool:
    """True when no network interface but loopback is up: a failed name lookup then says
    nothing about the target."""
    try:
        stats = psutil.net_if_stats()
    except OSError:
        return False
    return not any(up.isup for name, up in stats.items() if name != "lo" and not name.startswith("lo"))
