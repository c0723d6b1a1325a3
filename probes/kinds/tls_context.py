"""SSL contexts for http and tls probes: verify against the system's CAs by default,
against a given PEM file with `ca:`, or not at all with `insecure: true`."""

from __future__ import annotations

import ssl
from typing import Mapping


def make_ssl_context(options: Mapping[str, object]) -> ssl.SSLContext:
    if options.get("insecure"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    ca = options.get("ca")
    try:
        return ssl.create_default_context(cafile=str(ca)) if ca else ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise CaFileError(f"cannot read CA file '{ca}': {getattr(exc, 'strerror', None) or exc}") from None


class CaFileError(Exception):
    """The `ca:` file is missing or not PEM; its message is the operator's sentence."""
