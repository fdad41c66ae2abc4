"""Resilience figures for `make bench`: a soak of distinct requests, and a worker killed.

Soak: one worker, a warm-up that fills every cache, then 30 s of distinct requests (each
query differs); failures are socket errors and non-2xx answers; memory is the server's
resident set after the warm-up and at the end. Kill: two workers under load, SIGKILL one,
and count how long until a replacement is up and whether any request after it failed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from bench import servers

WORK = Path(__file__).resolve().parent / ".work"
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "30"))
DISTINCT = """
counter = 0
request = function()
  counter = counter + 1
  local path = "/launchdarkly/api/v2/auditlog?limit=" .. (counter % 20 + 1) .. "&q=w" .. counter
  return wrk.format("GET", path)
end
"""


def _rss_mib(pid: int) -> float:
    """The current resident set of a process and its children, in MiB."""
    total = 0
    for each in [pid, *servers.children(pid)]:
        try:
            found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{each}/status").read_text())
        except OSError:
            continue
        total += int(found.group(1)) if found else 0
    return total / 1024


def _wrk(wrk: list[str], url: str, seconds: int) -> dict[str, int]:
    WORK.mkdir(exist_ok=True)
    script = WORK / "distinct.lua"
    script.write_text(DISTINCT)
    command = [*wrk, "-t1", "-c32", f"-d{seconds}s", "-s", str(script),
               "-H", "Authorization: mock-token", url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                         check=False).stdout
    requests = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(requests.group(1)) if requests else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def soak(wrk: list[str], specs: list[str]) -> dict[str, Any]:
    """Failures and memory growth over a long run of distinct requests."""
    port = servers.free_port()
    with servers.running("mockserver", servers.mockserver(port, specs), port, "/") as server:
        base = server.base + "/"
        warm = _wrk(wrk, base, 10)
        after_warm_up = _rss_mib(server.process.pid)
        result = _wrk(wrk, base, SOAK_SECONDS)
        at_end = _rss_mib(server.process.pid)
    growth = (at_end - after_warm_up) / after_warm_up if after_warm_up else 0.0
    print(f"  soak {SOAK_SECONDS} s: {result['requests']} distinct requests, "
          f"{result['socket_errors'] + result['non_2xx']} failed; RSS {after_warm_up:.0f} -> "
          f"{at_end:.0f} MiB ({growth:+.1%})", flush=True)
    return {"seconds": SOAK_SECONDS, "warm_up_requests": warm["requests"], **result,
            "rss_after_warm_up": after_warm_up, "rss_at_end": at_end, "growth": growth}


def kill_a_worker(specs: list[str]) -> dict[str, Any]:
    """Two workers, both serving; SIGKILL one; how long until a replacement serves too, and
    did any request fail. Each granian worker opens its own listening socket once its app
    is built (SO_REUSEPORT), so "serving" is read off the sockets: a worker killed while the
    other was still loading left nothing listening, and the port refused every connection
    until one was ready (a start-up race of the measurement, not a failure after a kill)."""
    port = servers.free_port()
    url = "/launchdarkly/api/v2/auditlog"
    headers = {"Authorization": "mock-token"}
    with servers.running("mockserver", servers.mockserver(port, specs, 2), port, "/") as server:
        workers = _wait_for_listeners(server.process.pid, port, 2)
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        killed = time.perf_counter()
        replaced = _wait_for_listeners(server.process.pid, port, 2, exclude=victim)
        replaced_after = time.perf_counter() - killed
        failures = 0
        with httpx.Client(base_url=server.base, timeout=5) as client:
            for _ in range(200):
                try:
                    if client.get(url, headers=headers).status_code != 200:
                        failures += 1
                except httpx.TransportError:
                    failures += 1
    print(f"  worker killed: replaced after {replaced_after:.2f} s, "
          f"{failures} of 200 requests after it failed", flush=True)
    return {"replaced_after": replaced_after, "failures": failures, "requests": 200,
            "workers": len(replaced)}


def _wait_for_listeners(pid: int, port: int, count: int, exclude: int | None = None,
                        timeout: float = 30.0) -> list[int]:
    """The worker processes of ``pid`` listening on ``port``, once there are ``count``."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        sockets = _listening_sockets(port)
        alive = [p for p in servers.children(pid)
                 if p != exclude and _is_worker(p) and _holds(p, sockets)]
        if len(alive) >= count:
            return sorted(alive)
        time.sleep(0.01)
    raise RuntimeError(f"fewer than {count} workers listening after {timeout} s")


def _listening_sockets(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(f"socket:[{fields[9]}]")
    return found


def _holds(pid: int, sockets: set[str]) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") in sockets
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def _is_worker(pid: int) -> bool:
    try:
        return "mockserver" in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False
