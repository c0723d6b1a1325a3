"""host probes: psutil on this machine, judged by warn_above / fail_above."""

from __future__ import annotations

from collections import namedtuple

import psutil
import pytest
from test_probes_support import spec

from warroom.probes import judge, make_check, to_config
from warroom.probes.kinds.host_probe import busy_percent


async def run(metric, **options):
    config = to_config(spec("host", metric, **options))
    result = await make_check(config).run()
    return result, judge(config, result)


@pytest.mark.parametrize("metric, prefix", [("cpu", "cpu "), ("memory", "memory "), ("disk", "disk / ")])
async def test_percentages(metric, prefix):
    result, verdict = await run(metric, warn_above=100, fail_above=100)
    assert 0.0 <= result.metric <= 100.0
    assert result.value.startswith(prefix) and result.value.endswith("%")
    assert verdict.ok and not verdict.degraded


async def test_load_is_per_core():
    result, _ = await run("load", warn_above=1000, fail_above=1000)
    assert result.metric >= 0.0
    assert result.value.endswith("/core")


async def test_disk_of_a_given_path(tmp_path):
    result, _ = await run("disk", path=str(tmp_path))
    assert result.metric == pytest.approx(psutil.disk_usage(str(tmp_path)).percent, abs=5)


async def test_memory_is_used_over_total():
    result, _ = await run("memory")
    memory = psutil.virtual_memory()
    assert result.metric == pytest.approx((memory.total - memory.available) / memory.total * 100, abs=10)


async def test_above_fail_is_failing_and_above_warn_is_degraded():
    _, failing = await run("memory", warn_above=-2, fail_above=-1)
    assert not failing.ok and failing.reason.startswith("memory ") and failing.reason.endswith("> -1")
    _, degraded = await run("memory", warn_above=-1, fail_above=1000)
    assert degraded.ok and degraded.degraded and degraded.reason.endswith("> -1")


def test_cpu_busy_time_is_everything_but_idle_and_iowait():
    times = namedtuple("scputimes", "user nice system idle iowait irq softirq steal guest guest_nice")
    before = times(10, 0, 5, 80, 5, 0, 0, 0, 0, 0)
    after = times(40, 0, 15, 120, 15, 0, 0, 0, 30, 0)  # guest time is already counted in user
    assert busy_percent(before, after) == round(100 * 40 / 90, 1)
    assert busy_percent(after, after) == 0.0  # no time passed: nothing to divide

