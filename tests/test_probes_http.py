"""http and tls probes against real servers on 127.0.0.1 (plain and with a test CA)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from test_probes_support import (  # noqa: F401 (fixtures)
    LOOPBACK,
    certs,
    closed_port,
    http_server,
    http_url,
    https_url,
    make_certs,
    run_probe,
    spec,
)

from warroom.probes.kinds.certs import certificate_not_after


async def test_json_endpoint_with_body_conditions(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/json", expect=(
        "[STATUS] == 200", "[BODY].status == UP", "len([BODY].data.items) == 3", "[RESPONSE_TIME] < 5s",
        "[IP] == 127.0.0.1", "[CONNECTED] == true")))
    assert verdict.ok and not verdict.degraded, verdict.reason
    assert result.value == "200 OK"
    assert result.error is None
    assert 0 < result.response_time_ms < 5000
    assert json.loads(result.result["body"])["data"]["name"] == "john"


async def test_default_condition_fails_on_500_with_a_gatus_explanation(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/fail"))
    assert not verdict.ok
    assert verdict.reason == "[STATUS] (500) < 400"
    assert result.value == "500 Internal Server Error"


async def test_non_json_body_with_a_path_is_invalid_not_an_error(http_url):
    _, verdict = await run_probe(spec("http", f"{http_url}/text", expect=("[BODY].status == UP",)))
    assert not verdict.ok
    assert verdict.reason == "[BODY].status (INVALID) == UP"


async def test_pattern_on_a_text_body(http_url):
    _, verdict = await run_probe(spec("http", f"{http_url}/text", expect=("[BODY] == pat(*OK*)",)))
    assert verdict.ok


async def test_warn_makes_it_degraded(http_url):
    _, verdict = await run_probe(spec("http", f"{http_url}/json", warn=("[RESPONSE_TIME] < 0",)))
    assert verdict.ok and verdict.degraded
    assert verdict.reason.startswith("[RESPONSE_TIME] (") and verdict.reason.endswith(") < 0")


async def test_slow_response_times_out(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/slow", timeout="500ms"))
    assert result.error == "timed out after 500ms"
    assert not verdict.ok and verdict.reason == "timed out after 500ms"


async def test_slow_response_latency_is_measured(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/slow", expect=("[RESPONSE_TIME] > 1500",)))
    assert verdict.ok, verdict.reason
    assert result.response_time_ms >= 1900


async def test_post_with_headers_and_json_body(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/echo", method="POST", headers={"X-Token": "abc"},
                                     body={"ping": 1}, expect=("[STATUS] == 201", "[BODY].token == abc")))
    assert verdict.ok, verdict.reason
    assert json.loads(json.loads(result.result["body"])["body"]) == {"ping": 1}


async def test_redirects_are_followed_unless_told_not_to(http_url):
    _, followed = await run_probe(spec("http", f"{http_url}/redirect", expect=("[STATUS] == 200",)))
    assert followed.ok
    result, _ = await run_probe(spec("http", f"{http_url}/redirect", follow_redirects=False))
    assert result.result["status"] == 302


async def test_a_huge_body_is_capped(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/big", expect=("len([BODY]) == 1048576",)))
    assert verdict.ok, verdict.reason


async def test_connection_refused(closed_port):
    result, verdict = await run_probe(spec("http", f"http://{LOOPBACK}:{closed_port}/"))
    assert result.error == "connection refused"
    assert result.result == {"connected": False}
    assert not verdict.ok and verdict.reason == "connection refused"
    assert not verdict.offline


async def test_head_request(http_url):
    result, verdict = await run_probe(spec("http", f"{http_url}/json", method="HEAD", expect=("[STATUS] == 200",)))
    assert verdict.ok and result.result["body"] == ""


# --- TLS ---------------------------------------------------------------------------------------

async def test_https_with_an_unknown_ca_fails_verification(https_url):
    result, verdict = await run_probe(spec("http", f"{https_url}/json"))
    assert result.error.startswith("TLS certificate verify failed: ")
    assert "unable to get local issuer certificate" in result.error or "self" in result.error
    assert not verdict.ok and verdict.reason == result.error


async def test_https_insecure_skips_verification(https_url):
    _, verdict = await run_probe(spec("http", f"{https_url}/json", insecure=True, expect=("[STATUS] == 200",)))
    assert verdict.ok, verdict.reason


async def test_https_verifies_against_a_given_ca(https_url, certs):
    _, verdict = await run_probe(spec("http", f"{https_url}/json", ca=str(certs.ca_path), expect=("[STATUS] == 200",)))
    assert verdict.ok, verdict.reason


async def test_a_missing_ca_file_is_a_clear_error(https_url, tmp_path):
    result, verdict = await run_probe(spec("http", f"{https_url}/json", ca=str(tmp_path / "nope.pem")))
    assert result.error.startswith("cannot read CA file")
    assert not verdict.ok


async def test_tls_probe_reads_the_expiry(https_url, certs):
    port = https_url.rsplit(":", 1)[1]
    result, verdict = await run_probe(spec("tls", f"{LOOPBACK}:{port}", ca=str(certs.ca_path)))
    assert verdict.ok, verdict.reason
    days_left = result.result["certificate_expiration_ms"] / 86_400_000
    assert 29 < days_left <= 30
    assert result.value.startswith("expires in 30d") or result.value.startswith("expires in 29d")


async def test_tls_probe_verifies_by_default(https_url):
    port = https_url.rsplit(":", 1)[1]
    result, verdict = await run_probe(spec("tls", f"{LOOPBACK}:{port}"))
    assert result.error.startswith("TLS certificate verify failed")
    assert "certificate_expiration_ms" not in result.result
    assert not verdict.ok


async def test_tls_probe_insecure_reads_an_unverified_certificate(https_url):
    port = https_url.rsplit(":", 1)[1]
    result, verdict = await run_probe(spec("tls", f"{LOOPBACK}:{port}", insecure=True))
    assert verdict.ok, verdict.reason
    assert result.result["certificate_expiration_ms"] > 48 * 3_600_000


async def test_tls_probe_on_a_certificate_expiring_soon(tmp_path):
    soon = make_certs(tmp_path / "soon", valid_for=timedelta(hours=20))
    with http_server(soon.server_context()) as url:
        port = url.rsplit(":", 1)[1]
        result, verdict = await run_probe(spec("tls", f"{LOOPBACK}:{port}", ca=str(soon.ca_path)))
    assert not verdict.ok
    assert verdict.reason.startswith("[CERTIFICATE_EXPIRATION] (") and verdict.reason.endswith(") > 48h")
    assert result.value.startswith("expires in 20h") or result.value.startswith("expires in 19h")


async def test_an_expired_certificate(tmp_path):
    expired = make_certs(tmp_path / "expired", valid_for=timedelta(days=-3))
    with http_server(expired.server_context()) as url:
        port = url.rsplit(":", 1)[1]
        verified, _ = await run_probe(spec("tls", f"{LOOPBACK}:{port}", ca=str(expired.ca_path)))
        unverified, verdict = await run_probe(spec("tls", f"{LOOPBACK}:{port}", insecure=True))
    assert verified.error == "TLS certificate verify failed: certificate has expired"
    assert unverified.result["certificate_expiration_ms"] < 0
    assert unverified.value.startswith("expired ")
    assert not verdict.ok


def test_der_expiry_matches_cryptography(certs):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(certs.cert_path.read_bytes())
    assert certificate_not_after(cert.public_bytes(Encoding.DER)) == cert.not_valid_after_utc


def test_der_expiry_rejects_garbage():
    with pytest.raises(ValueError):
        certificate_not_after(b"\x30\x03\x02\x01\x01")
    with pytest.raises(ValueError):
        certificate_not_after(b"")


def test_generalized_time_after_2049(tmp_path):
    far = make_certs(tmp_path / "far", valid_for=timedelta(days=365 * 40))
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(far.cert_path.read_bytes())
    not_after = certificate_not_after(cert.public_bytes(Encoding.DER))
    assert not_after == cert.not_valid_after_utc
    assert not_after > datetime(2050, 1, 1, tzinfo=UTC)
