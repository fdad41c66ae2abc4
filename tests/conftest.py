"""Shared test fixtures: factories for documents, and the Hypothesis profiles."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, settings

from mockserver.serve.app import create_app, create_app_from_paths
from mockserver.serve.mount import MountedApi, ServeOptions, load_apis
from mockserver.spec.loader import load_document
from mockserver.spec.model import ApiDocument

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
VENDORED = ("losant", "launchdarkly", "anaconda", "gorules")

settings.register_profile("dev", max_examples=50)
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WriteDoc = Callable[..., Path]


@functools.cache
def loaded(path: Path) -> ApiDocument:
    """The document at ``path``, loaded on first use and once per test process.

    Test modules call this from fixtures and tests rather than at import, so collecting the
    suite reads no document it does not need. Tests only read documents; none may change one.
    """
    return load_document(path)


@pytest.fixture
def write_doc(tmp_path: Path) -> WriteDoc:
    """Write a document (a dict, or YAML text) into ``tmp_path`` and return its path."""

    def write(content: dict[str, Any] | str, name: str = "api.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif name.endswith(".json"):
            path.write_text(json.dumps(content, indent=2), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    return write


def minimal_doc(version: str = "3.1.0", **paths: Any) -> dict[str, Any]:
    """A valid document of ``version`` with the given paths."""
    head: dict[str, Any] = {"swagger": "2.0"} if version == "2.0" else {"openapi": version}
    return {**head, "info": {"title": "t", "version": "1"}, "paths": paths}


class Client:
    """A synchronous HTTP client for an ASGI app, in process (no sockets)."""

    def __init__(self, app: Any, base_url: str = "http://mock") -> None:
        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=app)
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and wait for the whole response."""
        call = functools.partial(self._client.request, method, url, **kwargs)
        return self._portal.call(call)  # type: ignore[arg-type]

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Release the event loop thread."""
        self._portal.call(self._client.aclose)
        self._portal_cm.__exit__(None, None, None)


MakeClient = Callable[..., Client]


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Build an in-process client for the given documents (fixtures from fixtures/)."""
    made: list[Client] = []

    def make(*paths: Path, **options: Any) -> Client:
        client = Client(create_app_from_paths(list(paths), ServeOptions(**options)))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture(scope="session")
def vendored_apis() -> list[MountedApi]:
    """The four vendored APIs with their fixtures, loaded once."""
    paths = [SPECS / f"{name}.yaml" for name in VENDORED]
    return load_apis(paths, ServeOptions(fixtures_dir=FIXTURES))


@pytest.fixture(scope="session")
def vendored(vendored_apis: list[MountedApi]) -> Iterator[Client]:
    """One client serving the four vendored APIs, shared by many tests."""
    client = Client(create_app(vendored_apis, ServeOptions(fixtures_dir=FIXTURES)))
    yield client
    client.close()


TOKEN = {"Authorization": "Bearer mock-token"}
#: What a program sends with a control request that changes state (SECURITY.md).
CONTROL = {"Content-Type": "application/json"}
RAW_TOKEN = {"Authorization": "mock-token"}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def until(predicate: Callable[[], bool], bound: float = 30) -> bool:
    """Whether ``predicate`` holds within ``bound`` seconds, asked with a short back-off
    between attempts (readiness, not a timing assertion: only the bound is a time)."""
    deadline = time.monotonic() + bound
    pause = 0.02
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
    return True


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 on a new connection now."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def launch(
    *args: str, env: Mapping[str, str] | None = None, own_group: bool = False
) -> subprocess.Popen[str]:
    """``python -m mockserver ARGS`` from the repository root, its output in one pipe;
    ``env`` added to this process's environment; with ``own_group``, in a process group of
    its own (so ``os.killpg`` reaches its workers too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mockserver", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        start_new_session=own_group,
    )


def stop(process: subprocess.Popen[str]) -> str:
    """Terminate ``process`` (killing it if it will not end) and return all its output."""
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def started(process: subprocess.Popen[str], url: str, bound: float = 60) -> bool:
    """Whether the server ``process`` answers ``url`` within ``bound`` seconds; stops
    asking as soon as the process has exited."""
    return until(lambda: process.poll() is not None or answers(url), bound) and answers(url)


def await_server(process: subprocess.Popen[str], url: str, bound: float = 60) -> None:
    """Return once ``url`` answers; otherwise stop the server and fail the test with its
    exit code and output, rather than hand a test a server that never answered."""
    if not started(process, url, bound):
        exited = process.poll()
        output = stop(process)
        why = f"timed out after {bound:.0f} s" if exited is None else f"exited with code {exited}"
        pytest.fail(
            f"the server never answered {url} ({why}); its output:\n{output[-4000:]}",
            pytrace=False,
        )


@contextlib.contextmanager
def serving(*args: str) -> Iterator[str]:
    """``mockserver serve ARGS`` in a subprocess on a free port; yields its base URL once it
    answers (or fails with its output), and stops it (and its workers) afterwards."""
    port = free_port()
    process = launch("serve", "--port", str(port), *args)
    base = f"http://127.0.0.1:{port}"
    await_server(process, base + "/")
    try:
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A real redis-server on a free port for this test process (``make test`` installs
    the Debian package ``redis-server``), stopped afterwards. Its URL, database 0."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run make test, or apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    ready = until(lambda: process.poll() is not None or _pings(client)) and _pings(client)
    client.close()
    if not ready:
        process.kill()
        process.wait(timeout=30)
        pytest.fail(f"redis-server did not start on port {port}")
    yield url
    process.terminate()
    process.wait(timeout=30)


def _pings(client: redis.Redis) -> bool:
    """Whether the Redis behind ``client`` answers a PING now."""
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test Redis, emptied for this test."""
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    client.close()
    return redis_server
