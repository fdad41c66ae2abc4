"""Bad input gets a clear, documented 4xx, never a 500, and the server keeps serving."""

from __future__ import annotations

import pytest

from mockserver.serve.request import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_QUERY_BYTES
from tests.conftest import DATA, TOKEN, Client, MakeClient, WriteDoc, minimal_doc

THINGS = "/keywords-3.1/zoo/v1/things"
JSON = {**TOKEN, "Content-Type": "application/json"}


@pytest.fixture
def zoo(make_client: MakeClient) -> Client:
    return make_client(DATA / "keywords-3.1.yaml")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"kind": "widget"', "malformed JSON at line 1"),
        (b'{"kind": "wid\xffget"}', "not valid UTF-8"),
        (b"[" * (MAX_JSON_DEPTH + 10) + b"]" * (MAX_JSON_DEPTH + 10), "nested deeper"),
        (b"[" * 100_000, "nested deeper"),
        (b'{"kind": "widget\x00"}', "malformed JSON"),
        (b"\x00\x01\x02", "malformed JSON"),
    ],
)
def test_unreadable_bodies_are_400(zoo: Client, content: bytes, fragment: str) -> None:
    response = zoo.post(THINGS, content=content, headers=JSON)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert zoo.get(THINGS, headers=TOKEN).status_code == 200  # still serving


def test_huge_bodies_are_413(zoo: Client) -> None:
    response = zoo.post(THINGS, content=b" " * (MAX_BODY_BYTES + 1), headers=JSON)
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


def test_absurd_query_strings_are_400(zoo: Client) -> None:
    response = zoo.get(THINGS + "?tags=" + "a" * (MAX_QUERY_BYTES + 1), headers=TOKEN)
    assert response.status_code == 400


def test_undecodable_queries_are_400(zoo: Client) -> None:
    assert zoo.get(f"{THINGS}?tags=%ff%fe", headers=TOKEN).status_code == 400


def test_a_stray_percent_is_a_value_the_schema_judges(zoo: Client) -> None:
    # "%zz" stays as sent (as Starlette reads it): ids are integers, a well-formed but
    # wrong value, so 422 where the operation declares neither 400 nor 422
    assert zoo.get(f"{THINGS}?ids=1|%zz", headers=TOKEN).status_code == 422


def test_a_nul_byte_in_a_query_value_is_data_the_schema_allows(zoo: Client) -> None:
    # tags items are any string: refusing "a\x00b" would be stricter than the document
    assert zoo.get(f"{THINGS}?tags=a%00b", headers=TOKEN).status_code == 200
    refused = zoo.get(f"{THINGS}?limit=%00", headers=TOKEN)  # an integer cannot hold it
    assert refused.status_code == 422 and "limit" in refused.text


def test_absurd_headers_are_400(zoo: Client) -> None:
    response = zoo.get(THINGS, headers={**TOKEN, "X-Junk": "x" * 10_000})
    assert response.status_code == 400


@pytest.mark.parametrize("prefer", ["code=abc", "seed=x"])
def test_unreadable_prefer_is_400(zoo: Client, prefer: str) -> None:
    assert zoo.get(THINGS, headers={**TOKEN, "Prefer": prefer}).status_code == 400


_OVERRIDDEN = {
    "/pet": {
        "get": {
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 9}}
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object"},
                            "examples": {
                                "first one": {"value": {"name": "Rex"}},
                                "second": {"value": {"name": "Tom"}},
                            },
                        }
                    },
                },
                "201": {"description": "made"},
                "400": {"description": "refused"},
                "404": {"description": "not there"},
            },
        }
    }
}


@pytest.fixture
def overridden(make_client: MakeClient, write_doc: WriteDoc) -> Client:
    return make_client(write_doc(minimal_doc("3.0.3", **_OVERRIDDEN)), fixtures_dir=None)


def test_query_overrides_are_preferences_not_parameters(overridden: Client) -> None:
    assert overridden.get("/api/pet?__example=first%20one&limit=3").json() == {"name": "Rex"}
    assert overridden.get("/api/pet?limit=3&__example=second").json() == {"name": "Tom"}
    assert overridden.get("/api/pet?__code=201").status_code == 201


def test_the_rest_of_the_query_is_still_validated(overridden: Client) -> None:
    assert overridden.get("/api/pet?__code=201&limit=99").status_code == 400


def test_the_prefer_header_wins_over_the_query(overridden: Client) -> None:
    answer = overridden.get("/api/pet?__example=second", headers={"Prefer": "example=first one"})
    assert answer.json() == {"name": "Rex"}


def test_an_unreadable_query_override_is_400(overridden: Client) -> None:
    answer = overridden.get("/api/pet?__code=created")
    assert answer.status_code == 400 and "code and seed take integers" in answer.text


@pytest.mark.parametrize(
    ("allow", "sent", "status"), [(False, "", 400), (False, "7", 200), (None, "", 200)]
)
def test_swagger_2_form_values_may_be_empty_unless_the_document_says_not(
    make_client: MakeClient, write_doc: WriteDoc, allow: bool | None, sent: str, status: int
) -> None:
    param: dict[str, object] = {"name": "id", "in": "formData", "type": "string", "required": True}
    if allow is not None:
        param["allowEmptyValue"] = allow
    operation = {
        "consumes": ["application/x-www-form-urlencoded"],
        "parameters": [param],
        "responses": {"200": {"description": "ok"}, "400": {"description": "refused"}},
    }
    document = {"swagger": "2.0", "info": {"title": "t", "version": "1"}}
    client = make_client(write_doc({**document, "paths": {"/path": {"post": operation}}}))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = client.post("/api/path", headers=form, content=f"id={sent}")
    assert answer.status_code == status


def test_a_code_the_document_does_not_declare_is_404_naming_what_it_does(
    overridden: Client,
) -> None:
    answer = overridden.get("/api/pet?__code=418")
    assert answer.status_code == 404 and "declares 200, 201, 400, 404" in answer.text


def test_an_example_the_document_does_not_declare_is_404(overridden: Client) -> None:
    answer = overridden.get("/api/pet?__example=third")
    assert answer.status_code == 404 and "first one, second" in answer.text


def test_a_default_response_answers_any_code(make_client: MakeClient, write_doc: WriteDoc) -> None:
    content = {"text/plain": {"example": "anything"}}
    responses = {"200": {"description": "ok"}, "default": {"description": "d", "content": content}}
    document = minimal_doc("3.0.3", **{"/todos": {"get": {"responses": responses}}})
    client = make_client(write_doc(document), fixtures_dir=None)
    answer = client.get("/api/todos?__code=201")
    assert (answer.status_code, answer.text) == (201, "anything")
