"""A runbook's ProbeSpec (kept as written) -> a validated ProbeConfig the scheduler runs.

Every problem is a ProbeConfigError naming the option it is about (and, for a condition, which
one and the column inside it), so the runbook validator can report file:line:col.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeGuard
from urllib.parse import urlsplit

from warroom.runbook.model import ProbeSpec
from warroom.runbook.timeparse import parse_duration

from .address import split_host_port
from .conditions import Condition, ConditionError, parse_condition

KINDS = ("http", "tcp", "dns", "tls", "command", "host")
HOST_METRICS = ("cpu", "memory", "disk", "load")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
DNS_RECORDS = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "PTR", "SRV", "CAA")

DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 5.0
DEFAULT_FAIL_AFTER = 3
DEFAULT_RECOVER_AFTER = 2
MIN_INTERVAL = 0.1  # seconds; below this a probe would be a load test

DEFAULT_EXPECT = {
    "http": "[STATUS] < 400",
    "tcp": "[CONNECTED] == true",
    "dns": "[DNS_RCODE] == NOERROR",
    "tls": "[CERTIFICATE_EXPIRATION] > 48h",
    "command": "[STATUS] == 0",
}
# (warn_above, fail_above), after glances' warning / critical levels; load is per CPU core.
DEFAULT_THRESHOLDS = {"cpu": (70.0, 90.0), "memory": (70.0, 90.0), "disk": (70.0, 90.0), "load": (1.0, 5.0)}

COMMON_OPTIONS = ("interval", "timeout", "fail_after", "recover_after", "expect", "warn")
KIND_OPTIONS = {
    "http": ("method", "headers", "body", "insecure", "ca", "follow_redirects"),
    "tcp": (),
    "dns": ("record", "nameserver"),
    "tls": ("insecure", "ca"),
    "command": (),
    "host": ("warn_above", "fail_above", "path"),
}


class ProbeConfigError(ValueError):
    """A bad probe option. `option_key` names it ('timeout', 'expect'); for a condition,
    `index` is its 0-based place in the list and `column` the 1-based column inside it."""

    def __init__(self, message: str, option_key: str | None = None, *, index: int | None = None,
                 column: int | None = None):
        super().__init__(message)
        self.message = message
        self.option_key = option_key
        self.index = index
        self.column = column


@dataclass(frozen=True)
class ProbeConfig:
    name: str
    kind: str
    target: str
    interval: float = DEFAULT_INTERVAL  # seconds between the end of one check and the next
    timeout: float = DEFAULT_TIMEOUT  # seconds
    fail_after: int = DEFAULT_FAIL_AFTER
    recover_after: int = DEFAULT_RECOVER_AFTER
    expect: tuple[Condition, ...] = ()
    warn: tuple[Condition, ...] = ()
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))  # kind-specific


def default_expect(kind: str) -> tuple[Condition, ...]:
    """The condition a probe of this kind is judged by when its `expect` is absent."""
    return (parse_condition(DEFAULT_EXPECT[kind]),) if kind in DEFAULT_EXPECT else ()


def to_config(spec: ProbeSpec | ProbeConfig) -> ProbeConfig:
    """The validated config; raises the first ProbeConfigError."""
    if isinstance(spec, ProbeConfig):
        return spec
    config, problems = _build(spec)
    if config is None:  # there is no config exactly when there are problems
        raise problems[0]
    return config


def config_problems(spec: ProbeSpec) -> list[ProbeConfigError]:
    """Every problem with the spec (empty when it is valid)."""
    return _build(spec)[1]


def _build(spec: ProbeSpec) -> tuple[ProbeConfig | None, list[ProbeConfigError]]:
    problems: list[ProbeConfigError] = []

    def problem(message: str, key: str | None, **where: int) -> None:
        problems.append(ProbeConfigError(message, key, **where))

    kind = spec.kind
    if kind not in KINDS:
        problem(f"unknown probe kind '{kind}'; use one of {', '.join(KINDS)}", None)
        return None, problems
    options = dict(spec.options or {})
    allowed = COMMON_OPTIONS + KIND_OPTIONS[kind]
    for key in options:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else f"; {kind} probes take {', '.join(allowed)}"
            problem(f"unknown option '{key}' for a {kind} probe{hint}", key)
    _check_target(kind, spec.target, problem)
    interval = _seconds(options, "interval", DEFAULT_INTERVAL, problem)
    if interval is not None and interval < MIN_INTERVAL:
        problem(f"interval must be at least {MIN_INTERVAL * 1000:g}ms", "interval")
    timeout = _seconds(options, "timeout", DEFAULT_TIMEOUT, problem)
    fail_after = _count(options, "fail_after", DEFAULT_FAIL_AFTER, problem)
    recover_after = _count(options, "recover_after", DEFAULT_RECOVER_AFTER, problem)
    expect: tuple[Condition, ...]
    warn: tuple[Condition, ...]
    if kind == "host":
        for key in ("expect", "warn"):
            if key in options:
                problem(f"host probes are judged by warn_above / fail_above, not by {key}", key)
        expect, warn = (), ()
        kind_options = _host_options(spec.target, options, problem)
    else:
        default = (DEFAULT_EXPECT[kind],)
        expect = _conditions(options, "expect", default, problem)
        warn = _conditions(options, "warn", (), problem)
        kind_options = {key: options[key] for key in KIND_OPTIONS[kind] if key in options}
        _check_kind_options(kind, kind_options, problem)
    # Each of these is None only after a problem was reported; checking them narrows their types.
    if problems or interval is None or timeout is None or fail_after is None or recover_after is None:
        return None, problems
    return ProbeConfig(
        name=spec.name, kind=kind, target=spec.target.strip(), interval=interval, timeout=timeout,
        fail_after=fail_after, recover_after=recover_after, expect=expect, warn=warn,
        options=MappingProxyType(kind_options),
    ), problems


def _check_target(kind: str, target: object, problem) -> None:
    if not isinstance(target, str) or not target.strip():
        problem(f"a {kind} probe needs a target", kind)
        return
    try:
        if kind == "http":
            url = urlsplit(target.strip())
            if url.scheme not in ("http", "https") or not url.hostname:
                problem(f"'{target}' is not an http:// or https:// URL", kind)
            else:
                _ = url.port  # read only to raise ValueError for a bad port
        elif kind == "tcp":
            split_host_port(target)
        elif kind == "tls":
            split_host_port(target, default_port=443)
        elif kind == "dns" and (" " in target.strip() or "/" in target):
            problem(f"'{target}' is not a DNS name", kind)
        elif kind == "host" and target.strip() not in HOST_METRICS:
            near = difflib.get_close_matches(target.strip(), HOST_METRICS, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problem(f"unknown host metric '{target}'{hint}; use one of {', '.join(HOST_METRICS)}", kind)
    except ValueError as exc:
        problem(str(exc), kind)


_MILLISECONDS = re.compile(r"(\d+)\s*ms")


def _seconds(options: Mapping, key: str, default: float, problem) -> float | None:
    if key not in options:
        return default
    value = options[key]
    if is_number(value):
        problem(f"{key} needs a unit; write {value:g}s, not {value:g}", key)
        return None
    text = str(value).strip()
    millis = _MILLISECONDS.fullmatch(text)
    try:
        seconds = int(millis[1]) / 1000 if millis else parse_duration(text).total_seconds()
    except ValueError as exc:
        problem(f"{key}: {exc}", key)
        return None
    if seconds <= 0:
        problem(f"{key} must be more than zero", key)
        return None
    return seconds


def _count(options: Mapping, key: str, default: int, problem) -> int | None:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problem(f"{key} must be a whole number of checks, 1 or more (found {value!r})", key)
        return None
    return value


def _conditions(options: Mapping, key: str, default: tuple[str, ...], problem) -> tuple[Condition, ...]:
    raw = options.get(key, default)
    if isinstance(raw, str):
        raw = (raw,)
    if not isinstance(raw, (list, tuple)) or (key == "expect" and not raw):
        problem(f"{key} must be a list of conditions, e.g. {key}: [\"[STATUS] == 200\"]", key)
        return ()
    parsed = []
    for index, text in enumerate(raw):
        if not isinstance(text, str):
            problem(f"{key} condition {index + 1} must be text like \"[STATUS] == 200\", not {text!r}",
                    key, index=index)
            continue
        try:
            parsed.append(parse_condition(text))
        except ConditionError as exc:
            problem(f"{key} condition {index + 1} '{text}': {exc.message}", key, index=index, column=exc.column)
    return tuple(parsed)


def _upper_choice(options: dict, key: str, allowed, what: str, problem) -> None:
    """An option written in any case that must be one of `allowed` (kept upper-cased)."""
    if key in options:
        value = str(options[key]).upper()
        if value not in allowed:
            problem(f"unknown {what} '{options[key]}'; use one of {', '.join(allowed)}", key)
        options[key] = value


def _check_kind_options(kind: str, options: dict, problem) -> None:
    for key in ("insecure", "follow_redirects"):
        if key in options and not isinstance(options[key], bool):
            problem(f"{key} must be true or false", key)
    if "ca" in options and not (isinstance(options["ca"], str) and options["ca"].strip()):
        problem("ca must be the path of a PEM file of trusted certificates", "ca")
    _upper_choice(options, "method", HTTP_METHODS, "HTTP method", problem)
    if "headers" in options:
        headers = options["headers"]
        if not isinstance(headers, Mapping) or not all(isinstance(v, (str, int, float)) for v in headers.values()):
            problem("headers must be a mapping of names to text, e.g. {Accept: application/json}", "headers")
        else:
            options["headers"] = MappingProxyType({str(k): str(v) for k, v in headers.items()})
    if "body" in options and not isinstance(options["body"], (str, Mapping, list, tuple)):
        problem("body must be text or a mapping (sent as JSON)", "body")
    _upper_choice(options, "record", DNS_RECORDS, "DNS record type", problem)
    if "nameserver" in options:
        try:
            host, port = split_host_port(str(options["nameserver"]), default_port=53)
            options["nameserver"] = (host, port)
        except ValueError as exc:
            problem(f"nameserver: {exc}", "nameserver")


def is_number(value: object) -> TypeGuard[float]:
    """An int or a float, but not a bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _host_options(metric: str, options: Mapping, problem) -> dict:
    warn_default, fail_default = DEFAULT_THRESHOLDS.get(str(metric).strip(), (None, None))
    chosen: dict[str, object] = {}
    for key, default in (("warn_above", warn_default), ("fail_above", fail_default)):
        value = options.get(key, default)
        if value is None and key not in options:
            chosen[key] = None  # an unknown metric has no default; that is reported once, at the target
            continue
        if not is_number(value):
            problem(f"{key} must be a number, e.g. {key}: {default:g}" if default is not None
                    else f"{key} must be a number", key)
        chosen[key] = value
    warn, fail = chosen["warn_above"], chosen["fail_above"]
    if is_number(warn) and is_number(fail) and warn > fail:
        problem(f"warn_above ({warn:g}) must not be above fail_above ({fail:g})", "warn_above")
    if "path" in options:
        if str(metric).strip() != "disk":
            problem("path only applies to a disk probe", "path")
        elif not isinstance(options["path"], str) or not options["path"].startswith("/"):
            problem("path must be an absolute path, e.g. path: /var", "path")
        else:
            chosen["path"] = options["path"]
    return chosen
