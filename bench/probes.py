"""Probe scheduler benchmark: what does watching 200 HTTP endpoints every second cost?

`python -m bench.probes [--seconds 8] [--probes 200] [--rounds 4]` starts a small HTTP server on
127.0.0.1 in another process (bench/loopback_server.py, so its CPU is not counted), then in this
process alternates, round after round, for the same number of seconds each:

- baseline: a bare httpx loop: `probes` tasks, started evenly over one interval, each doing a GET,
  then waiting `interval` after it finished (the scheduler's own rhythm);
- scheduler: a ProbeScheduler with `probes` http probes at that interval, judging each result,
  tracking state and history, and calling (empty) listeners, as the app runs it.

Both sides set up their HTTP clients the same way: one client per probe, made by the http
check's own `new_client` (no keep-alive, the shared SSL context, the same timeout), so the ratio
shows what the scheduler adds, not a difference in clients. Which side goes first alternates.

It prints the process CPU time (time.process_time) of each, per request, and their ratio
(target <= 1.3), and each side's schedule lag (when a request started minus when it was due):
p50, p95 (target <= 100 ms for the scheduler) and the maximum.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from types import MappingProxyType

import httpx

from bench.keystroke import percentile
from bench.scale import pick, tiny
from warroom.probes import ProbeScheduler, to_config
from warroom.probes.kinds.http_probe import new_client
from warroom.probes.scheduler import START_RATE
from warroom.runbook.model import ProbeSpec

INTERVAL = 1.0  # seconds between checks of one probe
STARTUP_TIMEOUT = 10.0  # seconds to wait for the server's port
WARM_UP_SECONDS = 0.5
# As the sample runbook's `web` probe: two expect conditions and a warn.
EXPECT = ("[STATUS] == 200", "[RESPONSE_TIME] < 500")
WARN = ("[RESPONSE_TIME] < 200",)


def sizes() -> dict:
    """Seconds per side per round, probes, rounds: full for `make bench`, tiny for the test."""
    return pick({"seconds": 8.0, "probes": 200, "rounds": 4}, {"seconds": 0.5, "probes": 5, "rounds": 1})


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


def specs(url: str, probes: int, interval: float = INTERVAL) -> list[ProbeSpec]:
    return [
        ProbeSpec(f"web-{number:03d}", "http", url, MappingProxyType({
            "interval": f"{interval * 1000:.0f}ms", "expect": EXPECT, "warn": WARN,
        }))
        for number in range(probes)
    ]


async def bare_loop(url: str, probes: int, seconds: float, interval: float = INTERVAL) -> dict:
    """The baseline: the same requests at the same rate, with nothing but httpx."""
    loop = asyncio.get_running_loop()
    counts = {"requests": 0, "errors": 0}
    lags: list[float] = []
    clients = [new_client(to_config(spec)) for spec in specs(url, probes, interval)]
    started_cpu, started = time.process_time(), loop.time()
    end = started + seconds

    async def one(index: int, client: httpx.AsyncClient) -> None:
        due = started + min(index / START_RATE, interval * index / probes)  # the scheduler's own spread
        while due < end:  # bounded by `seconds`
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            lags.append(max(0.0, loop.time() - due))
            try:
                response = await client.get(url)
                counts["requests"] += 1
                if response.status_code != 200:
                    counts["errors"] += 1
            except httpx.HTTPError:
                counts["errors"] += 1
            due = loop.time() + interval

    try:
        await asyncio.gather(*(one(index, client) for index, client in enumerate(clients)))
    finally:
        for client in clients:
            await client.aclose()
    return {"cpu_s": time.process_time() - started_cpu, "wall_s": loop.time() - started, **counts, "lags": lags}


async def scheduler_run(url: str, probes: int, seconds: float, interval: float = INTERVAL) -> dict:
    """The scheduler with `probes` http probes on the same url, from start() to stop()."""
    loop = asyncio.get_running_loop()
    counts = {"requests": 0, "errors": 0}

    def on_sample(sample) -> None:
        counts["requests"] += 1
        if not sample.ok:
            counts["errors"] += 1

    started_cpu, started = time.process_time(), loop.time()
    scheduler = ProbeScheduler(specs(url, probes, interval), on_status=lambda status: None,
                               on_transition=lambda t: None, on_sample=on_sample)
    await scheduler.start()
    try:
        await asyncio.sleep(seconds)
    finally:
        await scheduler.stop()
    return {"cpu_s": time.process_time() - started_cpu, "wall_s": loop.time() - started, **counts,
            "lags": list(scheduler.schedule_lags)}


SIDES = {"baseline": bare_loop, "scheduler": scheduler_run}


def measure(seconds: float, probes: int, rounds: int) -> dict:
    """Alternate the baseline and the scheduler, `seconds` each per round, against one server."""
    if seconds <= 0 or probes <= 0 or rounds <= 0:
        raise ValueError("seconds, probes and rounds must be more than zero")
    runs: dict[str, list[dict]] = {name: [] for name in SIDES}
    with loopback_server(lifetime=2 * rounds * (seconds + WARM_UP_SECONDS) + 120) as port:
        url = f"http://127.0.0.1:{port}/healthz"
        if not tiny():  # warm-up: imports, first connections (the tiny run only checks that it runs)
            for side in SIDES.values():
                asyncio.run(side(url, min(probes, 20), WARM_UP_SECONDS))
        for number in range(rounds):
            order = list(SIDES) if number % 2 == 0 else list(reversed(SIDES))
            for name in order:
                runs[name].append(asyncio.run(SIDES[name](url, probes, seconds)))
    return {"seconds": seconds, "probes": probes, "rounds": rounds, "interval_s": INTERVAL,
            **{name: _summary(side_runs) for name, side_runs in runs.items()},
            "round_ratios": [_per_request(s) / _per_request(b)
                             for b, s in zip(runs["baseline"], runs["scheduler"], strict=True)]}


def _per_request(run: dict) -> float:
    return run["cpu_s"] / run["requests"] * 1e6 if run["requests"] else float("nan")


def _summary(runs: list[dict]) -> dict:
    """All rounds of one side together: CPU per request, and lag percentiles over every request."""
    lags = [lag for run in runs for lag in run["lags"]]
    requests = sum(run["requests"] for run in runs)
    cpu = sum(run["cpu_s"] for run in runs)
    return {
        "requests": requests, "errors": sum(run["errors"] for run in runs), "cpu_s": cpu,
        "us_per_request": cpu / requests * 1e6 if requests else float("nan"),
        "lag_p50_ms": statistics.median(lags) * 1000 if lags else float("nan"),
        "lag_p95_ms": percentile(lags, 0.95) * 1000 if lags else float("nan"),
        "lag_max_ms": max(lags) * 1000 if lags else float("nan"),
    }


def report(result: dict) -> str:
    base, sched = result["baseline"], result["scheduler"]
    ratios = result["round_ratios"]
    total = sched["us_per_request"] / base["us_per_request"]

    def lag(side: dict) -> str:
        return f"lag p50 {side['lag_p50_ms']:.1f} ms, p95 {side['lag_p95_ms']:.1f} ms, max {side['lag_max_ms']:.1f} ms"

    return "\n".join([
        f"probes: {result['probes']} http probes every {result['interval_s']:g} s against one loopback server, "
        f"{result['rounds']} rounds of {result['seconds']:g} s a side, alternated, one client per probe on both sides",
        f"  bare httpx loop: {base['requests']} requests ({base['errors']} failed), CPU {base['cpu_s']:.2f} s, "
        f"{base['us_per_request']:.0f} us/request; {lag(base)}",
        f"  ProbeScheduler:  {sched['requests']} checks ({sched['errors']} failed), CPU {sched['cpu_s']:.2f} s, "
        f"{sched['us_per_request']:.0f} us/check; {lag(sched)} (target p95 <= 100 ms)",
        f"  CPU ratio per request: median of rounds {statistics.median(ratios):.2f} "
        f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}; all rounds together {total:.2f}) (target <= 1.3)",
    ])


def main(argv: list[str] | None = None) -> None:
    default = sizes()
    parser = argparse.ArgumentParser(description="Probe scheduler CPU and schedule lag vs a bare httpx loop.")
    parser.add_argument("--seconds", type=float, default=default["seconds"],
                        help="length of each side's run in a round")
    parser.add_argument("--probes", type=int, default=default["probes"], help="number of http probes")
    parser.add_argument("--rounds", type=int, default=default["rounds"], help="rounds, each running both sides")
    args = parser.parse_args(argv)
    print(report(measure(args.seconds, args.probes, args.rounds)))


if __name__ == "__main__":
    main()
