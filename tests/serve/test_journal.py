"""The request journal: entries, masks, near misses, filters, the two stores, the reset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.serve.journal import FileJournal, MemoryJournal, select
from mockserver.serve.latency import Pacing
from tests.conftest import CONTROL, TOKEN, Client, MakeClient, WriteDoc, minimal_doc

SCHEMES = {
    "query_key": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookie_key": {"type": "apiKey", "in": "cookie", "name": "auth"},
    "header_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
}


def _doc() -> dict[str, Any]:
    thing = {"type": "object", "properties": {"id": {"type": "integer"}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": thing}}}
    bad = {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}}
    params = [{"name": "n", "in": "query", "schema": {"type": "integer", "maximum": 5}}]
    get = {"operationId": "getThing", "responses": {"200": ok, "404": bad}}
    listing = {
        "operationId": "listThings",
        "parameters": params,
        "responses": {"200": ok, "400": bad},
    }
    doc = minimal_doc("3.1.0", **{"/things": {"get": listing}, "/things/{id}": {"get": get}})
    doc["components"] = {"securitySchemes": SCHEMES}
    doc["security"] = [{"query_key": []}, {"cookie_key": []}, {"header_key": []}, {}]
    return doc


@pytest.fixture
def client(write_doc: WriteDoc, make_client: MakeClient) -> Client:
    return make_client(write_doc(_doc()), fixtures_dir=None)


def _entries(client: Client, query: str = "") -> list[dict[str, Any]]:
    return client.get("/__mock/journal" + query).json()["entries"]  # type: ignore[no-any-return]


def test_an_entry_holds_the_request_the_operation_and_the_answer(client: Client) -> None:
    client.get("/api/things?n=2", headers={"X-Mock-Session": "alice"})
    (entry,) = _entries(client)
    assert (entry["method"], entry["path"], entry["query"]) == ("GET", "/api/things", "n=2")
    assert entry["operation"] == "listThings"
    assert entry["template"] == "GET /api/things"
    assert (entry["status"], entry["verdict"], entry["source"]) == (200, "accepted", "generated")
    assert entry["session"] == "alice"
    assert entry["ms"] > 0


def test_a_refusal_lists_every_violation_with_pointer_and_keyword(client: Client) -> None:
    client.get("/api/things?n=9")
    (entry,) = _entries(client)
    assert (entry["status"], entry["verdict"]) == (400, "refused")
    assert entry["violations"] == [
        {
            "pointer": "/query/n",
            "keyword": "maximum",
            "message": "query parameter 'n': 9 is greater than the maximum of 5",
        }
    ]


def test_credentials_every_scheme_names_are_masked_but_the_mocks_own_tokens(
    client: Client,
) -> None:
    client.get(
        "/api/things?api_key=s3cret&n=1",
        headers={"X-Api-Key": "s3cret", "Cookie": "auth=s3cret; theme=dark", **TOKEN},
    )
    (entry,) = _entries(client)
    headers = dict(entry["headers"])
    assert entry["query"] == "api_key=****&n=1"
    assert headers["x-api-key"] == "****"
    assert headers["cookie"] == "auth=****; theme=****"
    assert headers["authorization"] == "Bearer mock-token"  # published: the curl still runs
    assert "s3cret" not in str(entry)


def test_an_unknown_path_names_the_near_misses(client: Client) -> None:
    client.get("/api/thing/3")
    client.post("/api/things")
    unknown, wrong_method = _entries(client)[::-1]
    assert unknown["near"][0] == "GET /api/things/{id}"
    assert wrong_method["status"] == 405 and wrong_method["near"][0] == "GET /api/things"


def test_the_journal_filters_by_api_operation_status_and_session(client: Client) -> None:
    client.get("/api/things")
    client.get("/api/things/1", headers={"X-Mock-Session": "bob"})
    client.get("/api/things?n=9")
    assert len(_entries(client, "?operation=getThing")) == 1
    assert len(_entries(client, "?operation=GET /api/things")) == 2
    assert len(_entries(client, "?status=4xx")) == 1
    assert len(_entries(client, "?status=200&session=bob")) == 1
    assert len(_entries(client, "?api=nope")) == 0
    assert [e["query"] for e in _entries(client, "?limit=2")] == ["n=9", ""]


def test_the_reset_clears_the_journal(client: Client) -> None:
    client.get("/api/things")
    assert client.post("/__mock/reset", headers=CONTROL).json() == {"reset": "all sessions"}
    assert _entries(client) == []


def test_pages_are_not_journalled(client: Client) -> None:
    client.get("/")
    client.get("/api/openapi.json")
    assert _entries(client) == []


def test_a_zero_size_journal_records_nothing(write_doc: WriteDoc, make_client: MakeClient) -> None:
    client = make_client(write_doc(_doc()), fixtures_dir=None, journal=MemoryJournal(0))
    client.get("/api/things")
    assert _entries(client) == []


def _entry(n: int, session: str | None = None) -> dict[str, Any]:
    return {"id": f"1-{n}", "at": 1000.0 + n, "status": 200, "session": session}


def test_the_memory_ring_keeps_the_last_n_and_followers_see_only_new_entries() -> None:
    journal = MemoryJournal(3)
    journal.add(_entry(0))
    follower = journal.follow()
    for n in range(1, 5):
        journal.add(_entry(n))
    assert [e["id"] for e in journal.entries()] == ["1-2", "1-3", "1-4"]
    assert [e["id"] for e in follower.poll()[0]] == ["1-2", "1-3", "1-4"]
    assert follower.poll() == ([], False)
    journal.clear()
    assert follower.poll() == ([], True)


def test_the_file_journal_merges_workers_rotates_and_clears(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path, size=3)
    follower = journal.follow()
    journal.add(_entry(0))
    journal.flush()  # a worker flushes every 50 ms; this test has no event loop of its own
    assert [e["id"] for e in follower.poll()[0]] == ["1-0"]
    for n in range(1, 5):  # the file rotates past 3 lines: 0, 1, 2 in the old one; 3, 4 new
        journal.add(_entry(n))
    journal.flush()
    # the follower finishes the rotated file from where it was, then reads the new one
    assert [e["id"] for e in follower.poll()[0]] == ["1-1", "1-2", "1-3", "1-4"]
    journal.add(_entry(5))
    journal.add(_entry(6, session="s1"))
    journal.flush()
    (tmp_path / "worker-2.jsonl").write_bytes(b'{"id": "2-0", "at": 1004.5, "status": 404}\n')
    assert [e["id"] for e in journal.entries()] == ["2-0", "1-5", "1-6"]  # the last 3 of all
    journal.clear(session="s1")
    assert [e["id"] for e in journal.entries()] == ["1-4", "2-0", "1-5"]
    journal.clear()
    assert journal.entries() == []
    assert follower.poll()[1] is True


def test_select_reads_status_classes() -> None:
    entries = [_entry(0), {**_entry(1), "status": 404}, {**_entry(2), "status": 503}]
    assert [e["status"] for e in select(entries, {"status": "5xx"})] == [503]
    assert [e["status"] for e in select(entries, {"status": "404"})] == [404]


def test_an_error_rate_failure_is_journalled_as_such_and_a_refusal_stays_a_refusal(
    write_doc: WriteDoc, make_client: MakeClient
) -> None:
    client = make_client(write_doc(_doc()), fixtures_dir=None, pacing=Pacing(error_rate=1.0))
    assert client.get("/api/things/1").status_code == 404  # getThing declares 404 only
    assert client.get("/api/things?n=9").status_code == 400
    refused, failed = _entries(client)
    assert (failed["verdict"], failed["source"]) == ("accepted", "error-rate")
    assert (refused["verdict"], refused["source"]) == ("refused", "problem")


def test_a_real_401_that_meets_a_drawn_401_is_journalled_as_a_refusal(
    write_doc: WriteDoc, make_client: MakeClient
) -> None:
    ok = {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}
    denied = {"description": "no", "content": {"application/json": {"schema": {"type": "object"}}}}
    get = {"operationId": "getSecret", "responses": {"200": ok, "401": denied}}
    doc = minimal_doc("3.1.0", **{"/secret": {"get": get}})
    doc["components"] = {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
    doc["security"] = [{"bearer": []}]
    client = make_client(write_doc(doc), fixtures_dir=None, pacing=Pacing(error_rate=1.0))
    assert client.get("/api/secret").status_code == 401  # no token: the guard's own 401
    assert client.get("/api/secret", headers=TOKEN).status_code == 401  # drawn: 401 is declared
    real, drawn = _entries(client)[::-1]
    assert (real["verdict"], real["source"]) == ("refused", "problem")
    assert (drawn["verdict"], drawn["source"]) == ("accepted", "error-rate")
