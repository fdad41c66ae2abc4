"""`make bench` (third part): the latency the validating proxy adds over a direct call.

A local provider (mockserver serving the LaunchDarkly document and its fixtures) is called
directly and through `mockserver serve --proxy` (one worker, checks in both directions),
one request at a time on a kept-alive connection, so each figure is one request's latency
and not a queue's. The two alternate in batches, and the medians over every batch are
compared: the difference is what the proxy adds (target: at most 2 ms). Writes
bench/proxy.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import servers, tools
from bench.__main__ import QUICK, RAW, machine

RESULTS = Path(__file__).resolve().parent / "proxy.md"
LD = str(servers.ROOT / "specs" / "launchdarkly.yaml")
BATCHES = 4 if QUICK else 20
PER_BATCH = 50 if QUICK else 250
TARGET_MS = 2.0
MOUNT = "/launchdarkly"


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


@dataclass
class Way:
    """One way to the provider: its server, the prefix of the measured paths on it, and
    what its batches measured."""

    server: servers.Server
    prefix: str = ""
    times: list[float] = field(default_factory=list)
    cpu: float = 0.0

    def p50(self) -> float:
        return statistics.median(self.times)

    def p99(self) -> float:
        return sorted(self.times)[int(len(self.times) * 0.99)]

    def cpu_per_request(self) -> float:
        return self.cpu / len(self.times)


@dataclass(frozen=True)
class Figures:
    """One request's figures, by way (direct, bare, proxy, and prism when installed): the
    median and p99 latencies and the CPU per request, in ms; and the proxy's own time."""

    p50: dict[str, float]
    p99: dict[str, float]
    cpu: dict[str, float]
    own: float


def measure(prism: list[str] | None) -> dict[str, Figures]:
    """The ways to the provider, alternating batch by batch, for each request."""
    provider_port, proxy_port, bare_port, prism_port = (servers.free_port() for _ in range(4))
    upstream = f"http://127.0.0.1:{provider_port}/launchdarkly"
    proxy = [*servers.mockserver(proxy_port, [LD]), "--proxy", upstream]
    bare = [servers.PYTHON, "-m", "granian", "--interface", "asgi", "--port", str(bare_port),
            "--log-level", "warning", "bench.bare_forwarder:app"]  # fmt: skip
    bare_env = {"BENCH_UPSTREAM": f"http://127.0.0.1:{provider_port}"}
    below = paths()["get by id"].removeprefix(MOUNT)  # Prism serves the paths unmounted
    results = {}
    with contextlib.ExitStack() as stack:
        run = stack.enter_context
        servers_by_way = {
            "direct": run(servers.running("provider", servers.mockserver(provider_port, [LD]),
                                          provider_port, "/")),
            "bare": run(servers.running("bare", bare, bare_port, "/", RAW, bare_env)),
            "proxy": run(servers.running("proxy", proxy, proxy_port, "/")),
        }  # fmt: skip
        if prism is not None:
            command = [*prism, "proxy", "-p", str(prism_port), "-h", "127.0.0.1", "-v",
                       "silent", LD, upstream]  # fmt: skip
            servers_by_way["prism"] = run(servers.running("prism", command, prism_port, below, RAW))
        client = run(httpx.Client(timeout=10))
        for name, path in paths().items():
            ways = {key: Way(server, MOUNT if key == "prism" else "")
                    for key, server in servers_by_way.items()}  # fmt: skip
            _alternate(client, ways, path)
            proxied = ways["proxy"].server.base
            results[name] = Figures(
                {k: w.p50() for k, w in ways.items()},
                {k: w.p99() for k, w in ways.items()},
                {k: w.cpu_per_request() for k, w in ways.items()},
                own_ms(client, proxied),
            )
            print(f"  {name}: " + ", ".join(f"{k} {w.p50():.2f} ms" for k, w in ways.items()),
                  flush=True)  # fmt: skip
    return results


def _alternate(client: httpx.Client, ways: dict[str, Way], path: str) -> None:
    """Warm each way up, then time BATCHES batches of each in turn, with their CPU."""
    for way in ways.values():
        timed(client, way.server.base + path.removeprefix(way.prefix), PER_BATCH)
    for _ in range(BATCHES):
        for way in ways.values():
            before = cpu_ms(way.server.process.pid)
            way.times += timed(client, way.server.base + path.removeprefix(way.prefix), PER_BATCH)
            way.cpu += cpu_ms(way.server.process.pid) - before


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(results: dict[str, Figures], prism_version: str | None) -> str:
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
    for name, f in results.items():
        direct, floor, proxied = f.p50["direct"], f.p50["bare"], f.p50["proxy"]
        lines.append(f"| {name} | {direct:.2f} ms | {floor:.2f} ms | {proxied:.2f} / "
                     f"{f.p99['proxy']:.2f} ms | **{proxied - direct:.2f} ms** | "
                     f"{proxied - floor:.2f} ms | {f.own:.2f} ms |")  # fmt: skip
    cpu = [
        "",
        "CPU per request of each server's processes (user and system time over its "
        "batches), which the machine's load does not inflate as it does the latencies:",
        "",
        "| request | the provider answering | the bare forwarder | `serve --proxy` |",
        "|---|---|---|---|",
        *(f"| {name} | {f.cpu['direct']:.2f} ms | {f.cpu['bare']:.2f} ms | "
          f"{f.cpu['proxy']:.2f} ms |" for name, f in results.items()),
    ]  # fmt: skip
    notes = [
        "",
        "The bare forwarder (`bench/bare_forwarder.py`, under the same granian) is a "
        "ten-line Starlette app forwarding with the proxy's client (aiohttp) and checking "
        "nothing: the hop's own cost on this machine. The proxy's own time is its "
        "journal's: the request's time in the app less the provider's, so what checking, "
        "forwarding and journalling cost, whatever else the machine is doing.",
    ]
    return "\n".join([*lines, *cpu, *notes, *peers(results, prism_version),
                      "", "## Target", "", *targets(results), ""])  # fmt: skip


def peers(results: dict[str, Figures], prism_version: str | None) -> list[str]:
    """The measured rows of the comparison with peers (docs/proxy.md includes them)."""
    prism = prism_version is not None
    head = "| measured here | mockserver `serve --proxy` |" + (
        f" Prism {prism_version} `prism proxy` |" if prism else ""
    )
    ways = ["proxy", "prism"] if prism else ["proxy"]
    rows = []
    for name, f in results.items():
        cells = {
            "added at the median over a direct call": {w: f.p50[w] - f.p50["direct"] for w in ways},
            "p99": {w: f.p99[w] for w in ways},
            "CPU per request": {w: f.cpu[w] for w in ways},
        }
        for label, by_way in cells.items():
            rows.append(f"| {name}: {label} | " + " | ".join(f"{by_way[w]:.2f} ms" for w in ways)
                        + " |")  # fmt: skip
    missing = "" if prism else " Prism was not installed when this was measured."
    return [
        "",
        "## Beside peers",
        "",
        "The same requests, in the same alternation, through Prism's validating proxy "
        "(which also checks both directions) in front of the same provider; Mockoon, "
        "WireMock and Specmatic record or proxy without checking against the document, and "
        f"are not measured.{missing}",
        "",
        "<!-- --8<-- [start:peers] -->",
        head,
        "|---|---|" + ("---|" if prism else ""),
        *rows,
        "<!-- --8<-- [end:peers] -->",
    ]


def targets(results: dict[str, Figures]) -> list[str]:
    """Whether each request met the target, on the median."""
    found = []
    for name, f in results.items():
        added = f.p50["proxy"] - f.p50["direct"]
        met = "met" if added <= TARGET_MS else "NOT met"
        found.append(f"- {name}: at most {TARGET_MS:g} ms added at the median over a "
                     f"direct call: {met} ({added:.2f} ms); the proxy's own time "
                     f"{f.own:.2f} ms")  # fmt: skip
    return found


def _loaded() -> str:
    """Whether other work shared the machine: the 1-minute load against its cores."""
    load, cores = float(_load().split()[0]), os.cpu_count() or 1
    if load > cores:
        return f"the machine was loaded, {load:g} on {cores} cores; the latencies move with it"
    return "the machine was not loaded"


def main() -> None:
    """Measure and write bench/proxy.md."""
    print("The proxy's added latency:", flush=True)
    prism = tools.prism()
    version = tools.prism_version(prism) if prism is not None else None
    RESULTS.write_text(report(measure(prism), version), encoding="utf-8")
    print(f"wrote {RESULTS}", flush=True)


if __name__ == "__main__":
    main()
