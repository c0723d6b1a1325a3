"""tcp and dns probes against a listener, a closed port and a small nameserver on 127.0.0.1."""

from __future__ import annotations

import errno

from test_probes_support import LOOPBACK, DnsResponder, closed_port, run_probe, spec, tcp_port  # noqa: F401 (fixtures)

from warroom.probes.errors import describe_error


async def test_tcp_connects(tcp_port):
    result, verdict = await run_probe(spec("tcp", f"{LOOPBACK}:{tcp_port}",
                                     expect=("[CONNECTED] == true", "[IP] == 127.0.0.1")))
    assert verdict.ok, verdict.reason
    assert result.value == "connected"
    assert result.response_time_ms is not None and result.response_time_ms < 5000


async def test_tcp_refused(closed_port):
    result, verdict = await run_probe(spec("tcp", f"{LOOPBACK}:{closed_port}"))
    assert result.error == "connection refused"
    assert result.result == {"connected": False}
    assert not verdict.ok and verdict.reason == "connection refused"


async def test_tcp_port_expected_closed(closed_port):
    _, verdict = await run_probe(spec("tcp", f"{LOOPBACK}:{closed_port}", expect=("[CONNECTED] == false",)))
    assert verdict.ok


async def test_dns_a_record():
    with DnsResponder({"db.internal": ["10.1.2.3", "10.1.2.4"]}) as ns:
        result, verdict = await run_probe(spec("dns", "db.internal", nameserver=f"{LOOPBACK}:{ns.port}",
                                         expect=("[DNS_RCODE] == NOERROR", "[BODY] == pat(*10.1.2.3*)")))
    assert verdict.ok, verdict.reason
    assert result.result["dns_rcode"] == "NOERROR"
    assert result.result["body"] == "10.1.2.3, 10.1.2.4"
    assert result.result["ip"] == "10.1.2.3"  # an answer read from the reply; nothing is sent there
    assert result.value == "NOERROR 10.1.2.3, 10.1.2.4"


async def test_dns_nxdomain():
    with DnsResponder({"db.internal": ["10.1.2.3"]}) as ns:
        result, verdict = await run_probe(spec("dns", "nope.internal", nameserver=f"{LOOPBACK}:{ns.port}"))
    assert result.result["dns_rcode"] == "NXDOMAIN"
    assert not verdict.ok
    assert verdict.reason == "[DNS_RCODE] (NXDOMAIN) == NOERROR"


async def test_dns_expecting_nxdomain():
    with DnsResponder({}) as ns:
        _, verdict = await run_probe(spec("dns", "gone.internal", nameserver=f"{LOOPBACK}:{ns.port}",
                                    expect=("[DNS_RCODE] == NXDOMAIN",)))
    assert verdict.ok


async def test_dns_silent_nameserver_times_out():
    with DnsResponder({}, answer=False) as ns:
        result, verdict = await run_probe(spec("dns", "db.internal", nameserver=f"{LOOPBACK}:{ns.port}", timeout="300ms"))
        assert ns.queries >= 1
    assert result.error == "timed out after 300ms"
    assert not verdict.ok


def test_network_unreachable_means_offline():
    sentence, offline = describe_error(OSError(errno.ENETUNREACH, "Network is unreachable"))
    assert offline and "unreachable" in sentence
    sentence, offline = describe_error(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert (sentence, offline) == ("connection refused", False)


def test_errors_are_found_through_the_cause_chain():
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        except OSError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert describe_error(outer) == ("connection refused", False)
