"""The demo's own system under deployment: a tiny web app and a "database" port on 127.0.0.1.

`warroom demo` has no real billing platform to watch, so it starts this one and points the sample
runbook's probes at it (`point_probes_at`). Its `mode` walks through what a cutover looks like
on the probe board: healthy -> slow (the web probe turns DEGRADED) -> failing (HTTP 500 with
status DOWN, the database port refusing connections) -> healthy again.

Loopback only: both listeners bind 127.0.0.1 on ports the OS picks (port 0).
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

from warroom.probes.address import split_host_port
from warroom.runbook.model import ProbeSpec, Runbook

HOST = "127.0.0.1"
MODES = ("healthy", "slow", "failing")
SLOW_DELAY = 0.35  # seconds: above the sample's `warn: [RESPONSE_TIME] < 200`, below `expect: < 500`
SAMPLE_HTTP_PORT = 8080  # where the sample runbooks' http probes look
SAMPLE_TCP_PORT = 5432  # and their tcp probe
JOIN_TIMEOUT = 2.0  # seconds stop() waits for each background thread
ACCEPT_POLL = 0.1  # seconds between checks of the stop flag in the tcp accept loop
REBIND_ATTEMPTS = 20  # tries (50 ms apart) to take the tcp port back after a failing spell

_PHRASES = {
    "healthy": "demo service healthy: fast answers, database port open",
    "slow": "demo service slow: every answer takes ~{delay_ms:.0f} ms",
    "failing": "demo service failing: HTTP 500 (status DOWN), database port refusing connections",
}
_PATHS = {"/healthz", "/api/v1/status"}


class DemoService:
    """Start with `start()` (or `with DemoService() as service:`), stop with `stop()`.

    `slow_delay` (seconds) is how long each answer waits in slow mode; tests that need a wide gap
    between healthy and slow answers pass their own."""

    def __init__(self, version: str = "2.4.0", slow_delay: float = SLOW_DELAY):
        self.version = version
        self.slow_delay = slow_delay
        self._mode = MODES[0]
        self._lock = threading.Lock()  # mode changes and the tcp listener
        self._count_lock = threading.Lock()
        self._stopping = threading.Event()
        self._http: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._tcp: socket.socket | None = None
        self._tcp_thread: threading.Thread | None = None
        self._tcp_port = 0
        self.requests = 0  # HTTP requests answered, for tests and the curious

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> DemoService:
        if self._http is not None:
            return self
        self._stopping.clear()
        service = self

        class Handler(_Handler):
            owner = service

        self._http = ThreadingHTTPServer((HOST, 0), Handler)
        self._http.daemon_threads = True
        self._http_thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.1},
                                             name="demo-service-http", daemon=True)
        self._http_thread.start()
        with self._lock:
            if self._mode != "failing":
                self._open_tcp(0)
            else:  # started while failing: reserve a port now, refuse connections on it
                self._open_tcp(0)
                self._close_tcp()
        return self

    def stop(self) -> None:
        """Stop both listeners and free their ports; safe to call twice."""
        self._stopping.set()  # also cuts a slow answer's delay short
        http, self._http = self._http, None
        if http is not None:
            http.shutdown()
            http.server_close()
        if self._http_thread is not None:
            self._http_thread.join(JOIN_TIMEOUT)
            self._http_thread = None
        with self._lock:
            self._close_tcp()

    def __enter__(self) -> DemoService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._http is not None

    @property
    def http_port(self) -> int:
        if self._http is None:
            raise RuntimeError("the demo service is not running; call start() first")
        return self._http.server_address[1]

    @property
    def tcp_port(self) -> int:
        if self._http is None:
            raise RuntimeError("the demo service is not running; call start() first")
        return self._tcp_port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    # --- modes -----------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> str:
        if mode not in MODES:
            raise ValueError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        with self._lock:
            self._mode = mode
            if self._http is not None:
                if mode == "failing":
                    self._close_tcp()
                elif self._tcp is None:
                    self._open_tcp(self._tcp_port)
        return mode

    def advance(self) -> str:
        """healthy -> slow -> failing -> healthy; returns the new mode."""
        return self.set_mode(MODES[(MODES.index(self._mode) + 1) % len(MODES)])

    def describe(self, mode: str | None = None) -> str:
        """One short phrase for a notification, e.g. 'demo service slow: every answer takes ~350 ms'."""
        return _PHRASES[mode or self._mode].format(delay_ms=self.slow_delay * 1000)

    # --- what the endpoints answer -----------------------------------------------------------

    def answer(self, path: str) -> tuple[int, dict, float]:
        """(HTTP status, JSON body, seconds to wait first) for a GET of `path`."""
        mode = self._mode
        if path not in _PATHS:
            return 404, {"error": f"no such path {path}", "paths": sorted(_PATHS)}, 0.0
        if mode == "failing":
            return 500, {"status": "DOWN", "version": self.version, "error": "database unreachable"}, 0.0
        body: dict[str, object] = {"status": "UP", "version": self.version, "mode": mode}
        if path == "/api/v1/status":
            body["checks"] = {"database": "UP", "cache": "UP"}
        return 200, body, self.slow_delay if mode == "slow" else 0.0

    # --- the tcp listener (the "database") -------------------------------------------------------

    def _open_tcp(self, port: int) -> None:
        """Listen on `port` (0: any free one); called with the lock held."""
        listener = None
        for _attempt in range(REBIND_ATTEMPTS if port else 1):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind((HOST, port))
                break
            except OSError:
                listener.close()
                listener = None
                if self._stopping.wait(0.05):
                    return
        if listener is None:  # someone took the port while we were failing: take another one
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind((HOST, 0))
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL)
        self._tcp = listener
        self._tcp_port = listener.getsockname()[1]
        self._tcp_thread = threading.Thread(target=self._accept_loop, args=(listener,),
                                            name="demo-service-tcp", daemon=True)
        self._tcp_thread.start()

    def _close_tcp(self) -> None:
        """Stop listening so that connects are refused; called with the lock held."""
        listener, self._tcp = self._tcp, None
        thread, self._tcp_thread = self._tcp_thread, None
        if listener is not None:
            listener.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(JOIN_TIMEOUT)

    def _accept_loop(self, listener: socket.socket) -> None:
        # Ends when the listener is closed (failing mode or stop); each pass waits at most ACCEPT_POLL.
        while self._tcp is listener and not self._stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed under us
                return
            connection.close()  # accept and hang up, which is all a tcp probe asks


class _Handler(BaseHTTPRequestHandler):
    owner: DemoService
    server_version = "warroom-demo"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        status, body, delay = self.owner.answer(urlsplit(self.path).path)
        if delay and self.owner._stopping.wait(delay):
            return
        payload = json.dumps(body).encode()
        with self.owner._count_lock:  # counted before the answer leaves, so a client that has it sees it counted
            self.owner.requests += 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the TUI owns the terminal
        pass


def point_probes_at(runbook: Runbook, service: DemoService) -> Runbook:
    """The runbook with the http probes on 127.0.0.1:8080 and the tcp probes on 127.0.0.1:5432
    pointed at the service's ports; every other probe (host probes, other ports) as written."""
    return dataclasses.replace(runbook, probes=tuple(_repoint(spec, service) for spec in runbook.probes))


def _repoint(spec: ProbeSpec, service: DemoService) -> ProbeSpec:
    target = spec.target.strip()
    if spec.kind == "http":
        url = urlsplit(target)
        try:
            port = url.port
        except ValueError:
            return spec
        if _is_loopback(url.hostname) and port == SAMPLE_HTTP_PORT:
            netloc = f"{HOST}:{service.http_port}"
            if url.username or url.password:
                netloc = url.netloc.rsplit("@", 1)[0] + "@" + netloc
            return dataclasses.replace(spec, target=urlunsplit(url._replace(netloc=netloc)))
    elif spec.kind == "tcp":
        try:
            host, port = split_host_port(target)
        except ValueError:
            return spec
        if _is_loopback(host) and port == SAMPLE_TCP_PORT:
            return dataclasses.replace(spec, target=f"{HOST}:{service.tcp_port}")
    return spec


def _is_loopback(host: str | None) -> bool:
    return host in (HOST, "localhost")
