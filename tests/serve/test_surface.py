"""The mock's own surface, in process: the Host policy, cross-site changes, the control
token, and what the journal masks (the same probes against a real server are in
test_hostile.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.serve.app import create_app_from_paths
from mockserver.serve.journal.masks import MASK, Masks, mask_body, mask_query
from mockserver.serve.options import ServeOptions
from mockserver.serve.problems import Problem
from mockserver.serve.surface import HostPolicy, host_name, refuse_cross_site
from tests.conftest import CONTROL, Client, MakeClient, WriteDoc, minimal_doc

LOCAL = "http://localhost:8000"


@pytest.mark.parametrize(
    ("host", "name"),
    [("Example.COM:8000", "example.com"), ("[::1]:8000", "::1"), ("::1", "::1"),
     ("localhost.", "localhost"), ("10.0.0.5", "10.0.0.5")],
)  # fmt: skip
def test_host_names_are_read_without_port_case_or_final_dot(host: str, name: str) -> None:
    assert host_name(host) == name


def test_the_host_policy_answers_loopback_and_named_hosts_only() -> None:
    policy = HostPolicy.of(["127.0.0.1", "mock.internal"])
    for host in ("localhost:1", "127.0.0.2", "[::1]:8000", "x.localhost", "mock.internal:80"):
        assert policy.allows(host), host
    for host in ("evil.example", "10.0.0.5", "localhost.evil.example", "127.0.0.1.nip.io"):
        assert not policy.allows(host), host


def test_bound_to_every_interface_any_address_is_answered_but_no_other_name() -> None:
    policy = HostPolicy.of(["0.0.0.0"])
    assert policy.allows("10.0.0.5:8000") and policy.allows("[fe80::1]:8000")
    assert not policy.allows("evil.example")
    assert HostPolicy.of(["*"]).allows("evil.example")


@pytest.mark.parametrize(
    "headers",
    [
        [(b"content-type", b"text/plain")],
        [(b"content-type", b"application/x-www-form-urlencoded"), (b"origin", b"http://localhost")],
        [(b"content-type", b"application/json"), (b"origin", b"https://evil.example")],
        [(b"x-mock-session", b"a"), (b"origin", b"null")],
    ],
    ids=["simple", "form", "foreign-origin", "null-origin"],
)
def test_a_state_change_a_page_could_send_is_refused(headers: list[tuple[bytes, bytes]]) -> None:
    with pytest.raises(Problem) as refused:
        refuse_cross_site(headers, ())
    assert refused.value.status == 403


def test_a_named_cors_origin_may_change_state() -> None:
    headers = [(b"content-type", b"application/json"), (b"origin", b"https://app.example")]
    refuse_cross_site(headers, ("https://app.example",))


@pytest.fixture
def guarded(write_doc: WriteDoc) -> Iterator[Client]:
    """A mock started with --control-token s3cret, reached as localhost."""
    path = write_doc(minimal_doc("3.1.0", **{"/things": {"get": {"responses": {"200": {
        "description": "ok"}}}}}))  # fmt: skip
    options = ServeOptions(fixtures_dir=None, allowed_hosts=("127.0.0.1",), control_token="s3cret")
    client = Client(create_app_from_paths([path], options), base_url=LOCAL)
    yield client
    client.close()


def test_the_control_token_guards_every_control_route(guarded: Client) -> None:
    token = {"X-Mock-Token": "s3cret"}
    for path in ("/__mock/state", "/__mock/journal"):
        assert guarded.get(path).status_code == 401
        assert guarded.get(path, headers={"X-Mock-Token": "wrong"}).status_code == 401
        assert guarded.get(path, headers=token).status_code == 200
    assert guarded.post("/__mock/reset", headers=CONTROL).status_code == 401
    assert guarded.post("/__mock/reset", headers=token).status_code == 200
    assert "--control-token" in guarded.get("/__mock/state").json()["detail"]


def test_the_dashboard_page_loads_without_the_token_and_asks_for_it(guarded: Client) -> None:
    assert guarded.get("/").status_code == 200
    script = guarded.get("/__mock/dashboard.js")
    assert script.status_code == 200
    assert "X-Mock-Token" in script.text and "prompt(" in script.text


def _masks(**fields: frozenset[str]) -> Masks:
    query = fields.get("query", frozenset({"api_key"}))
    return Masks(frozenset(), query, frozenset(), frozenset({"mock-token"}),
                 fields.get("fields", frozenset({"password"})))  # fmt: skip


def test_query_names_are_decoded_before_masking_and_the_rest_kept_as_sent() -> None:
    shown = mask_query(b"api%5Fkey=s3cret&q=a%20b&Api_Key=s3cret&api_key=mock-token", _masks())
    assert shown == f"api%5Fkey={MASK}&q=a%20b&Api_Key={MASK}&api_key=mock-token"


def test_form_and_json_bodies_have_their_secret_fields_masked() -> None:
    assert mask_body("user=ada&password=hunter2", _masks()) == f"user=ada&password={MASK}"
    assert '"hunter2"' not in mask_body('[{"password": "hunter2"}]', _masks())
    deep = "[" * 5000 + "]" * 5000
    assert mask_body(deep, _masks()) == deep


def test_a_path_of_ten_thousand_segments_gets_near_misses_once(
    write_doc: WriteDoc, make_client: MakeClient
) -> None:
    doc = minimal_doc("3.1.0", **{"/things/{id}": {"get": {"responses": {"200": {
        "description": "ok"}}}}})  # fmt: skip
    client = make_client(write_doc(doc), fixtures_dir=None)
    assert client.get("/api/thing/1").status_code == 404
    assert client.get("/api/" + "/".join(["abcde"] * 10_000)).status_code == 404
    entries = client.get("/__mock/journal").json()["entries"]
    assert entries[1]["near"] == ["GET /api/things/{id}"]
    assert entries[0]["near"] == []
