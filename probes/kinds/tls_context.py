"""SSL contexts for http and tls probes: verify against the system's CAs by default,
against a given PEM file with `ca:`, or not at all with `insecure: true`.

Building a context that loads the system's CAs costs ~20 ms of CPU, so probes with the same
settings share one (an SSLContext is safe to share between connections; callers must not change
it). A `ca:` file's context is rebuilt when the file changes.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Mapping

_CACHE_SIZE = 64  # distinct (insecure, ca file) settings kept; a runbook has a handful
_cache: dict[tuple, ssl.SSLContext] = {}
_lock = threading.Lock()


def make_ssl_context(options: Mapping[str, object]) -> ssl.SSLContext:
    """The (shared, not to be modified) context for these options; CaFileError for a bad `ca:`."""
    insecure = bool(options.get("insecure"))
    ca = options.get("ca")
    key = (insecure, str(ca) if ca else None, _file_stamp(ca) if ca else None)
    with _lock:
        context = _cache.get(key)
    if context is None:
        context = _build(insecure, ca)
        with _lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.clear()
            context = _cache.setdefault(key, context)
    return context


def _file_stamp(path: object) -> tuple[int, int] | None:
    try:
        stat = os.stat(str(path))
    except OSError:
        return None  # _build reports it
    return stat.st_mtime_ns, stat.st_size


def _build(insecure: bool, ca: object) -> ssl.SSLContext:
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=str(ca)) if ca else ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise CaFileError(f"cannot read CA file '{ca}': {getattr(exc, 'strerror', None) or exc}") from None


class CaFileError(Exception):
    """The `ca:` file is missing or not PEM; its message is the operator's sentence."""
