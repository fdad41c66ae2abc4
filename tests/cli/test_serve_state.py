"""`mockserver serve --state`: writes shared by worker processes, and kept across restarts.

Each test runs real servers (granian workers) over real sockets. Which worker answered a
request is read from the operating system (the process holding the accepted connection),
so the server exposes nothing new for it.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mockserver.cli.serve import state_url
from mockserver.errors import UsageError
from tests.conftest import DATA, ROOT, await_server, free_port, launch, stop

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc")
AUTH = {"Authorization": "Bearer mock-token", "Content-Type": "application/json"}


@contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[int]:
    """``mockserver serve`` on the CRUD document; yields its port once it answers."""
    port = free_port()
    process = launch(
        "serve",
        str(DATA / "crud-3.1.yaml"),
        "--port",
        str(port),
        "--fixtures",
        str(tmp_path),
        *options,
    )
    await_server(process, f"http://127.0.0.1:{port}/")
    try:
        yield port
    finally:
        stop(process)


def call(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any, int | None]:
    """One request on a new connection: (status, JSON body, pid of the worker that answered)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, "/crud-3.1/api" + path, body=payload, headers=AUTH)
        response = connection.getresponse()
        data = response.read()
        pid = worker_of(port, connection.sock.getsockname()[1])
    finally:
        connection.close()
    return response.status, json.loads(data) if data else None, pid


def worker_of(server_port: int, client_port: int) -> int | None:
    """The process holding the server's end of the connection from ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            inode = fields[9]
    if inode is None:
        return None
    wanted = f"socket:[{inode}]"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == wanted for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None


def until_another_worker(
    port: int, first: int | None, ask: Callable[[], tuple[int, Any, int | None]]
) -> list[int]:
    """Ask until a worker other than ``first`` answers; every status seen, in order."""
    statuses = []
    for _ in range(300):
        status, _, pid = ask()
        statuses.append(status)
        if pid is not None and pid != first:
            return statuses
    pytest.fail(f"only worker {first} answered 300 requests")


@pytest.mark.subprocess
@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_create_on_one_worker_is_seen_by_the_other(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'state.db'}"
        if store == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    with serving(tmp_path, "--workers", "2", "--state", url) as port:
        status, owner, creator = call(port, "POST", "/owners", {"name": "Ada", "city": "Oslo"})
        assert status == 201 and creator is not None
        path = f"/owners/{owner['id']}"
        statuses = until_another_worker(port, creator, lambda: call(port, "GET", path))
        assert set(statuses) == {200}
        # and a delete through one is seen by the other
        status, _, deleter = call(port, "DELETE", path)
        assert status == 204
        statuses = until_another_worker(port, deleter, lambda: call(port, "GET", path))
        assert set(statuses) == {404}


@pytest.mark.subprocess
def test_sqlite_keeps_the_writes_across_a_restart(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 'state.db'}"
    with serving(tmp_path, "--state", state) as port:
        status, owner, _ = call(port, "POST", "/owners", {"name": "Ada", "city": "Oslo"})
        assert status == 201
    with serving(tmp_path, "--state", state) as port:
        status, again, _ = call(port, "GET", f"/owners/{owner['id']}")
    assert status == 200 and again == owner


def test_memory_cannot_be_shared_by_workers_so_sqlite_is_the_default() -> None:
    assert state_url(None, 1) == "memory:"
    assert state_url(None, 2).startswith("sqlite:////") and state_url(None, 2).endswith("state.db")
    with pytest.raises(UsageError, match="cannot be shared by 2 worker processes"):
        state_url("memory:", 2)
    assert state_url("sqlite:///state.db", 2) == f"sqlite:///{Path('state.db').resolve()}"
    assert state_url("redis://127.0.0.1:6379/0", 4) == "redis://127.0.0.1:6379/0"


@pytest.mark.subprocess
def test_an_unreachable_store_stops_start_up_with_one_line(tmp_path: Path) -> None:
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            str(DATA / "crud-3.1.yaml"),
            "--port",
            str(port),
            "--state",
            f"redis://127.0.0.1:{free_port()}/0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "the store cannot be reached" in result.stderr + result.stdout
