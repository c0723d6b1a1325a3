"""Is a check's result good, degraded or failing? Conditions for most kinds, thresholds for host."""

from __future__ import annotations

from dataclasses import dataclass

from .result import ProbeResult
from .spec import ProbeConfig, default_expect, is_number


@dataclass(frozen=True)
class Verdict:
    ok: bool  # every `expect` passed (or the host metric is not above fail_above)
    degraded: bool = False  # ok, but a `warn` failed (or the metric is above warn_above)
    reason: str | None = None  # why not fully good: the first failed condition, or the error
    offline: bool = False  # says nothing about the target: this machine has no network


def judge(config: ProbeConfig, result: ProbeResult) -> Verdict:
    if result.offline:
        return Verdict(ok=False, reason=result.error or "this machine is offline", offline=True)
    if config.kind == "host":
        return _judge_threshold(config, result)
    # A config built by hand (a bench, a test) may leave `expect` empty: judge by the default.
    for condition in config.expect or default_expect(config.kind):
        passed, explanation = condition.evaluate(result.result)
        if not passed:
            # The error ("connection refused") says more than "[STATUS] (n/a) == 200".
            return Verdict(ok=False, reason=result.error or explanation)
    for condition in config.warn:
        passed, explanation = condition.evaluate(result.result)
        if not passed:
            return Verdict(ok=True, degraded=True, reason=explanation)
    return Verdict(ok=True)


def _judge_threshold(config: ProbeConfig, result: ProbeResult) -> Verdict:
    if result.metric is None:
        return Verdict(ok=False, reason=result.error or "no reading")
    fail_above = config.options.get("fail_above")
    warn_above = config.options.get("warn_above")
    # Thresholds are numbers once the spec is checked; None means the metric has no default.
    if is_number(fail_above) and result.metric > fail_above:
        return Verdict(ok=False, reason=f"{result.value} > {fail_above:g}")
    if is_number(warn_above) and result.metric > warn_above:
        return Verdict(ok=True, degraded=True, reason=f"{result.value} > {warn_above:g}")
    return Verdict(ok=True)
