"""Servers on 127.0.0.1 for the probe tests (no tests here). Every server binds port 0 on
loopback and is stopped by its fixture; every loop is bounded by a stop flag and a timeout."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from warroom.runbook.model import ProbeSpec

LOOPBACK = "127.0.0.1"
JSON_BODY = {"status": "UP", "data": {"name": "john", "items": [1, 2, 3]}, "errors": None}


async def run_probe(probe_spec: ProbeSpec):
    """One real check of `probe_spec`: its result and how it is judged."""
    from warroom.probes import judge, make_check, to_config

    config = to_config(probe_spec)
    check = make_check(config)
    try:
        result = await check.run()
    finally:
        await check.aclose()
    return result, judge(config, result)


def spec(kind: str, target: str, name: str = "p", **options) -> ProbeSpec:
    return ProbeSpec(name, kind, target, MappingProxyType(options))


# --- HTTP ------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/json":
            self._send(200, json.dumps(JSON_BODY).encode())
        elif path == "/text":
            self._send(200, b"All systems OK\n", "text/plain")
        elif path == "/fail":
            self._send(500, b'{"error": "boom"}')
        elif path == "/slow":
            time.sleep(2.0)
            self._send(200, b"slow but fine", "text/plain")
        elif path == "/redirect":
            self._send(302, b"", Location="/json")
        elif path == "/big":
            self._send(200, b"x" * (3 * 1024 * 1024), "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    do_HEAD = do_GET

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        echo = {"method": "POST", "body": body.decode(), "token": self.headers.get("X-Token")}
        self._send(201, json.dumps(echo).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping must not hold up shutdown

    def handle_error(self, request, client_address):
        # Probes that time out or stop reading hang up on purpose; anything else is shown.
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            super().handle_error(request, client_address)


@contextmanager
def http_server(context: ssl.SSLContext | None = None):
    """Yields the base URL of a server on 127.0.0.1 (https when `context` is given)."""
    server = _Server((LOOPBACK, 0), _Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if context else "http"
    try:
        yield f"{scheme}://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def http_url():
    with http_server() as url:
        yield url


# --- certificates ----------------------------------------------------------------------------

@dataclass
class Certs:
    ca_path: Path
    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


def make_certs(folder: Path, valid_for: timedelta = timedelta(days=30)) -> Certs:
    """A CA and a server certificate for localhost / 127.0.0.1 signed by it, valid from a day
    ago for `valid_for` (negative: already expired)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "warroom test CA")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=2)).not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = now + valid_for
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(min(now - timedelta(days=1), not_after - timedelta(days=1))).not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    certs = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    certs.ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certs.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    certs.key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return certs


@pytest.fixture
def certs(tmp_path) -> Certs:
    return make_certs(tmp_path / "certs")


@pytest.fixture
def https_url(certs):
    with http_server(certs.server_context()) as url:
        yield url


# --- TCP -------------------------------------------------------------------------------------

@pytest.fixture
def tcp_port():
    """A listening port: the kernel completes connections from the backlog, no accept needed."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(64)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port():
    """A port nothing listens on (bound, then released)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind((LOOPBACK, 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# --- DNS -------------------------------------------------------------------------------------

class DnsResponder:
    """A tiny UDP nameserver: A records from `records`, NXDOMAIN for anything else."""

    def __init__(self, records: dict[str, list[str]], answer: bool = True):
        self.records = {name.rstrip(".").lower(): addresses for name, addresses in records.items()}
        self.answer = answer
        self.queries = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _serve(self):
        while not self._stop.is_set():  # bounded by the stop flag, checked every 50 ms
            try:
                wire, peer = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            self.queries += 1
            if not self.answer:
                continue  # a nameserver that never answers
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            question = query.question[0]
            addresses = self.records.get(question.name.to_text().rstrip(".").lower())
            if addresses is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif question.rdtype == dns.rdatatype.A:
                response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", "A", addresses))
            self.sock.sendto(response.to_wire(), peer)


# --- processes -------------------------------------------------------------------------------

def live_members(pgid: int) -> list[int]:
    """Pids still in process group `pgid`, zombies excluded (a container's init may not reap)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def wait_until(predicate, timeout: float = 5.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # bounded by `timeout`
        if predicate():
            return True
        time.sleep(step)
    return predicate()
