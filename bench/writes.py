"""Writes per store, at 100, 1,000 and 10,000 records in one session: bench/writes.md.

Over sockets, for each ``--state`` (memory, SQLite, Redis: a redis-server started here on
a free port), one ``mockserver serve`` worker on the CRUD test document. Its session
``bench`` is grown to each size by POSTs, then measured with wrk (1 thread, 8
connections): the write mix (a POST of an owner, then a GET, a PUT and a DELETE of it at
its Location, so the session keeps its size), and reads of the session's records (GETs
cycling through them) beside reads of a session that changed nothing.
Then, in process (no sockets, so only the store and the session's index are measured),
how creates and reads scale with the session's size, per store. ``make bench`` and
``python -m bench.writes`` write both tables to bench/writes.md, which the docs include.
"""

from __future__ import annotations

import asyncio
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import servers
from mockserver.serve.app import create_app_from_paths
from mockserver.serve.mount import ServeOptions
from mockserver.serve.state import open_store

CRUD = str(servers.ROOT / "tests" / "data" / "crud-3.1.yaml")
OWNERS = "/crud-3.1/api/owners"
WRITES = Path(__file__).resolve().parent / "writes.md"
READ_SECONDS = 3
MIX_SECONDS = 3
SESSION = "bench"
AUTH = {"Authorization": "Bearer mock-token"}
# One Lua state per wrk thread, shared by its connections: a 201 queues a GET of the new
# record, the GET's answer its PUT, the PUT's its DELETE; a connection with nothing queued
# POSTs. The session's live records stay at N however long it runs.
MIX = """
local read = {["Authorization"] = "Bearer mock-token", ["X-Mock-Session"] = "%(session)s"}
local json = {["Authorization"] = "Bearer mock-token", ["X-Mock-Session"] = "%(session)s",
              ["Content-Type"] = "application/json"}
local made = '{"name": "Ada Lovelace", "city": "London", "password": "correct horse"}'
local replaced = '{"name": "Ada Lovelace", "city": "Paris"}'
local queue, head, tail = {}, 1, 0
local function push(step) tail = tail + 1; queue[tail] = step end
request = function()
  if head <= tail then
    local step = queue[head]
    queue[head] = nil
    head = head + 1
    return wrk.format(step[1], step[2], step[3], step[4])
  end
  return wrk.format("POST", "%(owners)s", json, made)
end
response = function(status, headers, body)
  -- one step at a time per record (connections run in parallel): the body says which
  local id = string.match(body, '"id":%%s*(%%d+)')
  if not id then return end
  local at = "%(owners)s/" .. id
  if status == 201 then
    push({"GET", at, read, nil})
  elseif status == 200 and string.find(body, "London", 1, true) then
    push({"PUT", at, json, replaced})
  elseif status == 200 then
    push({"DELETE", at, read, nil})
  end
end
"""
# GETs cycling through the ids of one session's records.
READS = """
wrk.headers["Authorization"] = "Bearer mock-token"
wrk.headers["X-Mock-Session"] = "%(session)s"
local ids = {%(ids)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "%(owners)s/" .. ids[n %% #ids + 1], nil, nil)
end
"""
GENERATED = range(1, 21)  # owners 1..20 are generated in every session (no fixtures)


def write_heavy(target: Path, wrk: list[str]) -> None:
    """Measure each store over sockets and in process; write both tables to ``target``."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as folder, _redis() as redis:
        stores = {"memory": "memory:", "sqlite": f"sqlite:///{Path(folder) / 'state.db'}"}
        if redis is not None:
            stores["redis"] = redis
        for name, url in stores.items():
            for size, mix, changed, unchanged, errors in _over_sockets(wrk, Path(folder), url):
                figures = f"{mix:,.0f} | {changed:,.0f} | {unchanged:,.0f} | {errors}"
                rows.append(f"| {name} | {size} | {figures} |")  # no comma: a count, not a figure
                print(
                    f"  {name} at {size:,}: mix {mix:,.0f} req/s, reads {changed:,.0f} req/s "
                    f"(unchanged session {unchanged:,.0f}), {errors} non-2xx",
                    flush=True,
                )
    text = (
        "## Writes per store, as a session grows\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end (a shared machine: compare rows, not runs).\n\n"
        f"One worker per `--state`; the session holds N records (POSTed before each row). "
        f"wrk -t1 -c8: the write mix is {MIX_SECONDS} s of a POST to `{OWNERS}`, then a GET, "
        "a PUT and a DELETE of the record at its `Location` (so the session keeps N records); "
        f"reads are {READ_SECONDS} s of GETs cycling through the session's N records, and "
        "of a session that changed nothing.\n\n"
        "| store | records in the session | write mix req/s | reads req/s (the session) "
        "| reads req/s (unchanged session) | non-2xx |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    target.write_text(text, encoding="utf-8")
    session_scaling(target)


def _over_sockets(
    wrk: list[str], folder: Path, url: str
) -> list[tuple[int, float, float, float, int]]:
    """(size, mix req/s, reads req/s of the session, of an unchanged one, non-2xx) per size."""
    port = servers.free_port()
    empty = folder / "fixtures"  # no fixtures: generated owners
    empty.mkdir(exist_ok=True)
    command = [*servers.mockserver(port, [CRUD]), "--state", url, "--fixtures", str(empty)]
    found = []
    with servers.running("mockserver", command, port, OWNERS, AUTH) as server:
        httpx.post(server.base + "/__mock/reset", headers={"Content-Type": "application/json"})
        _wrk(wrk, folder, server.base, MIX, {"session": "warm"}, 1)  # first PUTs compile
        held: list[int] = []
        for size in SIZES:
            held += _grow(server.base, size - len(held))
            mix, mix_errors = _wrk(wrk, folder, server.base, MIX, {}, MIX_SECONDS)
            reads = {"ids": ",".join(map(str, held))}
            changed, errors = _wrk(wrk, folder, server.base, READS, reads, READ_SECONDS)
            clean = {"ids": ",".join(map(str, GENERATED)), "session": "clean"}
            unchanged, clean_errors = _wrk(wrk, folder, server.base, READS, clean, READ_SECONDS)
            found.append((size, mix, changed, unchanged, mix_errors + errors + clean_errors))
    return found


def _grow(base: str, count: int) -> list[int]:
    """POST ``count`` owners into the session (4 connections); their ids."""
    headers = {**AUTH, "X-Mock-Session": SESSION}

    def post(share: int) -> list[int]:
        made = []
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for _ in range(share):
                answer = client.post(OWNERS, json={"name": "Grown", "city": "Oslo"})
                assert answer.status_code == 201, answer.text
                made.append(int(answer.json()["id"]))
        return made

    shares = [count // 4 + (1 if n < count % 4 else 0) for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        return [number for made in pool.map(post, shares) for number in made]


def _wrk(
    wrk: list[str], folder: Path, base: str, script: str, values: dict[str, str], seconds: int
) -> tuple[float, int]:
    path = folder / "script.lua"
    path.write_text(script % {"session": SESSION, "owners": OWNERS, **values})
    out = subprocess.run(
        [*wrk, "-t1", "-c8", f"-d{seconds}s", "-s", str(path), base + OWNERS],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(errors.group(1)) if errors else 0


def _machine() -> str:
    return f"{os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}"


SIZES = (100, 1_000, 10_000)
PER_SIZE = 300  # creates, then reads, timed at each size, in rounds (the best is kept)
ROUNDS = 3
FIXTURE_OWNERS = 20  # owners 1..20 exist in every session: generated, no fixtures folder


def session_scaling(results: Path) -> list[str]:
    """Creates/s and reads/s (a changed session, an unchanged one) at each session size,
    per store; appends the table to ``results`` and returns its rows."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as folder, _redis() as redis_url:
        stores = {"memory": "memory:", "sqlite": f"sqlite:///{Path(folder) / 'scale.db'}"}
        if redis_url is not None:
            stores["redis"] = redis_url
        for name, url in stores.items():
            for size, creates, changed, unchanged in _scaling(url):
                figures = f"{creates:,.0f} | {changed:,.0f} | {unchanged:,.0f}"
                rows.append(f"| {name} | {size} | {figures} |")  # no comma: a count, not a figure
                print(
                    f"  {name} at {size:,}: creates {creates:,.0f}/s, reads {changed:,.0f}/s "
                    f"(unchanged session {unchanged:,.0f}/s)",
                    flush=True,
                )
    text = (
        "\n## Writes in process, as a session grows (per `--state`)\n\n"
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
                import redis  # noqa: PLC0415  (the client mockserver itself uses)

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
    write_heavy(WRITES, found)
    print(WRITES.read_text())
