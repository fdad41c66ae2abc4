"""bench/results.md: the figures, the ratios, and whether each target is met."""

from __future__ import annotations

import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

SERVERS = ("mockserver", "Prism", "bare Starlette")


def write(path: Path, table: dict[str, dict[str, Any]], starts: dict[str, list[float]],
          extra: dict[str, Any], machine: str, prism_version: str | None,
          when: datetime) -> None:
    """Write the results file."""
    lines = [
        "# mockserver benchmark",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC on {machine}, by `make bench`.",
        "wrk, 1 thread, 32 connections, 10 s per run, median of 3 rounds with the servers "
        "alternating. mockserver: `mockserver serve` (one granian worker), request validation "
        "and OpenAPI 3.1 fidelity on. Prism "
        f"{prism_version or '(not installed)'}: `prism mock` of the same document (static "
        "examples). Bare Starlette: the same bytes mockserver returned, under the same granian.",
        "",
        "## Throughput and latency",
        "",
        "| request | server | status, bytes | req/s | p50 / p99 ms | vs Prism | of bare |",
        "|---|---|---|---|---|---|---|",
    ]
    targets: list[tuple[str, bool]] = []
    for scenario, rows in table.items():
        mock = rows.get("mockserver")
        prism = rows.get("Prism")
        bare = rows.get("bare Starlette")
        for server in SERVERS:
            row = rows.get(server)
            if row is None or not row.samples:
                continue
            m = row.median()
            versus = f"{m.rps / prism.median().rps:.2f}x" if prism and prism.samples else "-"
            of_bare = f"{100 * m.rps / bare.median().rps:.0f}%" if bare and bare.samples else "-"
            lines.append(f"| {scenario} | {server} | {row.status}, {row.size} | {m.rps:,.0f} | "
                         f"{m.p50_ms:.1f} / {m.p99_ms:.1f} | {versus} | {of_bare} |")
        if mock and mock.samples and prism and prism.samples and scenario.startswith(
                ("LaunchDarkly list", "LaunchDarkly get")):
            ratio = mock.median().rps / prism.median().rps
            targets.append((f"{scenario}: at least 3x Prism's req/s ({ratio:.2f}x)",
                            ratio >= 3))
            targets.append((f"{scenario}: lower p99 than Prism "
                            f"({mock.median().p99_ms:.1f} vs {prism.median().p99_ms:.1f} ms)",
                            mock.median().p99_ms < prism.median().p99_ms))
        if mock and mock.samples and prism and prism.samples and scenario.startswith("rejected"):
            ratio = mock.median().rps / prism.median().rps
            targets.append((f"{scenario}: at least 2x Prism's req/s ({ratio:.2f}x)", ratio >= 2))
        if mock and mock.samples and bare and bare.samples and scenario.startswith(
                ("LaunchDarkly list", "LaunchDarkly get")):
            share = mock.median().rps / bare.median().rps
            targets.append((f"{scenario}: at least 40% of bare Starlette ({100 * share:.0f}%)",
                            share >= 0.4))
    lines += ["", "## Start-up (process start to first 200)", "",
              "Large documents (GitHub, Stripe, Graph, LaunchDarkly's full one): first answer, "
              "peak and steady RSS per document size, cold and from the cache, beside Prism, "
              "are in `bench/startup.md` (the last step of `make bench`).", "",
              "| what | median | runs |", "|---|---|---|"]
    for label, times in starts.items():
        lines.append(f"| {label} | {statistics.median(times):.2f} s | "
                     f"{', '.join(f'{t:.2f}' for t in times)} |")
    full = starts.get("mockserver, LaunchDarkly's full 2.6 MB document")
    prism_full = starts.get("Prism, LaunchDarkly's full 2.6 MB document")
    if full and prism_full:
        targets.append((f"start-up on the 2.6 MB document no slower than Prism's "
                        f"({statistics.median(full):.2f} vs {statistics.median(prism_full):.2f}"
                        " s)", statistics.median(full) <= statistics.median(prism_full)))
    rss = extra.get("rss")
    scaling = extra["workers2"] / extra["workers1"] if extra.get("workers1") else 0
    lines += ["", "## Memory, workers, contract, validate", "",
              f"- peak RSS, `mockserver serve` with the four vendored documents, after the "
              f"list load: **{rss:.0f} MiB**",
              f"- `--workers 1`: {extra.get('workers1', 0):,.0f} req/s; `--workers 2`: "
              f"{extra.get('workers2', 0):,.0f} req/s (**{scaling:.2f}x**; wrk shares the "
              "same two cores)"]
    targets.append((f"peak RSS with all four vendored documents under 100 MiB ({rss:.0f} MiB)",
                    bool(rss) and rss < 100))
    targets.append((f"--workers 2 scales throughput at least 1.6x ({scaling:.2f}x)",
                    scaling >= 1.6))
    soak = extra.get("soak")
    if soak:
        failed = soak["socket_errors"] + soak["non_2xx"]
        lines.append(f"- soak: {soak['requests']:,} distinct requests in {soak['seconds']} s after "
                     f"a {soak['warm_up_requests']:,}-request warm-up: **{failed} failed**; RSS "
                     f"{soak['rss_after_warm_up']:.0f} -> {soak['rss_at_end']:.0f} MiB "
                     f"(**{soak['growth']:+.1%}**)")
        targets.append((f"soak: zero failures ({failed})", failed == 0))
        targets.append((f"soak: memory within 15% of where it started after warm-up "
                        f"({soak['growth']:+.1%})", abs(soak["growth"]) <= 0.15))
    kill = extra.get("kill")
    if kill:
        lines.append(f"- `--workers 2`, both serving, one worker SIGKILLed: its replacement "
                     f"serving (listening on the port) after "
                     f"**{kill['replaced_after']:.2f} s**; {kill['failures']} of "
                     f"{kill['requests']} requests after it failed")
        targets.append((f"a killed worker is replaced within seconds "
                        f"({kill['replaced_after']:.2f} s) and no request after it fails "
                        f"({kill['failures']})", kill["replaced_after"] < 10 and not kill["failures"]))
    contract = extra.get("contract")
    if contract:
        operations, cases, seconds, rate = contract
        lines.append(f"- `mockserver contract` in process: **{rate} cases/s** ({cases} cases, "
                     f"{operations} operations, {seconds} s)")
    lines.append(f"- `mockserver validate` on LaunchDarkly's full 2.6 MB document: "
                 f"**{extra['validate']:.2f} s** (median of 3)")
    lines += ["", "## Targets", ""]
    lines += [f"- [{'x' if met else ' '}] {text}" for text, met in targets]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
