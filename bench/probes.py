"""Probe scheduler benchmark: what does watching 200 HTTP endpoints every second cost?

`python -m bench.probes [--seconds 30] [--probes 200]` starts a small HTTP server on 127.0.0.1 in
another process (bench/loopback_server.py, so its CPU is not counted), then in this process, one
after the other for the same number of seconds:

- baseline: a bare httpx.AsyncClient loop: `probes` tasks, started evenly over one interval, each
  doing a GET, then waiting `interval` after it finished (the scheduler's own rhythm), on a client
  without keep-alive (like the probes: every check opens a connection);
- scheduler: a ProbeScheduler with `probes` http probes at that interval, judging each result,
  tracking state and history, and calling (empty) listeners, as the app runs it.

It prints the process CPU time (time.process_time) of each, per request, and their ratio
(target <= 1.3), and the scheduler's p95 schedule lag (target <= 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import time
from types import MappingProxyType
from typing import Iterator

import httpx

from warroom.probes import ProbeScheduler
from warroom.runbook.model import ProbeSpec

INTERVAL = 1.0  # seconds between checks of one probe
STARTUP_TIMEOUT = 10.0  # seconds to wait for the server's port
REQUEST_TIMEOUT = 5.0
# As the sample runbook's `web` probe: two expect conditions and a warn.
EXPECT = ("[STATUS] == 200", "[RESPONSE_TIME] < 500")
WARN = ("[RESPONSE_TIME] < 200",)


@contextlib.contextmanager
def loopback_server(lifetime: float) -> Iterator[int]:
    """Start bench.loopback_server in a subprocess; yields its port; kills it on the way out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.loopback_server", "--lifetime", str(lifetime)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        port = _read_port(process)
        yield port
    finally:
        with contextlib.suppress(OSError):
            process.stdin.close()  # the server exits at EOF on stdin
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _read_port(process: subprocess.Popen) -> int:
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(STARTUP_TIMEOUT):
            raise RuntimeError(f"the loopback server did not start within {STARTUP_TIMEOUT:g} s")
    line = process.stdout.readline().strip()
    if not line.isdigit():
        raise RuntimeError(f"the loopback server did not print its port (got {line!r})")
    return int(line)


async def bare_loop(url: str, probes: int, seconds: float, interval: float = INTERVAL) -> dict:
    """The baseline: the same requests at the same rate, with nothing but httpx."""
    loop = asyncio.get_running_loop()
    counts = {"requests": 0, "errors": 0}
    started_cpu, started = time.process_time(), loop.time()
    end = started + seconds
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, trust_env=False,
                                 limits=httpx.Limits(max_keepalive_connections=0)) as client:

        async def one(index: int) -> None:
            due = started + interval * index / probes  # spread over the interval, as the scheduler does
            while due < end:  # bounded by `seconds`
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    response = await client.get(url)
                    counts["requests"] += 1
                    if response.status_code != 200:
                        counts["errors"] += 1
                except httpx.HTTPError:
                    counts["errors"] += 1
                due = loop.time() + interval

        await asyncio.gather(*(one(index) for index in range(probes)))
    return {"cpu_s": time.process_time() - started_cpu, "wall_s": loop.time() - started, **counts}


async def scheduler_run(url: str, probes: int, seconds: float, interval: float = INTERVAL) -> dict:
    """The scheduler with `probes` http probes on the same url, from start() to stop()."""
    loop = asyncio.get_running_loop()
    specs = [
        ProbeSpec(f"web-{number:03d}", "http", url, MappingProxyType({
            "interval": f"{interval * 1000:.0f}ms", "expect": EXPECT, "warn": WARN,
        }))
        for number in range(probes)
    ]
    counts = {"requests": 0, "errors": 0}

    def on_sample(sample) -> None:
        counts["requests"] += 1
        if not sample.ok:
            counts["errors"] += 1

    started_cpu, started = time.process_time(), loop.time()
    scheduler = ProbeScheduler(specs, on_status=lambda status: None, on_transition=lambda t: None,
                               on_sample=on_sample)
    await scheduler.start()
    try:
        await asyncio.sleep(seconds)
    finally:
        await scheduler.stop()
    lags = scheduler.schedule_lags
    return {
        "cpu_s": time.process_time() - started_cpu, "wall_s": loop.time() - started, **counts,
        "lag_p50_ms": _ms(scheduler.lag_percentile(0.50)), "lag_p95_ms": _ms(scheduler.lag_percentile(0.95)),
        "lag_max_ms": _ms(max(lags) if lags else None),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def measure(seconds: float = 30, probes: int = 200) -> dict:
    """Run the baseline and the scheduler for `seconds` each against one loopback server."""
    if seconds <= 0 or probes <= 0:
        raise ValueError("seconds and probes must be more than zero")
    with loopback_server(lifetime=2 * seconds + 120) as port:
        url = f"http://127.0.0.1:{port}/healthz"
        asyncio.run(bare_loop(url, min(probes, 20), 0.5))  # warm-up: imports, first connections
        baseline = asyncio.run(bare_loop(url, probes, seconds))
        scheduler = asyncio.run(scheduler_run(url, probes, seconds))
    per_request = {
        name: run["cpu_s"] / run["requests"] * 1e6 if run["requests"] else float("nan")
        for name, run in (("baseline", baseline), ("scheduler", scheduler))
    }
    return {
        "seconds": seconds, "probes": probes, "interval_s": INTERVAL,
        "baseline": baseline, "scheduler": scheduler,
        "baseline_us_per_request": per_request["baseline"],
        "scheduler_us_per_request": per_request["scheduler"],
        "cpu_ratio": per_request["scheduler"] / per_request["baseline"],  # per request: rates may differ a little
        "cpu_ratio_total": scheduler["cpu_s"] / baseline["cpu_s"] if baseline["cpu_s"] else float("nan"),
        "lag_p95_ms": scheduler["lag_p95_ms"],
    }


def report(result: dict) -> str:
    base, sched = result["baseline"], result["scheduler"]
    return "\n".join([
        f"probes: {result['probes']} http probes every {result['interval_s']:g} s against one loopback server, "
        f"{result['seconds']:g} s each",
        f"  bare httpx loop: {base['requests']} requests ({base['errors']} failed), CPU {base['cpu_s']:.2f} s, "
        f"{result['baseline_us_per_request']:.0f} us/request",
        f"  ProbeScheduler:  {sched['requests']} checks ({sched['errors']} failed), CPU {sched['cpu_s']:.2f} s, "
        f"{result['scheduler_us_per_request']:.0f} us/check",
        f"  CPU ratio {result['cpu_ratio']:.2f} per request (total {result['cpu_ratio_total']:.2f}) (target <= 1.3)",
        f"  schedule lag p50 {sched['lag_p50_ms']:.1f} ms, p95 {sched['lag_p95_ms']:.1f} ms, "
        f"max {sched['lag_max_ms']:.1f} ms (target p95 <= 100 ms)",
    ])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Probe scheduler CPU and schedule lag vs a bare httpx loop.")
    parser.add_argument("--seconds", type=float, default=30, help="length of each run (default 30)")
    parser.add_argument("--probes", type=int, default=200, help="number of http probes (default 200)")
    args = parser.parse_args(argv)
    print(report(measure(args.seconds, args.probes)))


if __name__ == "__main__":
    main()
