"""Start, watch and stop the servers under test; measure start-up and memory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server process."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    started_in: float

    def peak_rss_mib(self) -> float:
        """The peak resident set of the process and its children, in MiB."""
        return tree_rss(self.process.pid, "VmHWM")


def tree_rss(pid: int, field_name: str, source: str = "status") -> float:
    """``field_name`` (VmHWM or VmRSS of /proc/PID/status, or Pss of smaps_rollup) summed
    over ``pid`` and its descendants, in MiB."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{each}/{source}").read_text()
        except OSError:
            continue
        found = re.search(rf"{field_name}:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
    return total / 1024


def children(pid: int) -> list[int]:
    """Every descendant process of ``pid``."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    kids = [int(p) for p in found]
    return kids + [g for k in kids for g in children(k)]


@contextmanager
def running(name: str, command: list[str], port: int, ready_path: str,
            headers: Mapping[str, str] | None = None,
            env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Start ``command``, wait for ``ready_path`` to answer, yield, then stop it."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})},
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        elapsed = _wait(process, base + ready_path, headers or {}, started)
        yield Server(name, process, base, elapsed)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)


def _wait(process: subprocess.Popen[bytes], url: str, headers: Mapping[str, str],
          started: float, timeout: float = 120.0) -> float:
    with httpx.Client(timeout=2) as client:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the server exited ({process.returncode})")
            try:
                if client.get(url, headers=dict(headers)).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.005)
    raise RuntimeError(f"{url}: no 200 within {timeout} s")


def mockserver(port: int, documents: list[str], workers: int = 1) -> list[str]:
    """The command serving ``documents`` with mockserver."""
    return [PYTHON, "-m", "mockserver", "serve", *documents, "--port", str(port),
            "--workers", str(workers)]


def bare(port: int) -> list[str]:
    """The bare Starlette app, under the same ASGI server and settings as mockserver."""
    return [PYTHON, "-m", "granian", "--interface", "asgi", "--port", str(port),
            "--log-level", "warning", "bench.bare_app:app"]
