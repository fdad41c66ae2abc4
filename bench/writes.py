"""A write-heavy mix per store: create an owner, then read it back at its Location.

wrk (1 thread, 8 connections) alternates a POST and a GET of the record just created, on
the CRUD test document, for each ``--state``: memory, SQLite and Redis (a redis-server
started here on a free port). Then, in process (no sockets, so only the store and the
session's index are measured), how creates and reads scale with the session's size: at
100, 1,000 and 10,000 records written in one session. Appends both to bench/results.md.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench import servers
from mockserver.serve.app import create_app_from_paths
from mockserver.serve.mount import ServeOptions
from mockserver.serve.state import open_store

CRUD = str(servers.ROOT / "tests" / "data" / "crud-3.1.yaml")
OWNERS = "/crud-3.1/api/owners"
SECONDS = 5
# One Lua state per wrk thread: after each 201, the next request reads the new record.
SCRIPT = (
    """
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
"""
    % OWNERS
)


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
    session_scaling(results)


SIZES = (100, 1_000, 10_000)
PER_SIZE = 300  # creates, then reads, timed at each size, in rounds (the best is kept)
ROUNDS = 3
FIXTURE_OWNERS = 20  # owners 1..20 exist in every session: generated, no fixtures folder


def session_scaling(results: Path) -> list[str]:
    """Creates/s and reads/s (a changed session, an unchanged one) at each session size,
    per store; appends the table to ``results`` and returns its rows."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as folder, _redis() as redis_url:
        stores = {"memory:": "memory:", "sqlite": f"sqlite:///{Path(folder) / 'scale.db'}"}
        if redis_url is not None:
            stores["redis"] = redis_url
        for name, url in stores.items():
            for size, creates, changed, unchanged in _scaling(url):
                figures = f"{creates:,.0f} | {changed:,.0f} | {unchanged:,.0f}"
                rows.append(f"| {name} | {size:,} | {figures} |")
                print(
                    f"  {name} at {size:,}: creates {creates:,.0f}/s, reads {changed:,.0f}/s "
                    f"(unchanged session {unchanged:,.0f}/s)",
                    flush=True,
                )
    text = (
        "\n## Writes as a session grows (in process, per `--state`)\n\n"
        f"{PER_SIZE} POSTs to `{OWNERS}` in one session holding N written records, then "
        f"{PER_SIZE} GETs of distinct records of it, and GETs of the (generated) records of a "
        f"session that changed nothing; best of {ROUNDS} rounds each. Reads repeat ids, so "
        "both read columns include the answer cache (per session and version) after an id's "
        "first read.\n\n"
        "| store | records in the session | creates/s | reads/s (changed) | reads/s (unchanged) |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    with results.open("a", encoding="utf-8") as out:
        out.write(text)
    return rows


def _scaling(url: str) -> list[tuple[int, float, float, float]]:
    return asyncio.run(_scaling_async(url))


async def _scaling_async(url: str) -> list[tuple[int, float, float, float]]:
    store = open_store(url, timeout=30)
    store.reset()
    app = create_app_from_paths([Path(CRUD)], ServeOptions(fixtures_dir=None, state=store))
    headers = {"Authorization": "Bearer mock-token"}
    found = []
    written = direct = 0  # records in the session; of them, written straight in the store
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        for size in SIZES:
            for n in range(direct, direct + size - written):  # grow it straight in the store
                record = {
                    "id": 100_000 + n,
                    "name": f"Owner {n}",
                    "city": "Oslo",
                    "createdAt": "2024-01-01T00:00:00Z",
                }
                store.write("big", "crud-3.1/owners", str(record["id"]), record)
            direct, written = direct + size - written, size
            big = {**headers, "X-Mock-Session": "big"}
            await client.get(OWNERS + "/100000", headers=big)  # the session's index, built once
            if size == SIZES[0]:  # warm up: validators, generators, the answer path
                await _creates(client, {**headers, "X-Mock-Session": "warm"}, PER_SIZE)
            rounds = [await _creates(client, big, PER_SIZE // ROUNDS) for _ in range(ROUNDS)]
            written += PER_SIZE
            ids = [100_000 + n % direct for n in range(PER_SIZE)]  # written straight in the store
            clean = {**headers, "X-Mock-Session": f"clean{size}"}
            changed = max([await _reads(client, big, ids) for _ in range(ROUNDS)])
            fixtures = [1 + n % FIXTURE_OWNERS for n in range(PER_SIZE)]  # generated ones
            unchanged = max([await _reads(client, clean, fixtures) for _ in range(ROUNDS)])
            found.append((size, max(rounds), changed, unchanged))
    store.close()
    return found


async def _creates(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        made = await client.post(OWNERS, json={"name": "Ada", "city": "Oslo"}, headers=headers)
        assert made.status_code == 201, made.text
    return count / (time.perf_counter() - started)


async def _reads(client: httpx.AsyncClient, headers: dict[str, str], ids: list[int]) -> float:
    started = time.perf_counter()
    for number in ids:
        read = await client.get(f"{OWNERS}/{number}", headers=headers)
        assert read.status_code == 200, read.text
    return len(ids) / (time.perf_counter() - started)


def _measure(wrk: list[str], script: Path, state: str) -> tuple[float, int]:
    port = servers.free_port()
    empty = Path(tempfile.mkdtemp(prefix="mockserver-bench-"))  # no fixtures: generated owners
    command = [*servers.mockserver(port, [CRUD]), "--state", state, "--fixtures", str(empty)]
    with servers.running(
        "mockserver", command, port, OWNERS, {"Authorization": "Bearer mock-token"}
    ) as server:
        out = subprocess.run(
            [*wrk, "-t1", "-c8", f"-d{SECONDS}s", "-s", str(script), server.base + OWNERS],
            capture_output=True,
            text=True,
            timeout=SECONDS + 60,
            check=False,
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
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
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
    import sys

    from bench import tools

    if sys.argv[1:] == ["--scaling"]:  # the in-process part only (no wrk needed)
        session_scaling(Path(__file__).resolve().parent / ".work" / "scaling.md")
        raise SystemExit(0)

    found = tools.wrk()
    if found is None:
        raise SystemExit("wrk is not available")
    target = Path(__file__).resolve().parent / ".work" / "writes.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text("")
    write_heavy(target, found)
    print(target.read_text())
