"""`make bench`: measure mockserver against Prism and a bare Starlette app, in one run.

wrk, 1 thread, 32 connections, 10 s per run, the servers alternating, median of three
rounds; start-up from process start to the first 200; peak RSS; worker scaling; contract
cases per second; validate time. Writes bench/results.md.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import resilience, servers, tools

ROOT = servers.ROOT
WORK = Path(__file__).resolve().parent / ".work"
RESULTS = Path(__file__).resolve().parent / "results.md"
SPECS = [str(ROOT / "specs" / f"{n}.yaml") for n in ("anaconda", "gorules", "launchdarkly",
                                                       "losant")]
FULL = str(ROOT / "tests" / "data" / "ld-openapi.full.json")
QUICK = os.environ.get("BENCH_QUICK") == "1"  # a smoke run of the harness itself
DURATION = 2 if QUICK else 10
ROUNDS = 1 if QUICK else 3
RAW = {"Authorization": "mock-token"}
BEARER = {"Authorization": "Bearer mock-token"}
ORG = "575ed6e87ae143cd83dc4aa8"


@dataclass(frozen=True)
class Scenario:
    """One request measured on every server."""

    name: str
    mock_path: str  # on mockserver (and the bare app): under /<api>
    prism_path: str  # on Prism: the API's own path
    prism_spec: str
    headers: dict[str, str]


@dataclass
class Sample:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class Row:
    """Every run of one scenario on one server."""

    samples: list[Sample] = field(default_factory=list)
    status: int = 0
    size: int = 0

    def median(self) -> Sample:
        """The median run by throughput."""
        ordered = sorted(self.samples, key=lambda s: s.rps)
        return ordered[len(ordered) // 2]


def scenarios() -> list[Scenario]:
    """The four requests the issue names."""
    entries = json.loads((ROOT / "fixtures/launchdarkly/entries.json").read_text())
    entry = entries[len(entries) // 2]["_id"]
    losant_query = ("perPage=20&sortField=actorName&sortDirection=asc&start=1786000000000"
                    "&auditLogFilter%5BresponseCode%5D%5B0%5D=200")
    ld = str(ROOT / "specs" / "launchdarkly.yaml")
    losant = str(ROOT / "specs" / "losant.yaml")
    return [
        Scenario("LaunchDarkly list (3.1)", "/launchdarkly/api/v2/auditlog",
                 "/api/v2/auditlog", ld, RAW),
        Scenario("LaunchDarkly get by id", f"/launchdarkly/api/v2/auditlog/{entry}",
                 f"/api/v2/auditlog/{entry}", ld, RAW),
        Scenario("Losant filtered list", f"/losant/orgs/{ORG}/audit-logs?{losant_query}",
                 f"/orgs/{ORG}/audit-logs?{losant_query}", losant, BEARER),
        Scenario("rejected by validation (limit=50)", "/launchdarkly/api/v2/auditlog?limit=50",
                 "/api/v2/auditlog?limit=50", ld, RAW),
    ]


def load(wrk: list[str], url: str, headers: dict[str, str]) -> Sample:
    """One wrk run."""
    command = [*wrk, "-t1", "-c32", f"-d{DURATION}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=DURATION + 60,
                         check=False).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return Sample(rps, _latency(out, "50%"), _latency(out, "99%"))


def _latency(out: str, label: str) -> float:
    found = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not found:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def capture(base: str, scenario: Scenario) -> tuple[int, str, bytes]:
    """What mockserver answers, for the bare app to repeat byte for byte."""
    response = httpx.get(base + scenario.mock_path, headers=scenario.headers)
    return response.status_code, response.headers.get("content-type", ""), response.content


def throughput(wrk: list[str], prism: list[str] | None) -> dict[str, dict[str, Row]]:
    """Every scenario on every server, servers alternating within each round."""
    table: dict[str, dict[str, Row]] = {s.name: {} for s in scenarios()}
    port = servers.free_port()
    with servers.running("mockserver", servers.mockserver(port, SPECS), port, "/") as mock:
        captured = {}
        for scenario in scenarios():
            status, media, body = capture(mock.base, scenario)
            captured[scenario.mock_path] = (status, media, base64.b64encode(body).decode())
            table[scenario.name]["mockserver"] = Row(status=status, size=len(body))
        WORK.mkdir(exist_ok=True)
        (WORK / "responses.json").write_text(json.dumps(captured))
        bare_port = servers.free_port()
        first = scenarios()[0]
        with servers.running("bare", servers.bare(bare_port), bare_port, first.mock_path,
                             first.headers) as bare_server:
            for scenario in scenarios():
                table[scenario.name]["bare Starlette"] = Row(
                    status=table[scenario.name]["mockserver"].status,
                    size=table[scenario.name]["mockserver"].size)
            for _ in range(ROUNDS):
                for scenario in scenarios():
                    _measure(wrk, table, scenario, "mockserver", mock.base + scenario.mock_path)
                    _measure(wrk, table, scenario, "bare Starlette",
                             bare_server.base + scenario.mock_path)
    if prism is not None:
        _prism_rounds(wrk, prism, table)
    return table


def _measure(wrk: list[str], table: dict[str, dict[str, Row]], scenario: Scenario,
             server: str, url: str) -> None:
    table[scenario.name][server].samples.append(load(wrk, url, scenario.headers))
    print(f"  {scenario.name:<36} {server:<15} {table[scenario.name][server].samples[-1].rps:>9.0f}"
          " req/s", flush=True)


def _prism_rounds(wrk: list[str], prism: list[str], table: dict[str, dict[str, Row]]) -> None:
    for spec in sorted({s.prism_spec for s in scenarios()}):
        port = servers.free_port()
        command = [*prism, "mock", "-p", str(port), "-h", "127.0.0.1", "-v", "silent", spec]
        chosen = [s for s in scenarios() if s.prism_spec == spec]
        with servers.running("prism", command, port, chosen[0].prism_path,
                             chosen[0].headers) as server:
            for scenario in chosen:
                response = httpx.get(server.base + scenario.prism_path, headers=scenario.headers)
                table[scenario.name]["Prism"] = Row(status=response.status_code,
                                                    size=len(response.content))
            for _ in range(ROUNDS):
                for scenario in chosen:
                    _measure(wrk, table, scenario, "Prism", server.base + scenario.prism_path)


def startup(prism: list[str] | None) -> dict[str, list[float]]:
    """Process start to first 200, three times each."""
    found: dict[str, list[float]] = {}
    cases: list[tuple[str, list[str] | None, str, dict[str, str]]] = [
        ("mockserver, the four vendored documents", None, "/", {}),
        ("mockserver, LaunchDarkly's full 2.6 MB document", [FULL], "/", {}),
    ]
    if prism is not None:
        cases.append(("Prism, LaunchDarkly's full 2.6 MB document", prism,
                      "/api/v2/auditlog", RAW))
    for label, extra, path, headers in cases:
        for _ in range(ROUNDS):
            port = servers.free_port()
            if extra is prism and prism is not None:
                command = [*prism, "mock", "-p", str(port), "-h", "127.0.0.1", "-v", "silent", FULL]
            else:
                command = servers.mockserver(port, extra or SPECS)
            with servers.running(label, command, port, path, headers) as server:
                found.setdefault(label, []).append(server.started_in)
    return found


def memory_and_workers(wrk: list[str]) -> dict[str, Any]:
    """Peak RSS under load, and throughput with one and two workers."""
    result: dict[str, Any] = {}
    url = "/launchdarkly/api/v2/auditlog"
    for workers in (1, 2):
        rates = []
        port = servers.free_port()
        with servers.running("mockserver", servers.mockserver(port, SPECS, workers), port,
                             "/") as server:
            for _ in range(ROUNDS):
                rates.append(load(wrk, server.base + url, RAW).rps)
            if workers == 1:
                result["rss"] = server.peak_rss_mib()
        result[f"workers{workers}"] = statistics.median(rates)
        print(f"  --workers {workers}: {result[f'workers{workers}']:.0f} req/s", flush=True)
    return result


def contract_and_validate() -> dict[str, Any]:
    """Contract cases per second in process; validate time on the 2.6 MB document."""
    out = subprocess.run([sys.executable, "-m", "mockserver", "contract", "--seed", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800,
                         check=False).stdout
    found = re.search(r"(\d+) operations, (\d+) cases in ([\d.]+) s \((\d+) cases/s\)", out)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mockserver", "validate", FULL, "--format",
                        "json"], cwd=ROOT, capture_output=True, timeout=300, check=False)
        times.append(time.perf_counter() - started)
    return {"contract": found.groups() if found else None, "validate": statistics.median(times)}


def machine() -> str:
    """Where the figures come from."""
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {model}, Linux {platform.release()}, Python " \
           f"{platform.python_version()}"


def main() -> int:
    """Run everything, print as it goes, write bench/results.md."""
    wrk = tools.wrk()
    if wrk is None:
        print("make bench: wrk is not available (no system package and apt-get failed)")
        return 2
    prism = tools.prism()
    print("throughput (wrk -t1 -c32 -d10s, median of 3, servers alternating):", flush=True)
    table = throughput(wrk, prism)
    print("start-up:", flush=True)
    starts = startup(prism)
    print("memory and workers:", flush=True)
    extra = memory_and_workers(wrk)
    print("resilience:", flush=True)
    extra["soak"] = resilience.soak(wrk, SPECS)
    extra["kill"] = resilience.kill_a_worker(SPECS)
    print("contract and validate:", flush=True)
    extra |= contract_and_validate()
    from bench.report import write

    write(RESULTS, table, starts, extra, machine(),
          tools.prism_version(prism) if prism else None, datetime.now(UTC))
    from bench.writes import WRITES, write_heavy
    write_heavy(WRITES, wrk)
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
