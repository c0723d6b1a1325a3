"""Targets as operators write them: 'db.internal:5432', '[::1]:443', 'https://host/path'."""

from __future__ import annotations

from urllib.parse import urlsplit


def split_host_port(target: str, default_port: int | None = None) -> tuple[str, int]:
    """('db.internal', 5432) for 'db.internal:5432'; ValueError with a hint when it is not."""
    text = target.strip()
    if "://" in text:
        url = urlsplit(text)
        if not url.hostname:
            raise ValueError(f"'{target}' has no host")
        port = url.port or {"https": 443, "http": 80}.get(url.scheme) or default_port
        if port is None:
            raise ValueError(f"'{target}' has no port; write host:port")
        return url.hostname, port
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""  # no port, or a bare IPv6 address
    if not host:
        raise ValueError(f"'{target}' has no host; write host:port, e.g. db.internal:5432")
    if not port_text:
        if default_port is None:
            raise ValueError(f"'{target}' has no port; write host:port, e.g. {host}:5432")
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"'{port_text}' in '{target}' is not a port (1-65535)")
    return host, int(port_text)
