"""`make bench` (second part): what the request journal costs, on and off, one and two workers.

wrk, 1 thread, 32 connections, the LaunchDarkly list; the servers alternate within each
round and the median of the rounds is kept. With one worker the journal is a ring in
memory; with two, each worker appends to its own file (one ``write`` per request).
Writes bench/journal.md.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path

from bench import servers, tools
from bench.__main__ import DURATION, RAW, ROUNDS, SPECS, load, machine

RESULTS = Path(__file__).resolve().parent / "journal.md"
URL = "/launchdarkly/api/v2/auditlog"


def measure(wrk: list[str]) -> dict[tuple[int, bool], float]:
    """Median req/s per (workers, journal on)."""
    rates: dict[tuple[int, bool], list[float]] = {}
    for workers in (1, 2):
        for _ in range(ROUNDS):
            for journal in (True, False):
                port = servers.free_port()
                command = servers.mockserver(port, SPECS, workers)
                command += [] if journal else ["--journal-size", "0"]
                with servers.running("mockserver", command, port, "/") as server:
                    load(wrk, server.base + URL, RAW)  # warm-up
                    rate = load(wrk, server.base + URL, RAW).rps
                rates.setdefault((workers, journal), []).append(rate)
                state = "on " if journal else "off"
                print(f"  --workers {workers}, journal {state}: {rate:>9.0f} req/s", flush=True)
    return {key: statistics.median(values) for key, values in rates.items()}


def report(found: dict[tuple[int, bool], float]) -> str:
    """The table, and the cost per request in microseconds."""
    lines = [
        "# The request journal's cost",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, by `make bench`.",
        f"wrk -t1 -c32 -d{DURATION}s on the LaunchDarkly list, median of {ROUNDS} rounds, "
        "journal on and off alternating.",
        "",
        "| workers | journal | req/s | cost |",
        "|---|---|---|---|",
    ]
    for workers in (1, 2):
        on, off = found[(workers, True)], found[(workers, False)]
        store = "memory ring" if workers == 1 else "a file per worker"
        per_request = (1 / on - 1 / off) * 1e6 * workers  # CPU time per request, per worker
        lines.append(f"| {workers} | off | {off:,.0f} | |")
        lines.append(
            f"| {workers} | on ({store}) | {on:,.0f} | {1 - on / off:.1%} of throughput, "
            f"{per_request:.0f} µs per request |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure and write bench/journal.md."""
    wrk = tools.wrk()
    if wrk is None:
        print("make bench: wrk is not available (no system package and apt-get failed)")
        return 2
    print("journal cost (wrk -t1 -c32, median of rounds):", flush=True)
    RESULTS.write_text(report(measure(wrk)))
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
