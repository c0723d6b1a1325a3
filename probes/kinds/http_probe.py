"""http: one request with httpx; status, body, peer IP and latency for the conditions."""

from __future__ import annotations

from collections.abc import Mapping
from time import perf_counter
from types import MappingProxyType
from typing import TypedDict

import httpx

from ..result import ProbeResult, failed
from ..spec import ProbeConfig
from .base import Check
from .tls_context import CaFileError, make_ssl_context

MAX_BODY = 1024 * 1024  # bytes kept for conditions; a health endpoint answering more is cut


class HttpCheck(Check):
    FAILURE_VALUES = MappingProxyType({"connected": False})

    def __init__(self, config):
        super().__init__(config)
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = new_client(self.config)
        return self._client

    async def check(self) -> ProbeResult:
        try:
            client = self._get_client()
        except CaFileError as exc:
            return failed(str(exc), **self.FAILURE_VALUES)
        options = self.config.options
        connect_started: list[float] = []

        async def trace(event: str, info: Mapping) -> None:
            if event == "connection.connect_tcp.started" and not connect_started:
                connect_started.append(perf_counter())

        headers = options.get("headers")  # a read-only mapping of text to text, from the spec
        request_started = perf_counter()
        async with client.stream(
            str(options.get("method", "GET")), self.config.target,
            headers=dict(headers) if isinstance(headers, Mapping) else {}, extensions={"trace": trace},
            **_body_arguments(options.get("body")),
        ) as response:
            ip = _peer_ip(response)
            body = await _read_capped(response)
        finished = perf_counter()
        # From the start of the connection (not of httpx's own set-up) to the last byte.
        elapsed_ms = (finished - (connect_started[0] if connect_started else request_started)) * 1000
        values: dict[str, object] = {"status": response.status_code, "body": body, "connected": True,
                                     "response_time_ms": elapsed_ms}
        if ip:
            values["ip"] = ip
        summary = f"{response.status_code} {response.reason_phrase}".strip()
        return ProbeResult(result=MappingProxyType(values), value=summary, response_time_ms=elapsed_ms)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def new_client(config: ProbeConfig) -> httpx.AsyncClient:
    """The client one http probe uses for all its checks (the probe bench's baseline uses the same);
    CaFileError for a bad `ca:` file."""
    options = config.options
    return httpx.AsyncClient(
        verify=make_ssl_context(options),
        timeout=httpx.Timeout(config.timeout),
        follow_redirects=bool(options.get("follow_redirects", True)),
        max_redirects=5,
        # No keep-alive: every check opens a fresh connection, as a new user would,
        # and latency always includes the connect.
        limits=httpx.Limits(max_keepalive_connections=0),
        # Probe the target directly: no proxies or certificate paths from the environment.
        trust_env=False,
    )


class _BodyArguments(TypedDict, total=False):
    """The keyword arguments of httpx's request that carry a body: text as is, the rest as JSON."""

    content: bytes
    json: object


def _body_arguments(body: object) -> _BodyArguments:
    if body is None:
        return {}
    if isinstance(body, str):
        return {"content": body.encode()}
    return {"json": _plain(body)}


def _plain(value: object) -> object:
    """Read-only mappings and tuples from the runbook as JSON-serialisable dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _peer_ip(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    try:
        address = stream.get_extra_info("server_addr") if stream is not None else None
    except Exception:  # noqa: BLE001 - the peer address is a nice-to-have
        return None
    return str(address[0]) if address else None


async def _read_capped(response: httpx.Response) -> str:
    kept = bytearray()
    async for chunk in response.aiter_bytes():  # ends at EOF or MAX_BODY; the check's timeout bounds time
        kept += chunk[: MAX_BODY - len(kept)]
        if len(kept) >= MAX_BODY:
            break
    return kept.decode(response.encoding or "utf-8", errors="replace")
