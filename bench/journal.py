"""`make bench` (second part): what the request journal costs, on and off, one and two workers.

wrk, 1 thread, 32 connections, the LaunchDarkly list; the servers alternate within each
round and the median of the rounds is kept. Throughput on a shared machine is noisy, so the
servers' CPU time per request (user + system, every process of the server, from /proc) is
measured as well: it is what the journal costs whatever else the machine is doing. With
one worker the journal is a ring in memory; with two, each worker appends to its own file.
Writes bench/journal.md.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from bench import servers, tools
from bench.servers import children
from bench.__main__ import DURATION, RAW, ROUNDS, SPECS, load, machine

RESULTS = Path(__file__).resolve().parent / "journal.md"
URL = "/launchdarkly/api/v2/auditlog"


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of ``pid`` and its children so far."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure(wrk: list[str]) -> dict[tuple[int, bool], tuple[float, float]]:
    """Median (req/s, CPU µs per request) per (workers, journal on)."""
    found: dict[tuple[int, bool], list[tuple[float, float]]] = {}
    for workers in (1, 2):
        for _ in range(ROUNDS):
            for journal in (True, False):
                port = servers.free_port()
                command = servers.mockserver(port, SPECS, workers)
                command += [] if journal else ["--journal-size", "0"]
                with servers.running("mockserver", command, port, "/") as server:
                    load(wrk, server.base + URL, RAW)  # warm-up
                    before = cpu_seconds(server.process.pid)
                    rate = load(wrk, server.base + URL, RAW).rps
                    cpu = (cpu_seconds(server.process.pid) - before) / (rate * DURATION) * 1e6
                found.setdefault((workers, journal), []).append((rate, cpu))
                state = "on " if journal else "off"
                print(
                    f"  --workers {workers}, journal {state}: {rate:>9.0f} req/s, "
                    f"{cpu:.0f} µs CPU per request",
                    flush=True,
                )
    return {
        key: (statistics.median(r for r, _ in runs), statistics.median(c for _, c in runs))
        for key, runs in found.items()
    }


def in_process(rounds: int = 7, requests: int = 20_000) -> dict[str, float]:
    """The app's own CPU time per request without sockets or wrk, journal off, in memory,
    and in a file (flushed every 100 requests, as a worker does every 50 ms): the best of
    ``rounds`` alternating runs, the least disturbed by anything else on the machine."""
    warnings.filterwarnings("ignore")
    from mockserver.serve.app import create_app
    from mockserver.serve.journal import FileJournal, JournalStore, MemoryJournal
    from mockserver.serve.mount import ServeOptions, load_apis

    async def once(journal: JournalStore) -> float:
        options = ServeOptions(fixtures_dir=servers.ROOT / "fixtures", journal=journal)
        app = create_app(load_apis([Path(p) for p in SPECS], options), options)
        scope = {"type": "http", "method": "GET", "path": URL, "query_string": b"",
                 "headers": [(b"host", b"bench"), (b"authorization", b"mock-token")],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000)}  # fmt: skip
        flush = getattr(journal, "flush", lambda: None)

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: object) -> None:
            pass

        for _ in range(1000):  # warm the caches
            await app(dict(scope), receive, send)
        flush()
        started = time.process_time()
        for n in range(requests):
            await app(dict(scope), receive, send)
            if n % 100 == 99:
                flush()
        return (time.process_time() - started) / requests * 1e6

    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            stores = {"off": MemoryJournal(0), "memory": MemoryJournal(),
                      "file": FileJournal(Path(folder))}  # fmt: skip
            for name, store in stores.items():
                cost = asyncio.run(once(store))
                best[name] = min(best.get(name, cost), cost)
    print("  in process: " + ", ".join(f"{k} {v:.1f} µs" for k, v in best.items()), flush=True)
    return best


def report(found: dict[tuple[int, bool], tuple[float, float]], inside: dict[str, float]) -> str:
    """The table: throughput, and CPU time per request, journal on and off."""
    lines = [
        "# The request journal's cost",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, by `make bench`.",
        f"wrk -t1 -c32 -d{DURATION}s on the LaunchDarkly list, median of {ROUNDS} rounds, "
        "journal on and off alternating. CPU: user + system time of every server process "
        "per request served.",
        "",
        "| workers | journal | req/s | CPU per request |",
        "|---|---|---|---|",
    ]
    for workers in (1, 2):
        (on, on_cpu), (off, off_cpu) = found[(workers, True)], found[(workers, False)]
        store = "memory ring" if workers == 1 else "a file per worker"
        lines.append(f"| {workers} | off | {off:,.0f} | {off_cpu:.0f} µs |")
        lines.append(
            f"| {workers} | on ({store}) | {on:,.0f} ({on / off - 1:+.1%}) | "
            f"{on_cpu:.0f} µs ({on_cpu - off_cpu:+.0f} µs) |"
        )
    off = inside["off"]
    lines += [
        "",
        "In process (no sockets, no wrk; the app's CPU time per request, best of 7 rounds of "
        f"20,000): journal off {off:.1f} µs, in memory {inside['memory']:.1f} µs "
        f"({inside['memory'] - off:+.1f} µs), in a file {inside['file']:.1f} µs "
        f"({inside['file'] - off:+.1f} µs: each entry built, encoded and written).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure and write bench/journal.md."""
    wrk = tools.wrk()
    if wrk is None:
        print("make bench: wrk is not available (no system package and apt-get failed)")
        return 2
    print("journal cost (wrk -t1 -c32, median of rounds):", flush=True)
    found = measure(wrk)
    RESULTS.write_text(report(found, in_process()))
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
