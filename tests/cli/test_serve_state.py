"""`mockserver serve --state`: writes shared by worker processes, and kept across restarts.

Each test runs real servers (granian workers) over real sockets. Which worker answered a
request is read from the operating system (the process holding the accepted connection),
so the server exposes nothing new for it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.cli.serve import TEMPORARY_SQLITE, state_url
from mockserver.errors import UsageError
from tests.conftest import CONTROL, DATA, ROOT, await_server, free_port, launch, stop

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc")
AUTH = {"Authorization": "Bearer mock-token", "Content-Type": "application/json"}


@contextmanager
def serving(
    tmp_path: Path,
    *options: str,
    document: Path = DATA / "crud-3.1.yaml",
    env: dict[str, str] | None = None,
) -> Iterator[int]:
    """``mockserver serve`` on ``document`` (the CRUD one); yields its port once it answers."""
    with launched(tmp_path, *options, document=document, env=env) as (port, _):
        yield port


@contextmanager
def launched(
    tmp_path: Path,
    *options: str,
    document: Path = DATA / "crud-3.1.yaml",
    env: dict[str, str] | None = None,
) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """(port, process) of a server in a process group of its own, once it answers."""
    port = free_port()
    process = launch(
        "serve", str(document), "--port", str(port), "--fixtures", str(tmp_path), *options,
        env=env, own_group=True,
    )  # fmt: skip
    await_server(process, f"http://127.0.0.1:{port}/")
    try:
        yield port, process
    finally:
        if process.poll() is None:
            stop(process)
        else:
            process.communicate()


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
    # a temporary SQLite file, made by serve once every option has been checked
    assert state_url(None, 2) == TEMPORARY_SQLITE
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


# -- a shared mock that loses nothing -------------------------------------------------

FIELDS = [f"f{n}" for n in range(16)]
NOTES = {
    "openapi": "3.1.0",
    "info": {"title": "Notes", "version": "1.0"},
    "paths": {
        "/notes": {
            "post": {
                "operationId": "createNote",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}
                        },
                    }
                },
            }
        },
        "/notes/{noteId}": {
            "parameters": [
                {"name": "noteId", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "operationId": "getNote",
                "responses": {
                    "200": {
                        "description": "a note",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}
                        },
                    },
                    "404": {"description": "not found"},
                },
            },
            "patch": {
                "operationId": "updateNote",
                "requestBody": {
                    "required": True,
                    "content": {"application/merge-patch+json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": {
                        "description": "updated",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}
                        },
                    },
                    "404": {"description": "not found"},
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Note": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "title": {"type": "string"},
                    **{name: {"type": "integer"} for name in FIELDS},
                },
            }
        }
    },
}
MERGE = {"Content-Type": "application/merge-patch+json"}


def notes_document(tmp_path: Path) -> Path:
    """The notes document (a record with 16 integer fields), written into ``tmp_path``."""
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(NOTES))
    return path


def start_redis(port: int, *extra: str) -> subprocess.Popen[bytes]:
    """A redis-server of this test's own (it gets killed, stopped, restarted empty)."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # readiness, not timing: poll until it answers
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            assert process.poll() is None, "redis-server exited"
    pytest.fail(f"redis-server did not start on port {port}")


@contextmanager
def own_redis(*extra: str) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """(its URL, [the running process]): a test may replace the process in the list."""
    port = free_port()
    processes = [start_redis(port, *(extra or ("--appendonly", "no")))]
    try:
        yield f"redis://127.0.0.1:{port}/0", processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()
                process.wait(timeout=30)


def patch_own_field(base: str, path: str, field: str) -> list[int]:
    """One client: sets its own field to 1..10, one PATCH each, on a new connection each
    time (so both workers see it). The values each 200 acknowledged."""
    acknowledged = []
    for value in range(1, 11):
        response = httpx.patch(
            base + path, content=json.dumps({field: value}), headers=MERGE, timeout=30
        )
        if response.status_code == 200:
            acknowledged.append(value)
    return acknowledged


@pytest.mark.subprocess
@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_two_workers_and_16_clients_patching_one_record_lose_no_field(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'state.db'}"
        if store == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    options = ("--workers", "2", "--state", url, "--state-timeout", "10")
    with serving(tmp_path, *options, document=notes_document(tmp_path)) as port:
        base = f"http://127.0.0.1:{port}/notes"
        created = httpx.post(base + "/notes", json={"title": "shared"}, timeout=30)
        assert created.status_code == 201
        path = f"/notes/{created.json()['id']}"
        with ThreadPoolExecutor(16) as pool:
            acknowledged = list(pool.map(lambda f: patch_own_field(base, path, f), FIELDS))
        final = httpx.get(base + path, timeout=30).json()
    assert sum(map(len, acknowledged)) == 160  # every PATCH was acknowledged...
    lost = [f for f, acks in zip(FIELDS, acknowledged, strict=True) if final.get(f) != max(acks)]
    assert lost == []  # ...and none of them lost
    assert final["title"] == "shared"


@pytest.mark.redis
@pytest.mark.subprocess
def test_two_instances_sharing_one_redis_see_each_others_writes_and_reset_together(
    tmp_path: Path, redis_url: str
) -> None:
    document = notes_document(tmp_path)
    with (
        serving(tmp_path, "--state", redis_url, document=document) as first,
        serving(tmp_path, "--state", redis_url, document=document) as second,
    ):
        one, two = f"http://127.0.0.1:{first}", f"http://127.0.0.1:{second}"
        alice = {"X-Mock-Session": "alice"}
        created = httpx.post(one + "/notes/notes", json={"title": "A"}, headers=alice)
        assert created.status_code == 201
        path = f"/notes/notes/{created.json()['id']}"
        seen = httpx.get(two + path, headers=alice)  # at once: no cache outlives a write
        assert seen.status_code == 200 and seen.json() == created.json()
        assert httpx.get(two + path, headers={"X-Mock-Session": "bob"}).status_code == 404
        patched = httpx.patch(two + path, content='{"title": "B"}', headers={**alice, **MERGE})
        assert patched.status_code == 200
        assert httpx.get(one + path, headers=alice).json()["title"] == "B"
        assert httpx.post(two + "/__mock/reset", headers=CONTROL).status_code == 200
        assert httpx.get(one + path, headers=alice).status_code == 404


@pytest.mark.redis
@pytest.mark.subprocess
def test_a_killed_redis_is_a_503_naming_it_and_a_restarted_empty_one_serves_no_stale_read(
    tmp_path: Path,
) -> None:
    with (
        own_redis() as (url, processes),
        serving(
            tmp_path, "--state", url, "--state-timeout", "1", document=notes_document(tmp_path)
        ) as port,
    ):
        base = f"http://127.0.0.1:{port}"
        old = httpx.post(base + "/notes/notes", json={"title": "old"}).json()
        assert httpx.get(base + f"/notes/notes/{old['id']}").json()["title"] == "old"
        processes[0].kill()
        processes[0].wait(timeout=30)
        failed = httpx.post(base + "/notes/notes", json={"title": "lost"}, timeout=30)
        assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"
        assert url in failed.json()["detail"]
        assert httpx.get(base + "/__mock/journal", timeout=30).status_code == 200
        state = httpx.get(base + "/__mock/state", timeout=30)
        assert state.status_code == 503 and state.json()["health"]["status"] == "unavailable"
        processes.append(start_redis(int(url.rsplit(":", 1)[1].split("/")[0])))  # empty
        new = httpx.post(base + "/notes/notes", json={"title": "new"}, timeout=30)
        assert new.status_code == 201  # recovered, without a restart
        again = httpx.get(base + f"/notes/notes/{new.json()['id']}", timeout=30)
        assert again.json()["title"] == "new"  # not the lost record that had its id
        assert httpx.get(base + "/__mock/state").json()["health"]["status"] == "ok"


@pytest.mark.redis
@pytest.mark.subprocess
def test_a_stopped_redis_is_a_503_within_the_timeout_while_the_journal_answers(
    tmp_path: Path,
) -> None:
    with (
        own_redis() as (url, processes),
        serving(
            tmp_path, "--state", url, "--state-timeout", "3", document=notes_document(tmp_path)
        ) as port,
    ):
        base = f"http://127.0.0.1:{port}"
        created = httpx.post(base + "/notes/notes", json={"title": "kept"}).json()
        path = f"/notes/notes/{created['id']}"
        processes[0].send_signal(signal.SIGSTOP)
        with ThreadPoolExecutor(1) as pool:
            hanging = pool.submit(
                httpx.patch, base + path, content='{"title": "x"}', headers=MERGE, timeout=30
            )
            started = time.monotonic()
            journal = httpx.get(base + "/__mock/journal", timeout=30)
            took = time.monotonic() - started
            answer = hanging.result()
        assert journal.status_code == 200
        assert took < 2.0  # well inside the store's 3 s: the loop was never blocked
        # the store's own socket timeout or the server's deadline, whichever comes first
        assert answer.status_code == 503 and url in answer.json()["detail"]
        assert "may have been applied" in answer.json()["detail"]  # so the client reads first
        with ThreadPoolExecutor(1) as pool:  # a reset waits on the store's thread too
            resetting = pool.submit(httpx.post, base + "/__mock/reset", headers=CONTROL, timeout=30)
            slowest = 0.0
            while not resetting.done():  # the journal answers all the while the reset waits
                started = time.monotonic()
                assert httpx.get(base + "/__mock/journal", timeout=30).status_code == 200
                slowest = max(slowest, time.monotonic() - started)
            reset = resetting.result()
        assert reset.status_code == 503 and url in reset.json()["detail"]
        assert "may have been applied" in reset.json()["detail"]
        assert slowest < 2.0
        processes[0].send_signal(signal.SIGCONT)
        # recovered, without a restart. The timed-out PATCH and reset were both sent and may
        # yet have been applied once Redis went on (as their 503s say): the note is as it
        # was, patched, or gone with the reset
        after = httpx.get(base + path, timeout=30)
        assert after.status_code in (200, 404)
        if after.status_code == 200:
            assert after.json()["title"] in ("kept", "x")
        new = httpx.post(base + "/notes/notes", json={"title": "new"}, timeout=30)
        assert new.status_code == 201
        assert httpx.get(base + f"/notes/notes/{new.json()['id']}").json()["title"] == "new"


@pytest.mark.subprocess
def test_a_temporary_state_folder_is_removed_on_exit_a_named_one_never(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"  # this server's own temporary folder, watched alone
    temporary.mkdir()
    with serving(tmp_path, "--workers", "2", env={"TMPDIR": str(temporary)}) as port:
        assert call(port, "POST", "/owners", {"name": "Ada", "city": "Oslo"})[0] == 201
        made = {p.name.split("-")[1] for p in temporary.iterdir()}
        assert made == {"state", "journal", "start"}  # start: the workers' first-load report
    assert list(temporary.iterdir()) == []
    named = tmp_path / "named.db"
    with serving(tmp_path, "--workers", "2", "--state", f"sqlite:///{named}") as port:
        assert call(port, "POST", "/owners", {"name": "Ada", "city": "Oslo"})[0] == 201
    assert named.exists()


def create_until_killed(base: str, acknowledged: list[int], stop: threading.Event) -> None:
    """One client creating owners until the server dies; the ids of each 201."""
    while not stop.is_set():
        try:
            made = httpx.post(base, json={"name": "Ada", "city": "Oslo"}, headers=AUTH, timeout=5)
        except httpx.TransportError:
            return
        if made.status_code == 201:
            acknowledged.append(made.json()["id"])


@pytest.mark.subprocess
@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_every_acknowledged_write_survives_a_sigkill_mid_write(store: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        if store == "sqlite":
            url = f"sqlite:///{tmp_path / 'state.db'}"
        else:  # every write appended and fsynced before it is acknowledged
            aof = ("--appendonly", "yes", "--appendfsync", "always", "--dir", str(tmp_path))
            url, _ = stack.enter_context(own_redis(*aof))
        acknowledged: list[int] = []
        stop = threading.Event()
        with launched(tmp_path, "--workers", "2", "--state", url) as (port, server):
            base = f"http://127.0.0.1:{port}/crud-3.1/api/owners"
            clients = [
                threading.Thread(target=create_until_killed, args=(base, acknowledged, stop))
                for _ in range(8)
            ]
            for client in clients:
                client.start()
            while len(acknowledged) < 40 and any(c.is_alive() for c in clients):
                stop.wait(0.01)  # polling a count, not timing
            os.killpg(server.pid, signal.SIGKILL)  # the whole server, mid-write
            stop.set()
            for client in clients:
                client.join()
        assert len(acknowledged) >= 40
        with serving(tmp_path, "--state", url) as port:
            lost = [n for n in acknowledged if call(port, "GET", f"/owners/{n}")[0] != 200]
        assert lost == []
