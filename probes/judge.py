"""Is a check's result good, degraded or failing? Conditions for most kinds, thresholds for host.

A passing check of a measurement that jitters (a host reading, a response time) is judged a
second time with each threshold moved by HYSTERESIS against it; the state machine asks that
second verdict whether a probe in a worse state may come back (see probes/state.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .conditions import Condition
from .result import ProbeResult
from .spec import ProbeConfig, default_expect, is_number

HYSTERESIS = 0.10  # to leave a worse state, a reading must clear its threshold by 10% of it


@dataclass(frozen=True)
class Verdict:
    ok: bool  # every `expect` passed (or the host metric is not above fail_above)
    degraded: bool = False  # ok, but a `warn` failed (or the metric is above warn_above)
    reason: str | None = None  # why not fully good: the first failed condition, or the error
    offline: bool = False  # says nothing about the target: this machine has no network
    # The verdict with every threshold moved by the margin, when that is worse than this one: the
    # reading is good, but too near a threshold to bring a probe back from a worse state.
    within_margin: Verdict | None = None

    @property
    def clear(self) -> Verdict:
        """What the check says when it must clear each threshold by the margin."""
        return self.within_margin or self


def judge(config: ProbeConfig, result: ProbeResult) -> Verdict:
    verdict = _judge(config, result, 0.0)
    if verdict.ok and _has_margin(config):  # an offline verdict is never ok
        strict = _judge(config, result, HYSTERESIS)
        if (strict.ok, strict.degraded) != (verdict.ok, verdict.degraded):
            return replace(verdict, within_margin=strict)
    return verdict


def _has_margin(config: ProbeConfig) -> bool:
    if config.kind == "host":
        return True
    return any(condition.has_margin for condition in (*_expected(config), *config.warn))


def _expected(config: ProbeConfig) -> tuple[Condition, ...]:
    """A config built by hand (a bench, a test) may leave `expect` empty: judge by the default."""
    return config.expect or default_expect(config.kind)


def _judge(config: ProbeConfig, result: ProbeResult, margin: float) -> Verdict:
    if result.offline:
        return Verdict(ok=False, reason=result.error or "this machine is offline", offline=True)
    if config.kind == "host":
        return _judge_threshold(config, result, margin)
    for condition in _expected(config):
        passed, explanation = condition.evaluate(result.result, margin)
        if not passed:
            # The error ("connection refused") says more than "[STATUS] (n/a) == 200".
            return Verdict(ok=False, reason=result.error or explanation)
    for condition in config.warn:
        passed, explanation = condition.evaluate(result.result, margin)
        if not passed:
            return Verdict(ok=True, degraded=True, reason=explanation)
    return Verdict(ok=True)


def _judge_threshold(config: ProbeConfig, result: ProbeResult, margin: float) -> Verdict:
    if result.metric is None:
        return Verdict(ok=False, reason=result.error or "no reading")
    # Thresholds are numbers once the spec is checked; None means the metric has no default.
    for key, ok in (("fail_above", False), ("warn_above", True)):
        threshold = config.options.get(key)
        if is_number(threshold) and result.metric > threshold - margin * abs(threshold):
            reason = (f"{result.value} > {threshold:g}" if result.metric > threshold
                      else f"{result.value}, within {margin:.0%} of {threshold:g}")
            return Verdict(ok=ok, degraded=ok, reason=reason)
    return Verdict(ok=True)
