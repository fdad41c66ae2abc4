"""Choosing the response: Prefer, examples, generated data (deterministic, valid, echoing ids)."""

from __future__ import annotations

import pytest

from mockserver.serve.problems import InvalidRequest
from mockserver.serve.responder import Prefer
from tests.conftest import DATA, TOKEN, Client, MakeClient, WriteDoc, minimal_doc

BASE = "/keywords-3.1/zoo/v1"


@pytest.fixture
def zoo(make_client: MakeClient) -> Client:
    return make_client(DATA / "keywords-3.1.yaml")


def prefer(value: str) -> dict[str, str]:
    return {**TOKEN, "Prefer": value}


def test_prefer_header_parsing() -> None:
    assert Prefer.parse("code=404, example=small; dynamic=true, seed=7") == Prefer(
        404, "small", True, 7
    )
    assert Prefer.parse("") == Prefer()
    with pytest.raises(InvalidRequest) as refused:
        Prefer.parse("code=x")
    assert "code and seed take integers" in refused.value.message


def test_documented_examples_come_first(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things/small-1", headers=TOKEN)
    assert response.json() == {"id": "small-1", "kind": "widget", "point": [1, 2], "size": 3}


def test_prefer_example_picks_a_named_example(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things/x", headers=prefer("example=small"))
    assert response.json()["id"] == "small-1"


def test_prefer_an_unknown_example_is_a_clear_4xx(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things/x", headers=prefer("example=huge"))
    # an example the document does not have is not found, as Prism answers it
    assert response.status_code == 404
    assert "examples are: small" in response.json()["detail"]


def test_prefer_dynamic_generates_and_echoes_the_path_id(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things/thing-42", headers=prefer("dynamic=true"))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "thing-42" and body["kind"] == "widget"


def test_generated_data_is_deterministic_and_seeds_change_it(zoo: Client) -> None:
    dynamic = prefer("dynamic=true")
    first = zoo.get(f"{BASE}/things", headers=dynamic).json()
    assert zoo.get(f"{BASE}/things", headers=dynamic).json() == first
    seeded = [
        zoo.get(f"{BASE}/things", headers=prefer(f"dynamic=true, seed={s}")).json()
        for s in (1, 2, 3)
    ]
    assert any(body != first for body in seeded)
    assert zoo.get(f"{BASE}/things", headers=prefer("dynamic=true, seed=1")).json() == seeded[0]


def test_inferred_list_and_get_agree(zoo: Client) -> None:
    listed = zoo.get(f"{BASE}/things", headers=TOKEN).json()["items"]
    assert len(listed) >= 10 and listed[0]["id"] == "small-1"  # examples first
    for item in listed[:5]:
        assert zoo.get(f"{BASE}/things/{item['id']}", headers=TOKEN).json() == item


def test_server_seed_changes_generated_data(make_client: MakeClient) -> None:
    one = make_client(DATA / "keywords-3.1.yaml", seed=1).get(f"{BASE}/things", headers=TOKEN)
    two = make_client(DATA / "keywords-3.1.yaml", seed=2).get(f"{BASE}/things", headers=TOKEN)
    assert one.json() != two.json()


def test_prefer_code_returns_that_declared_response(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things/x", headers=prefer("code=404"))
    assert response.status_code == 404


def test_prefer_a_code_only_default_covers_is_answered_by_default(zoo: Client) -> None:
    # as Prism: the operation's default response answers any code (issue 17); a code no
    # response covers is a 404 (tests/serve/test_request.py)
    response = zoo.get(f"{BASE}/things", headers=prefer("code=418"))
    assert response.status_code == 418


def test_bodiless_responses_are_empty(zoo: Client) -> None:
    response = zoo.post(f"{BASE}/forms", data={"name": "x"}, headers=TOKEN)
    assert (response.status_code, response.content) == (204, b"")


def test_swagger_2_examples_and_generation(make_client: MakeClient) -> None:
    client = make_client(DATA / "petstore-v2.yaml")
    key = {"api_key": "mock-token"}
    assert client.get("/v2/pet/42", headers=key).json()["name"] == "doggie"
    pets = client.get("/v2/pet/findByStatus?status=available&status=sold", headers=key)
    assert pets.status_code == 200 and isinstance(pets.json(), list)
    bad = client.get("/v2/pet/findByStatus?status=lost", headers=key)
    assert bad.status_code == 400


def test_errors_answers_a_broken_example_with_a_500_naming_it(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    schema = {"type": "string", "enum": ["placed", "approved"]}
    content = {"application/json": {"schema": schema, "examples": {"gone": {"value": "gone"}}}}
    doc = minimal_doc(
        "3.0.3",
        **{"/path": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}},
    )
    strict = make_client(write_doc(doc), fixtures_dir=None, errors=True).get("/api/path")
    assert strict.status_code == 500
    assert "example 'gone' breaks its schema" in strict.json()["detail"]
    assert "--errors" in strict.json()["detail"]
    served = make_client(write_doc(doc), fixtures_dir=None).get("/api/path")
    assert served.status_code == 200 and served.json() in ("placed", "approved")
    assert "do not match their schema" in served.headers["warning"]


def test_an_object_under_a_text_type_is_json_when_declared_else_a_500(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "example": "Clark"}}}

    def served(*media: str) -> Client:
        content = {m: {"schema": schema} for m in media}
        ok = {"200": {"description": "ok", "content": content}}
        doc = minimal_doc("3.0.3", **{"/p": {"get": {"responses": ok}}})
        return make_client(write_doc(doc), fixtures_dir=None)

    failed = served("text/plain").get("/api/p")  # the body would be a string, not an object
    assert failed.status_code == 500 and "has no text form" in failed.json()["detail"]
    both = served("text/plain", "application/json").get("/api/p")  # 2.0's produces, say
    assert both.status_code == 200 and both.json() == {"name": "Clark"}
    assert both.headers["content-type"].startswith("application/json")
