"""ProbeSpec (as written in a runbook) -> validated ProbeConfig; bad options name their key."""

from __future__ import annotations

import pytest
from support import SAMPLES
from test_probes_support import spec

from warroom.probes import ProbeConfigError, config_problems, to_config
from warroom.runbook import load


def test_defaults():
    config = to_config(spec("http", "http://127.0.0.1:8080/healthz", name="web"))
    assert (config.name, config.kind, config.interval, config.timeout) == ("web", "http", 30.0, 5.0)
    assert (config.fail_after, config.recover_after) == (3, 2)
    assert [c.text for c in config.expect] == ["[STATUS] < 400"]
    assert config.warn == ()


@pytest.mark.parametrize("kind, target, default", [
    ("tcp", "127.0.0.1:5432", "[CONNECTED] == true"),
    ("dns", "db.internal", "[DNS_RCODE] == NOERROR"),
    ("tls", "127.0.0.1:443", "[CERTIFICATE_EXPIRATION] > 48h"),
    ("command", "true", "[STATUS] == 0"),
])
def test_default_conditions(kind, target, default):
    assert [c.text for c in to_config(spec(kind, target)).expect] == [default]


def test_options_are_read():
    config = to_config(spec("http", "https://127.0.0.1/x", interval="1m", timeout="500ms", fail_after=5,
                            recover_after=1, expect=("[STATUS] == 200",), warn=("[RESPONSE_TIME] < 200",),
                            method="post", headers={"X-Token": "t"}, insecure=True))
    assert (config.interval, config.timeout, config.fail_after, config.recover_after) == (60.0, 0.5, 5, 1)
    assert [c.text for c in config.warn] == ["[RESPONSE_TIME] < 200"]
    assert config.options["method"] == "POST"
    assert dict(config.options["headers"]) == {"X-Token": "t"}


@pytest.mark.parametrize("written, seconds", [
    ("250ms", 0.25), ("250 ms", 0.25), ("1500ms", 1.5), ("2s", 2.0), ("3m", 180.0), ("1h", 3_600.0),
    ("1d", 86_400.0), ("1h30m", 5_400.0), ("0:05", 300.0),
])
def test_interval_and_timeout_read_every_unit_exactly(written, seconds):
    config = to_config(spec("tcp", "127.0.0.1:5432", interval=written, timeout=written))
    assert (config.interval, config.timeout) == (seconds, seconds)


def test_host_thresholds_default_and_explicit():
    cpu = to_config(spec("host", "cpu"))
    assert (cpu.options["warn_above"], cpu.options["fail_above"]) == (70.0, 90.0)
    load_config = to_config(spec("host", "load"))
    assert (load_config.options["warn_above"], load_config.options["fail_above"]) == (1.0, 5.0)
    disk = to_config(spec("host", "disk", warn_above=80, fail_above=95, path="/tmp"))
    assert dict(disk.options) == {"warn_above": 80, "fail_above": 95, "path": "/tmp"}


def test_dns_options():
    config = to_config(spec("dns", "db.internal", record="aaaa", nameserver="127.0.0.1:5353"))
    assert config.options["record"] == "AAAA"
    assert config.options["nameserver"] == ("127.0.0.1", 5353)
    assert to_config(spec("dns", "x", nameserver="127.0.0.1")).options["nameserver"] == ("127.0.0.1", 53)


@pytest.mark.parametrize("kind, target, options, key, fragment", [
    ("http", "http://x", {"intervall": "30s"}, "intervall", "did you mean 'interval'?"),
    ("http", "http://x", {"timeout": 5}, "timeout", "write 5s, not 5"),
    ("http", "http://x", {"timeout": "soon"}, "timeout", "not a duration"),
    ("http", "http://x", {"interval": "50ms"}, "interval", "at least 100ms"),
    ("http", "http://x", {"fail_after": 0}, "fail_after", "1 or more"),
    ("http", "http://x", {"recover_after": True}, "recover_after", "1 or more"),
    ("http", "http://x", {"expect": ()}, "expect", "list of conditions"),
    ("http", "http://x", {"method": "FETCH"}, "method", "unknown HTTP method"),
    ("http", "http://x", {"insecure": "yes"}, "insecure", "true or false"),
    ("http", "ftp://x", {}, "http", "not an http:// or https:// URL"),
    ("tcp", "db.internal", {}, "tcp", "has no port"),
    ("tcp", "db:99999", {}, "tcp", "not a port"),
    ("dns", "x", {"record": "QQ"}, "record", "unknown DNS record type"),
    ("host", "gpu", {}, "host", "unknown host metric 'gpu'"),
    ("host", "cpu", {"warn_above": 95, "fail_above": 90}, "warn_above", "must not be above fail_above"),
    ("host", "cpu", {"expect": ("[STATUS] == 0",)}, "expect", "judged by warn_above"),
    ("host", "cpu", {"path": "/"}, "path", "only applies to a disk probe"),
    ("tcp", "x:1", {"method": "GET"}, "method", "unknown option 'method' for a tcp probe"),
])
def test_bad_options_name_their_key(kind, target, options, key, fragment):
    with pytest.raises(ProbeConfigError) as caught:
        to_config(spec(kind, target, **options))
    assert caught.value.option_key == key
    assert fragment in caught.value.message


def test_a_bad_condition_names_its_index_and_column():
    with pytest.raises(ProbeConfigError) as caught:
        to_config(spec("http", "http://x", expect=("[STATUS] == 200", "[STATSU] == 200")))
    error = caught.value
    assert (error.option_key, error.index, error.column) == ("expect", 1, 1)
    assert "did you mean [STATUS]?" in error.message


def test_every_problem_is_reported():
    problems = config_problems(spec("http", "http://x", timeout="x", warn=("[IP] > 1",), fail_after=0))
    assert {p.option_key for p in problems} == {"timeout", "warn", "fail_after"}


def test_the_sample_runbooks_probes_are_valid():
    specs = [probe for path in sorted(SAMPLES.glob("*.yaml")) for probe in load(path).probes]
    assert specs
    for probe in specs:
        assert config_problems(probe) == [], probe.name
