"""Start-up does not grow with the number of operations: an operation's validators and
shapes are compiled on its first request, and only its own; a document from the cache serves
the same answers; ``serve`` loads the document in its worker, once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.serve.app import create_app
from mockserver.serve.mount import MountedApi, load_apis
from mockserver.serve.options import ServeOptions
from mockserver.spec.cache import DocumentCache
from tests.conftest import DATA, TOKEN, Client, await_server, free_port, launch, stop

BASE = "/keywords-3.1/zoo/v1"
#: What a plan builds on its operation's first request.
LAZY = ("parameters", "bodies", "form_shapes", "pattern_warning")


def _built(api: MountedApi) -> set[str]:
    """The operations whose plan has compiled anything."""
    return {p.op.operation_id for p in api.plans if any(name in vars(p) for name in LAZY)}


@pytest.fixture
def zoo() -> Iterator[tuple[MountedApi, Client]]:
    options = ServeOptions(fixtures_dir=None)
    [api] = load_apis([DATA / "keywords-3.1.yaml"], options)
    client = Client(create_app([api], options))
    yield api, client
    client.close()


def test_nothing_is_compiled_at_start_up(zoo: tuple[MountedApi, Client]) -> None:
    api, _ = zoo
    assert len(api.plans) >= 4
    assert _built(api) == set()


def test_the_first_request_compiles_its_own_operation_only(
    zoo: tuple[MountedApi, Client],
) -> None:
    api, client = zoo
    assert client.get(f"{BASE}/things", headers=TOKEN).status_code == 200
    assert _built(api) == {"listThings"}
    assert client.get(f"{BASE}/things", headers=TOKEN).status_code == 200
    assert _built(api) == {"listThings"}


def test_a_first_request_is_judged_as_strictly_as_any(zoo: tuple[MountedApi, Client]) -> None:
    api, client = zoo
    refused = client.get(f"{BASE}/things?limit=500", headers=TOKEN)
    assert refused.status_code in (400, 422)
    assert "limit" in refused.text
    bad_body = client.post(f"{BASE}/things", json={"kind": "gadget"}, headers=TOKEN)
    assert bad_body.status_code in (400, 422)
    assert _built(api) == {"listThings", "createThing"}


def test_a_document_from_the_cache_serves_the_same_answers(tmp_path: Path) -> None:
    paths = ["/things", "/things/abc", "/things?limit=500"]
    answers = []
    cache = DocumentCache(tmp_path / "cache")
    for use in (None, cache, cache):  # uncached, filling the cache, from the cache
        options = ServeOptions(fixtures_dir=None, cache=use)
        client = Client(create_app(load_apis([DATA / "keywords-3.1.yaml"], options), options))
        try:
            answers.append([(r.status_code, r.text) for r in _get(client, paths)])
        finally:
            client.close()
    assert sorted(cache.folder.glob("*.pickle"))
    assert answers[0] == answers[1] == answers[2]


def _get(client: Client, paths: list[str]) -> list[object]:
    return [client.get(BASE + p, headers=TOKEN) for p in paths]


@pytest.mark.subprocess
def test_every_worker_loads_and_one_prints_the_banner(tmp_path: Path) -> None:
    port = free_port()
    process = launch(
        "serve",
        str(DATA / "keywords-3.1.yaml"),
        "--port",
        str(port),
        "--workers",
        "2",
        "--fixtures",
        str(tmp_path),
    )
    await_server(process, f"http://127.0.0.1:{port}/")
    output = stop(process)
    assert output.count("mockserver serving 1 API") == 1, output
    assert "keywords-3.1" in output


@pytest.mark.subprocess
def test_a_first_load_that_fails_in_the_worker_stops_serve_with_one_line(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "api.yaml"
    broken.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {$ref: '#/no'}}\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            str(tmp_path / "api.yaml"),
            "--port",
            str(free_port()),
            "--workers",
            "2",
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    # the error as the parent would have said it (with its fix: line), once, and nothing
    # else: no worker's traceback, no "unexpected exit" from granian
    assert result.stderr.startswith("mockserver serve: "), result.stderr
    assert result.stderr.count("mockserver serve: ") == 1, result.stderr
    assert "MS102" in result.stderr and "api.yaml" in result.stderr
    assert "Traceback" not in result.stderr and "worker" not in result.stderr.lower()
