"""dns: ask one nameserver for one record; the response code and the answers."""

from __future__ import annotations

from time import perf_counter
from types import MappingProxyType

import dns.asyncquery
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver

from ..result import ProbeResult, failed
from .base import Check


class DnsCheck(Check):
    async def check(self) -> ProbeResult:
        configured = self.config.options.get("nameserver")  # (host, port) once the spec is checked
        nameserver = configured if isinstance(configured, tuple) else _system_nameserver()
        if nameserver is None:
            return failed("no nameserver configured on this machine; set nameserver: IP[:PORT]")
        where, port = nameserver
        record = dns.rdatatype.from_text(str(self.config.options.get("record", "A")))
        query = dns.message.make_query(self.config.target, record)
        started = perf_counter()
        response, _ = await dns.asyncquery.udp_with_fallback(query, where, timeout=self.config.timeout, port=port)
        elapsed_ms = (perf_counter() - started) * 1000
        rcode = dns.rcode.to_text(response.rcode())
        answers = _answers(response, record)
        values: dict[str, object] = {"dns_rcode": rcode, "body": ", ".join(answers), "response_time_ms": elapsed_ms}
        if answers and record in (dns.rdatatype.A, dns.rdatatype.AAAA):
            values["ip"] = answers[0]
        summary = rcode if not answers else f"{rcode} {', '.join(answers)}"
        return ProbeResult(result=MappingProxyType(values), value=summary, response_time_ms=elapsed_ms)


def _answers(response: dns.message.Message, record: dns.rdatatype.RdataType) -> list[str]:
    """Answers of the asked type (a CNAME chain before them is left out), sorted: a record set
    has no order, and `[BODY] == 10.0.0.1, 10.0.0.2` must not flap."""
    texts = []
    for rrset in response.answer:
        if rrset.rdtype != record:
            continue
        for rdata in rrset:
            if record == dns.rdatatype.TXT:
                texts.append(b"".join(rdata.strings).decode("utf-8", errors="replace"))
            else:
                texts.append(rdata.to_text())
    return sorted(texts)


def _system_nameserver() -> tuple[str, int] | None:
    try:
        resolver = dns.resolver.Resolver()  # reads /etc/resolv.conf
    except dns.resolver.NoResolverConfiguration:
        return None
    servers = [s for s in resolver.nameservers if isinstance(s, str)]
    return (servers[0], resolver.port) if servers else None
