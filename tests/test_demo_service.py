"""The demo's own service on 127.0.0.1: real requests, real connects and the real probes, per mode."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from support import SAMPLES

from warroom.probes import ProbeScheduler, ProbeState
from warroom.runbook import load
from warroom.tui.demo_service import MODES, DemoService, point_probes_at

WEB_CUTOVER = SAMPLES / "web-cutover.yaml"


@pytest.fixture
def service():
    with DemoService() as running:
        yield running


def can_connect(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0):
            return True
    except ConnectionRefusedError:
        return False


def get(service: DemoService, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = httpx.get(f"{service.base_url}{path}", timeout=5.0, trust_env=False)
    return response, time.perf_counter() - started


async def run_probes(runbook, times: int = 1) -> dict[str, object]:
    scheduler = ProbeScheduler(runbook.probes, on_status=lambda s: None, on_transition=lambda t: None)
    try:
        for _ in range(times):
            statuses = await scheduler.run_once()
    finally:
        await scheduler.stop()
    return {status.name: status for status in statuses}


def test_binds_loopback_on_free_ports(service):
    assert service.running
    assert service.http_port not in (0, 8080) and service.tcp_port not in (0, 5432)
    assert service.http_port != service.tcp_port
    assert service.base_url == f"http://127.0.0.1:{service.http_port}"


def test_healthy_answers_at_once_with_status_up(service):
    assert service.mode == "healthy"
    for path in ("/healthz", "/api/v1/status"):
        assert service.answer(path)[2] == 0  # no delay planned (a busy machine may still be slow)
        response, _ = get(service, path)
        assert response.status_code == 200
        assert response.json()["status"] == "UP"
    assert get(service, "/nope")[0].status_code == 404
    assert can_connect(service.tcp_port)
    assert service.requests == 3


def test_slow_delays_answers_but_stays_up(service):
    assert service.advance() == "slow"
    delay = service.answer("/healthz")[2]
    response, elapsed = get(service, "/healthz")
    assert response.status_code == 200 and response.json()["status"] == "UP"
    assert delay >= 0.3 and elapsed >= delay  # it really waited before answering
    assert can_connect(service.tcp_port)


def test_failing_answers_500_down_and_refuses_connections(service):
    port = service.tcp_port
    service.set_mode("failing")
    for path in ("/healthz", "/api/v1/status"):
        response, _ = get(service, path)
        assert response.status_code == 500
        assert response.json()["status"] == "DOWN"
    assert not can_connect(port)
    assert service.advance() == "healthy"
    assert service.tcp_port == port  # the same port comes back, so repointed probes still fit
    assert can_connect(port)
    assert get(service, "/healthz")[0].status_code == 200


def test_advance_cycles_and_describes_every_mode(service):
    seen = [service.mode]
    for _ in range(len(MODES)):
        seen.append(service.advance())
    assert seen == ["healthy", "slow", "failing", "healthy"]
    phrases = {mode: service.describe(mode) for mode in MODES}
    assert len(set(phrases.values())) == 3
    assert all(phrase and len(phrase) < 100 and "\n" not in phrase for phrase in phrases.values())
    assert "slow" in phrases["slow"] and "500" in phrases["failing"]
    assert service.describe() == phrases["healthy"]
    with pytest.raises(ValueError):
        service.set_mode("on fire")


def test_point_probes_at_rewrites_only_the_sample_targets(service):
    runbook = load(WEB_CUTOVER)
    pointed = point_probes_at(runbook, service)
    targets = {spec.name: spec.target for spec in pointed.probes}
    assert targets == {
        "web": f"http://127.0.0.1:{service.http_port}/healthz",
        "api": f"http://127.0.0.1:{service.http_port}/api/v1/status",
        "db": f"127.0.0.1:{service.tcp_port}",
        "host-cpu": "cpu",
    }
    by_name = {spec.name: spec for spec in runbook.probes}
    for spec in pointed.probes:  # everything else as written
        assert spec.options == by_name[spec.name].options
        assert spec.marks == by_name[spec.name].marks
        assert (spec.line, spec.col) == (by_name[spec.name].line, by_name[spec.name].col)
    assert pointed.probes[3] is runbook.probes[3]
    assert pointed.steps == runbook.steps and pointed.sha256 == runbook.sha256
    # Other ports (the db-migration sample's legacy Oracle on 1521) are left alone.
    migration = point_probes_at(load(SAMPLES / "db-migration.yaml"), service)
    assert {s.name: s.target for s in migration.probes}["legacy-db"] == "127.0.0.1:1521"


async def test_the_sample_probes_follow_the_modes(service):
    runbook = point_probes_at(load(WEB_CUTOVER), service)

    healthy = await run_probes(runbook)
    for name in ("web", "api", "db"):
        assert healthy[name].state is ProbeState.UP, (name, healthy[name].failed_condition)

    service.advance()
    slow = await run_probes(runbook)
    assert slow["web"].state is ProbeState.DEGRADED
    assert slow["web"].failed_condition.startswith("[RESPONSE_TIME] (") and "< 200" in slow["web"].failed_condition
    assert slow["api"].state is ProbeState.UP and slow["db"].state is ProbeState.UP

    service.advance()
    failing = await run_probes(runbook)
    assert failing["web"].state is ProbeState.PENDING  # first failure: not yet DOWN
    assert failing["web"].failed_condition == "[STATUS] (500) == 200"
    assert failing["api"].failed_condition == "[STATUS] (500) == 200"
    assert "refused" in failing["db"].failed_condition
    down = await run_probes(runbook, times=3)  # fail_after defaults to 3
    assert {down[name].state for name in ("web", "api", "db")} == {ProbeState.DOWN}


def test_stop_frees_the_ports():
    service = DemoService().start()
    http_port, tcp_port = service.http_port, service.tcp_port
    service.advance()  # slow: stop() must not wait out a delayed answer either
    service.stop()
    service.stop()  # twice is fine
    assert not service.running
    for port in (http_port, tcp_port):
        assert not can_connect(port)
        with socket.socket() as probe:  # the port can be bound again at once
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError):
        _ = service.http_port


def test_starting_in_failing_mode_refuses_connections():
    service = DemoService()
    service.set_mode("failing")
    with service:
        assert get(service, "/healthz")[0].status_code == 500
        assert not can_connect(service.tcp_port)
        service.advance()
        assert can_connect(service.tcp_port)
