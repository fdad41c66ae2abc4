"""A write-heavy mix per store: create an owner, then read it back at its Location.

wrk (1 thread, 8 connections) alternates a POST and a GET of the record just created, on
the CRUD test document, for each ``--state``: memory, SQLite and Redis (a redis-server
started here on a free port). Appends a section to bench/results.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench import servers

CRUD = str(servers.ROOT / "tests" / "data" / "crud-3.1.yaml")
OWNERS = "/crud-3.1/api/owners"
SECONDS = 5
# One Lua state per wrk thread: after each 201, the next request reads the new record.
SCRIPT = """
wrk.method = "POST"
wrk.body = '{"name": "Ada Lovelace", "city": "London", "password": "correct horse"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer mock-token"
local fetch = nil
request = function()
  if fetch then
    local path = fetch
    fetch = nil
    return wrk.format("GET", path, nil, nil)
  end
  return wrk.format("POST", "%s", nil, wrk.body)
end
response = function(status, headers, body)
  if status == 201 then fetch = headers["Location"] end
end
""" % OWNERS


def write_heavy(results: Path, wrk: list[str]) -> None:
    """Measure each store and append the table to ``results``."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as folder:
        script = Path(folder) / "mix.lua"
        script.write_text(SCRIPT)
        with _redis() as redis_url:
            stores = {
                "memory:": "memory:",
                "sqlite": f"sqlite:///{Path(folder) / 'state.db'}",
                "redis": redis_url,
            }
            for name, url in stores.items():
                if url is None:
                    continue
                rps, errors = _measure(wrk, script, url)
                rows.append(f"| {name} | {rps:,.0f} | {errors} |")
                print(f"  write mix on {name}: {rps:,.0f} req/s, {errors} non-2xx", flush=True)
    text = (
        "\n## Writes: create, then read back (per `--state`)\n\n"
        f"wrk -t1 -c8 -d{SECONDS}s, POST `{OWNERS}` then GET its `Location`, one worker.\n\n"
        "| store | req/s | non-2xx |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    with results.open("a", encoding="utf-8") as out:
        out.write(text)


def _measure(wrk: list[str], script: Path, state: str) -> tuple[float, int]:
    port = servers.free_port()
    command = [*servers.mockserver(port, [CRUD]), "--state", state, "--fixtures", "/nonexistent"]
    with servers.running("mockserver", command, port, OWNERS, {"Authorization": "Bearer mock-token"}) as server:
        out = subprocess.run(
            [*wrk, "-t1", "-c8", f"-d{SECONDS}s", "-s", str(script), server.base + OWNERS],
            capture_output=True, text=True, timeout=SECONDS + 60, check=False,
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(errors.group(1)) if errors else 0


class _redis:
    """A redis-server on a free port for the run, or None when it is not installed."""

    def __enter__(self) -> str | None:
        binary = shutil.which("redis-server")
        self.process = None
        if binary is None:
            return None
        port = servers.free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                import redis  # the client mockserver itself uses

                redis.Redis(port=port).ping()
                return f"redis://127.0.0.1:{port}/0"
            except Exception:
                time.sleep(0.05)
        return None

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


if __name__ == "__main__":  # python -m bench.writes: this section alone
    from bench import tools

    found = tools.wrk()
    if found is None:
        raise SystemExit("wrk is not available")
    target = Path(__file__).resolve().parent / ".work" / "writes.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text("")
    write_heavy(target, found)
    print(target.read_text())
