"""The validating proxy, against real providers: a Starlette app that misbehaves on purpose
(:mod:`tests.serve.provider_app`, run by uvicorn) and a second mockserver serving a drifted
copy of the document. The proxy runs in process; every provider is its own process on a
free loopback port, and nothing stands in for the HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.serve.app import create_app_from_paths
from mockserver.serve.options import ProxyOptions, ServeOptions
from tests.conftest import (
    ROOT,
    Client,
    MakeClient,
    WriteDoc,
    await_server,
    free_port,
    launch,
    serving,
    stop,
)

pytestmark = pytest.mark.subprocess

PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "tag": {"type": "string"},
        "password": {"type": "string", "writeOnly": True},
    },
}


def pets_doc() -> dict[str, Any]:
    """The pets API the proxy serves: a list, a get, and an echo taking a JSON body."""

    def json_of(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    pets = {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
    listing = {"type": "object", "required": ["items"], "properties": {"items": pets}}
    named = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "pets", "version": "1"},
        "servers": [{"url": "/v1"}],
        "paths": {
            "/pets": {"get": {
                "operationId": "listPets",
                "parameters": [{"name": "limit", "in": "query",
                                "schema": {"type": "integer", "maximum": 50}}],
                "responses": {"200": {**json_of(listing), "headers": {
                    "X-Total": {"required": True, "schema": {"type": "integer"}}}}},
            }},
            "/pets/{id}": {"get": {
                "operationId": "getPet",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": json_of({"$ref": "#/components/schemas/Pet"}),
                              "404": json_of({"type": "object"}, "none")},
            }},
            "/echo": {
                "get": {"operationId": "echoGet",
                        "responses": {"200": json_of({"type": "object"})}},
                "post": {"operationId": "echoPost",
                         "requestBody": {"required": True,
                                         "content": {"application/json": {"schema": named}}},
                         "responses": {"200": json_of({"type": "object"}),
                                       "400": json_of({"type": "object"}, "bad")}},
            },
        },
        "components": {"schemas": {"Pet": PET}},
    }  # fmt: skip


@contextlib.contextmanager
def provider() -> Iterator[str]:
    """The misbehaving Starlette provider on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tests.serve.provider_app:app",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    await_server(process, base + "/pets")
    try:
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="module")
def starlette_provider() -> Iterator[str]:
    with provider() as base:
        yield base


def no_fixtures(tmp_path: Path) -> str:
    """An empty fixtures folder (``--fixtures`` must name one that exists)."""
    folder = tmp_path / "no-fixtures"
    folder.mkdir(exist_ok=True)
    return str(folder)


def journal(client: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/__mock/journal").json()["entries"]
    return entries


class LifespanClient(Client):
    """The in-process client, with the app's lifespan run around it: its shutdown closes
    the proxy's connections to the provider, as the server's does."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._app = app
        self._portal.call(self._start)

    async def _start(self) -> None:
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._task = asyncio.get_running_loop().create_task(
            self._app(scope, self._inbox.get, self._outbox.put)
        )
        await self._inbox.put({"type": "lifespan.startup"})
        assert (await self._outbox.get())["type"] == "lifespan.startup.complete"

    async def _stop(self) -> None:
        await self._inbox.put({"type": "lifespan.shutdown"})
        assert (await self._outbox.get())["type"] == "lifespan.shutdown.complete"
        await self._task

    def close(self) -> None:
        self._portal.call(self._stop)
        super().close()


MakeProxy = Callable[..., LifespanClient]


@pytest.fixture
def make_proxy() -> Iterator[MakeProxy]:
    """An in-process mock proxying ``doc`` to ``url``, closed (lifespan and all) after."""
    made: list[LifespanClient] = []

    def make(doc: Path, url: str, **proxy: Any) -> LifespanClient:
        options = ServeOptions(fixtures_dir=None, proxy=ProxyOptions({"": url}, **proxy))
        client = LifespanClient(create_app_from_paths([doc], options))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_the_client_gets_exactly_the_providers_answer(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    direct = httpx.get(starlette_provider + "/pets")
    through = client.get("/api/v1/pets")
    assert through.status_code == direct.status_code == 200
    assert through.content == direct.content
    assert through.headers["x-total"] == "3"
    assert through.headers["content-type"] == direct.headers["content-type"]
    [entry] = journal(client)
    assert entry["source"] == "upstream"
    assert entry["upstream"]["status"] == 200 and entry["upstream"]["url"] == starlette_provider
    assert entry["violations"] == [] and entry["drift"] is False


def test_forwarding_keeps_method_query_body_and_rewrites_the_hop(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    seen = client.post(
        "/api/v1/echo?x=1&y=%2F",
        json={"name": "Rex"},
        headers={"Connection": "keep-alive, X-Private", "X-Private": "drop me",
                 "Authorization": "Bearer secret-token", "X-Forwarded-For": "10.0.0.1"},
    ).json()  # fmt: skip
    assert seen["method"] == "POST" and seen["path"] == "/v1/echo"
    assert seen["query"] == "x=1&y=%2F"
    assert seen["body"] == '{"name":"Rex"}'
    headers = seen["headers"]
    assert headers["host"] == starlette_provider.split("/")[2]
    assert "x-private" not in headers  # named by Connection: hop-by-hop
    assert headers["x-forwarded-for"].startswith("10.0.0.1, ")
    assert headers["x-forwarded-host"] == "mock" and headers["x-forwarded-proto"] == "http"
    assert headers["authorization"] == "Bearer secret-token"  # credentials are forwarded
    [entry] = journal(client)
    masked = dict(entry["headers"])
    assert "secret-token" not in str(entry) and masked["authorization"] != "Bearer secret-token"


def test_the_proxy_adds_no_header_and_keeps_no_cookie_of_its_own(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    set_cookie = client.get("/api/v1/pets/cookie").headers["set-cookie"]
    assert set_cookie == "session=provider-set; Path=/"  # passed back as it came
    client._client.cookies.clear()  # the test's own client keeps it; the proxy must not
    seen = client.post("/api/v1/echo", json={"name": "Rex"}).json()["headers"]
    sent = {name for name, _ in journal(client)[0]["headers"]}  # what the client sent
    added = {"host", "content-length", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}
    assert set(seen) - added <= sent - {"connection"}
    assert "cookie" not in seen


def test_response_drift_is_journalled_with_pointers_and_passed_on(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    assert client.get("/api/v1/pets/drift").json() == {"id": "one", "name": 7}
    assert client.get("/api/v1/pets/418").status_code == 418
    assert client.get("/api/v1/pets/text").text == "Rex"
    assert client.get("/api/v1/pets/1").status_code == 200  # no drift
    drifted = client.get("/__mock/journal?drift=true").json()["entries"]
    assert len(journal(client)) == 4 and len(drifted) == 3  # "drift only" keeps three
    drift, teapot, text = drifted[::-1]  # the newest first
    assert drift["drift"] is True
    assert {(v["side"], v["pointer"], v["keyword"]) for v in drift["violations"]} == {
        ("response", "/body/id", "type"),
        ("response", "/body/name", "type"),
    }
    assert [(v["pointer"], v["keyword"]) for v in teapot["violations"]] == [("/status", "status")]
    assert [(v["pointer"], v["keyword"]) for v in text["violations"]] == [
        ("/header/Content-Type", "content-type")
    ]


def test_request_violations_are_forwarded_and_marked_as_the_requests(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    assert client.get("/api/v1/pets?limit=500").status_code == 200  # forwarded anyway
    [entry] = journal(client)
    assert entry["drift"] is True
    assert [(v["side"], v["pointer"], v["keyword"]) for v in entry["violations"]] == [
        ("request", "/query/limit", "maximum")
    ]


def test_strict_refuses_invalid_requests_and_replaces_drifted_answers(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider, strict=True)
    refused = client.post("/api/v1/echo", json={"nom": "Rex"})
    assert refused.status_code == 400  # the mock's own refusal, never forwarded
    assert "method" not in refused.json()
    replaced = client.get("/api/v1/pets/drift")
    assert replaced.status_code == 502
    problem = replaced.json()
    assert starlette_provider in problem["detail"]
    assert {e["pointer"] for e in problem["errors"]} == {"/id", "/name"}
    assert client.get("/api/v1/pets/1").json() == {"id": 1, "name": "Rex", "tag": "dog"}


def test_a_provider_that_never_answers_gets_a_504_within_the_timeout(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider, timeout=0.3)
    answer = client.get("/api/v1/pets/slow")
    assert answer.status_code == 504
    assert starlette_provider in answer.json()["detail"]
    [entry] = journal(client)
    assert entry["upstream"]["status"] is None and entry["upstream"]["ms"] < 5000


def test_a_provider_that_cuts_off_or_refuses_gets_a_502_naming_it(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    cut = client.get("/api/v1/pets/cut")
    assert cut.status_code == 502 and starlette_provider in cut.json()["detail"]
    nobody = f"http://127.0.0.1:{free_port()}/v1"
    refused = make_proxy(write_doc(pets_doc(), "other.yaml"), nobody)
    answer = refused.get("/other/v1/pets")
    assert answer.status_code == 502
    assert "refused the connection" in answer.json()["detail"] and nobody in answer.text


def test_fallback_answers_from_the_mock_with_a_warning(
    make_proxy: MakeProxy, write_doc: WriteDoc
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/v1"
    client = make_proxy(write_doc(pets_doc()), nobody, fallback=True)
    answer = client.get("/api/v1/pets/7")
    assert answer.status_code == 200 and set(answer.json()) >= {"id", "name"}
    assert "the mock answered instead" in answer.headers["warning"]
    [entry] = journal(client)
    assert entry["upstream"]["status"] is None and "mock" in entry["upstream"]["note"]


def test_compressed_answers_pass_unchanged_and_are_checked(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    answer = client.get("/api/v1/pets/gzip", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.json() == {"id": 9, "name": "Zip"}  # httpx unzips it for the test
    assert journal(client)[0]["violations"] == []


def test_a_body_longer_than_the_check_limit_streams_through(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    answer = client.get("/api/v1/pets/long")
    assert len(answer.content) == 160 * 65536 and set(answer.content) == {ord("x")}
    assert "content-length" not in answer.headers  # sent as it arrived


def test_a_drifted_mockserver_as_the_provider(
    make_proxy: MakeProxy, write_doc: WriteDoc, tmp_path: Path
) -> None:
    drifted = pets_doc()
    drifted["components"]["schemas"]["Pet"] = copy.deepcopy(PET)
    drifted["components"]["schemas"]["Pet"]["properties"]["id"] = {"type": "string"}
    drifted_path = write_doc(drifted, "drifted/api.yaml")
    with serving(str(drifted_path), "--fixtures", no_fixtures(tmp_path)) as base:
        client = make_proxy(write_doc(pets_doc()), base + "/api/v1")
        answer = client.get("/api/v1/pets/abc")
        assert answer.status_code == 200 and isinstance(answer.json()["id"], str)
    [entry] = journal(client)
    assert [(v["side"], v["pointer"]) for v in entry["violations"]] == [("response", "/body/id")]


def test_the_command_line_forwards_and_names_its_provider(
    write_doc: WriteDoc, starlette_provider: str, tmp_path: Path
) -> None:
    doc = write_doc(pets_doc())
    args = (str(doc), "--fixtures", no_fixtures(tmp_path), "--proxy", f"api={starlette_provider}")
    with serving(*args, "--proxy-strict") as base:
        assert httpx.get(base + "/api/v1/pets/2").json()["name"] == "Tom"
        assert httpx.get(base + "/api/v1/pets/418").status_code == 502


def test_the_command_line_refuses_an_unknown_api_name(write_doc: WriteDoc) -> None:
    process = launch("serve", str(write_doc(pets_doc())), "--port", str(free_port()),
                     "--proxy", "nope=http://127.0.0.1:9/v1")  # fmt: skip
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and "no API named 'nope'" in output


def test_recording_three_records_then_serving_and_validating_them(
    make_proxy: MakeProxy,
    make_client: MakeClient,
    write_doc: WriteDoc,
    starlette_provider: str,
    tmp_path: Path,
) -> None:
    doc, folder = write_doc(pets_doc()), tmp_path / "recorded"
    client = make_proxy(doc, starlette_provider, record=folder)
    assert client.get("/api/v1/pets").status_code == 200
    assert client.get("/api/v1/pets/2").status_code == 200
    assert client.get("/api/v1/pets/drift").status_code == 200  # drifted: not recorded
    recorded = json.loads((folder / "api" / "pets.json").read_text())
    assert sorted(r["id"] for r in recorded) == [1, 2, 3]  # list and get: one record each
    assert not any("password" in r for r in recorded)  # writeOnly: never written
    checked = launch("validate", str(doc), str(folder))  # finds the document by its name
    output, _ = checked.communicate(timeout=120)
    assert checked.returncode == 0, output
    served = make_client(doc, fixtures_dir=folder)
    listed = served.get("/api/v1/pets").json()["items"]
    assert sorted((p["id"], p["name"]) for p in listed) == [(1, "Rex"), (2, "Tom"), (3, "Nemo")]
    assert served.get("/api/v1/pets/3").json() == {"id": 3, "name": "Nemo", "tag": "fish"}


def test_recording_merges_with_what_the_folder_holds(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str, tmp_path: Path
) -> None:
    folder = tmp_path / "recorded"
    (folder / "api").mkdir(parents=True)
    kept = [{"id": 1, "name": "Rex", "tag": "old"}, {"id": 40, "name": "Kept"}]
    (folder / "api" / "pets.json").write_text(json.dumps(kept))
    client = make_proxy(write_doc(pets_doc()), starlette_provider, record=folder)
    assert client.get("/api/v1/pets/1").status_code == 200
    recorded = json.loads((folder / "api" / "pets.json").read_text())
    assert recorded == [{"id": 1, "name": "Rex", "tag": "dog"}, {"id": 40, "name": "Kept"}]
    assert not [p for p in (folder / "api").iterdir() if p.name.startswith(".pets.json")]


def test_the_command_line_asks_which_api_an_unnamed_provider_is_for(
    write_doc: WriteDoc,
) -> None:
    first, second = write_doc(pets_doc()), write_doc(pets_doc(), "other.yaml")
    process = launch("serve", str(first), str(second), "--port", str(free_port()),
                     "--proxy", "http://127.0.0.1:9/v1")  # fmt: skip
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and "2 APIs are served; which one?" in output


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--proxy", "ftp://example.com"], "not an http(s) URL"),
        (["--proxy", "http://127.0.0.1:9/v1?x=1"], "no query or fragment"),
        (["--record", "somewhere"], "need a provider"),
        (["--proxy", "http://127.0.0.1:9", "--proxy-timeout", "0"], "more than 0 seconds"),
    ],
)
def test_the_command_line_refuses_bad_proxy_options(
    write_doc: WriteDoc, given: list[str], said: str
) -> None:
    process = launch("serve", str(write_doc(pets_doc())), "--port", str(free_port()), *given)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and said in output


def test_two_workers_record_concurrent_answers_without_losing_any(
    make_client: MakeClient, write_doc: WriteDoc, starlette_provider: str, tmp_path: Path
) -> None:
    doc, folder = write_doc(pets_doc()), tmp_path / "recorded"
    ids = range(100, 160)
    args = ("--fixtures", no_fixtures(tmp_path), "--workers", "2", "--record", str(folder))
    with serving(str(doc), *args, "--proxy", starlette_provider) as base:

        def fetch(path: str) -> int:
            return httpx.get(base + "/api/v1" + path, timeout=30).status_code

        paths = [f"/pets/{i}" for i in ids] + ["/pets"] * 4
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(fetch, paths)) == {200}
    recorded = json.loads((folder / "api" / "pets.json").read_text())
    assert sorted(r["id"] for r in recorded) == [1, 2, 3, *ids]  # none lost, none twice
    assert not [p.name for p in (folder / "api").iterdir() if p.name.startswith(".pets")]
    checked = launch("validate", str(doc), str(folder))
    output, _ = checked.communicate(timeout=120)
    assert checked.returncode == 0, output
    served = make_client(doc, fixtures_dir=folder)
    for i in ids:
        pet = {"id": i, "name": f"Pet {i}", "tag": "many"}
        assert served.get(f"/api/v1/pets/{i}").json() == pet
    listed = served.get("/api/v1/pets?limit=50").json()["items"]
    assert len(listed) == 50


def test_a_head_through_the_proxy_keeps_the_providers_content_length(
    make_proxy: MakeProxy, write_doc: WriteDoc, starlette_provider: str
) -> None:
    client = make_proxy(write_doc(pets_doc()), starlette_provider)
    direct = httpx.head(starlette_provider + "/pets")
    through = client.request("HEAD", "/api/v1/pets")
    assert through.status_code == direct.status_code == 200
    assert through.content == b""
    assert int(through.headers["content-length"]) > 0
    assert through.headers["content-length"] == direct.headers["content-length"]
