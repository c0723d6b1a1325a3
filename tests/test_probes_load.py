"""What keeps many probes cheap: shared SSL contexts and first checks spread over the interval."""

from __future__ import annotations

import asyncio
import os
import ssl

import pytest
from test_probes_support import make_certs, spec

from warroom.probes import ProbeScheduler
from warroom.probes.kinds.tls_context import CaFileError, make_ssl_context
from warroom.probes.scheduler import START_RATE


def test_probes_with_the_same_settings_share_one_ssl_context():
    first, second = make_ssl_context({}), make_ssl_context({"follow_redirects": False})
    assert first is second
    assert first.verify_mode == ssl.CERT_REQUIRED
    insecure = make_ssl_context({"insecure": True})
    assert insecure is not first and insecure.verify_mode == ssl.CERT_NONE
    assert make_ssl_context({"insecure": True}) is insecure


def test_a_ca_file_context_is_rebuilt_when_the_file_changes(tmp_path):
    certs = make_certs(tmp_path)
    context = make_ssl_context({"ca": str(certs.ca_path)})
    assert make_ssl_context({"ca": str(certs.ca_path)}) is context
    stat = certs.ca_path.stat()
    os.utime(certs.ca_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert make_ssl_context({"ca": str(certs.ca_path)}) is not context
    with pytest.raises(CaFileError):
        make_ssl_context({"ca": str(tmp_path / "missing.pem")})


@pytest.mark.parametrize("count, interval, spread", [
    (4, "30s", 3 / START_RATE),  # a handful start at once (within 30 ms)
    (200, "1s", 1.0 * 199 / 200),  # many: spread over one interval
    (200, "30s", 199 / START_RATE),  # many, slow interval: at most START_RATE a second
])
async def test_first_checks_are_spread_not_one_burst(count, interval, spread):
    scheduler = ProbeScheduler([spec("tcp", "127.0.0.1:9", name=f"p{i}", interval=interval) for i in range(count)],
                               on_status=lambda s: None, on_transition=lambda t: None)
    dues: list[float] = []

    async def record(name: str, due: float) -> None:
        dues.append(due)

    scheduler._run_forever = record  # only the start times, no traffic
    await scheduler.start()
    await asyncio.sleep(0)  # let the loops begin
    await scheduler.stop()
    assert len(dues) == count
    assert dues == sorted(dues)
    assert max(dues) - min(dues) == pytest.approx(spread)
