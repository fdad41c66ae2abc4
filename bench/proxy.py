"""`make bench` (third part): the latency the validating proxy adds over a direct call.

A local provider (mockserver serving the LaunchDarkly document and its fixtures) is called
directly and through `mockserver serve --proxy` (one worker, checks in both directions),
one request at a time on a kept-alive connection, so each figure is one request's latency
and not a queue's. The two alternate in batches, and the medians over every batch are
compared: the difference is what the proxy adds (target: at most 2 ms). Writes
bench/proxy.md.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import servers
from bench.__main__ import QUICK, RAW, machine

RESULTS = Path(__file__).resolve().parent / "proxy.md"
LD = str(servers.ROOT / "specs" / "launchdarkly.yaml")
BATCHES = 4 if QUICK else 20
PER_BATCH = 50 if QUICK else 250
TARGET_MS = 2.0


def paths() -> dict[str, str]:
    """The requests measured: a get by id and the first page of the list."""
    entries = json.loads((servers.ROOT / "fixtures/launchdarkly/entries.json").read_text())
    entry = entries[len(entries) // 2]["_id"]
    return {
        "get by id": f"/launchdarkly/api/v2/auditlog/{entry}",
        "list (first page)": "/launchdarkly/api/v2/auditlog",
    }


def timed(client: httpx.Client, url: str, count: int) -> list[float]:
    """``count`` sequential requests' latencies, in ms (each must answer 200)."""
    found = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url, headers=RAW)
        found.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return found


def cpu_ms(pid: int) -> float:
    """The CPU time (user and system) ``pid`` and its children have used, in ms."""
    total = 0
    for each in [pid, *servers.children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def own_ms(client: httpx.Client, base: str) -> float:
    """The proxy's own time per request, by its journal: the request's time in the app
    less the provider's (the median over what the journal keeps)."""
    entries = client.get(base + "/__mock/journal").json()["entries"]
    spent = [e["ms"] - e["upstream"]["ms"] for e in entries if e.get("upstream")]
    return statistics.median(spent)


#: Per request: median ms direct, through a bare forwarder, through the proxy; the
#: proxy's p99; the proxy's own ms (by its journal); CPU ms per request of the provider,
#: the bare forwarder and the proxy (their processes' user and system time).
Figures = tuple[float, float, float, float, float, float, float, float]


def measure() -> dict[str, Figures]:
    """The three ways to the provider, alternating batch by batch, for each request."""
    provider_port, proxy_port, bare_port = (servers.free_port() for _ in range(3))
    provider = servers.mockserver(provider_port, [LD])
    proxy = [*servers.mockserver(proxy_port, [LD]), "--proxy",
             f"http://127.0.0.1:{provider_port}/launchdarkly"]  # fmt: skip
    bare = [servers.PYTHON, "-m", "granian", "--interface", "asgi", "--port", str(bare_port),
            "--log-level", "warning", "bench.bare_forwarder:app"]  # fmt: skip
    bare_env = {"BENCH_UPSTREAM": f"http://127.0.0.1:{provider_port}"}
    results = {}
    with servers.running("provider", provider, provider_port, "/") as direct, \
            servers.running("proxy", proxy, proxy_port, "/") as proxied, \
            servers.running("bare", bare, bare_port, "/", RAW, bare_env) as forwarder, \
            httpx.Client(timeout=10) as client:  # fmt: skip
        for name, path in paths().items():
            ways = (direct, forwarder, proxied)
            times: list[list[float]] = [[], [], []]
            cpu = [0.0, 0.0, 0.0]
            for way in ways:
                timed(client, way.base + path, PER_BATCH)  # warm-up
            for _ in range(BATCHES):
                for index, way in enumerate(ways):
                    before = cpu_ms(way.process.pid)
                    times[index] += timed(client, way.base + path, PER_BATCH)
                    cpu[index] += cpu_ms(way.process.pid) - before
            medians = [statistics.median(t) for t in times]
            own = own_ms(client, proxied.base)
            per_request = [c / (BATCHES * PER_BATCH) for c in cpu]
            results[name] = (*medians, _p99(times[2]), own, *per_request)
            print(f"  {name}: direct {medians[0]:.2f} ms, bare forwarder {medians[1]:.2f} ms, "
                  f"the proxy {medians[2]:.2f} ms (its own {results[name][4]:.2f} ms)",
                  flush=True)  # fmt: skip
    return results


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99)]


def report(results: dict[str, Figures]) -> str:
    """bench/proxy.md."""
    lines = [
        "# The validating proxy's added latency",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, by `make bench`.",
        f"One request at a time on a kept-alive connection, {BATCHES} alternating batches of "
        f"{PER_BATCH}; the provider is `mockserver serve` (LaunchDarkly document, fixtures), "
        "the proxy `mockserver serve --proxy` in front of it (one worker, request and "
        "response checked against the document, journal on). Load average when measured: "
        f"{_load()} ({_loaded()}).",
        "",
        "| request | direct p50 | bare forwarder p50 | `serve --proxy` p50 / p99 | "
        "added over direct | added over the bare forwarder | the proxy's own time |",
        "|---|---|---|---|---|---|---|",
    ]
    targets = []
    for name, (direct, floor, proxied, proxied99, own, *_) in results.items():
        added, over_floor = proxied - direct, proxied - floor
        lines.append(f"| {name} | {direct:.2f} ms | {floor:.2f} ms | {proxied:.2f} / "
                     f"{proxied99:.2f} ms | **{added:.2f} ms** | {over_floor:.2f} ms | "
                     f"{own:.2f} ms |")  # fmt: skip
        met = "met" if added <= TARGET_MS else "NOT met"
        targets.append(f"- {name}: at most {TARGET_MS:g} ms added at the median over a "
                       f"direct call: {met} ({added:.2f} ms); the proxy's own time "
                       f"{own:.2f} ms")  # fmt: skip
    cpu = [
        "",
        "CPU per request, each server's processes (user and system time over its batches), "
        "which the machine's load does not inflate as it does the latencies:",
        "",
        "| request | the provider answering | the bare forwarder | `serve --proxy` |",
        "|---|---|---|---|",
        *(f"| {name} | {f[5]:.2f} ms | {f[6]:.2f} ms | {f[7]:.2f} ms |"
          for name, f in results.items()),
    ]  # fmt: skip
    notes = [
        "",
        "The bare forwarder (`bench/bare_forwarder.py`, under the same granian) is a "
        "ten-line Starlette app forwarding with the proxy's client (aiohttp) and checking "
        "nothing: the hop's own cost on this machine. The proxy's own time is its "
        "journal's: the request's time in the app less the provider's, so what checking, "
        "forwarding and journalling cost, whatever else the machine is doing.",
    ]
    return "\n".join([*lines, *cpu, *notes, "", "## Target", "", *targets, ""])


def _loaded() -> str:
    """Whether other work shared the machine: the 1-minute load against its cores."""
    load, cores = float(_load().split()[0]), os.cpu_count() or 1
    if load > cores:
        return f"the machine was loaded, {load:g} on {cores} cores; the latencies move with it"
    return "the machine was not loaded"


def main() -> None:
    """Measure and write bench/proxy.md."""
    print("The proxy's added latency:", flush=True)
    RESULTS.write_text(report(measure()), encoding="utf-8")
    print(f"wrote {RESULTS}", flush=True)


if __name__ == "__main__":
    main()
