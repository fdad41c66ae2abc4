"""Requests are validated against the document in its own dialect (2020-12 for 3.1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import DATA, TOKEN, Client, MakeClient, WriteDoc, minimal_doc

BASE = "/keywords-3.1/zoo/v1"


@pytest.fixture
def zoo(make_client: MakeClient) -> Client:
    return make_client(DATA / "keywords-3.1.yaml")


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"kind": "gadget"}, "/kind"),  # const
        ({"kind": "widget", "point": [1, "2"]}, "/point/1"),  # prefixItems
        ({"kind": "widget", "point": [1, 2, 3]}, "/point"),  # items: false after prefixItems
        ({"kind": "widget", "extra": True}, ""),  # unevaluatedProperties
        ({"kind": "widget", "label": "x"}, ""),  # dependentRequired
        ({"kind": "widget", "size": "big"}, "/size"),  # type: [integer, "null"]
    ],
)
def test_3_1_only_keywords_are_enforced(zoo: Client, body: Any, pointer: str) -> None:
    response = zoo.post(f"{BASE}/things", json=body, headers=TOKEN)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["pointer"] for e in errors] == [pointer]
    assert errors[0]["location"] == "body"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "widget"},
        {"kind": "widget", "point": [1, 2], "size": None, "label": "x", "labelLanguage": "en"},
    ],
)
def test_valid_3_1_bodies_are_accepted(zoo: Client, body: Any) -> None:
    assert zoo.post(f"{BASE}/things", json=body, headers=TOKEN).status_code == 201


def test_every_violation_is_named_not_just_the_first(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things?limit=0&ids=1|x", headers={**TOKEN, "X-Trace": "y" * 20})
    errors = response.json()["errors"]
    assert response.status_code == 422
    assert {(e["location"], e["name"]) for e in errors} == {
        ("query", "limit"),
        ("query", "ids"),
        ("header", "X-Trace"),
    }
    assert "limit" in response.json()["detail"] and "X-Trace" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "ok"),
    [
        ("tags=a,b&ids=1|2&filter[kind]=widget&filter[min]=3", True),
        ("filter[kind]=gadget", False),  # deepObject property breaks const
        ("filter[min]=x", False),  # deepObject property must be an integer
        ("ids=1|2|three", False),  # pipeDelimited items are integers
        ("limit=51", False),
    ],
)
def test_parameter_styles_are_read_before_validation(zoo: Client, query: str, ok: bool) -> None:
    response = zoo.get(f"{BASE}/things?{query}", headers=TOKEN)
    assert response.status_code == (200 if ok else 422)


def test_path_parameters_are_validated(zoo: Client) -> None:
    response = zoo.get(f"{BASE}/things/Not_Valid!", headers=TOKEN)
    # GET /things/{thingId} declares 200 and 404 only: a 422 all the same (a 404 would say
    # the thing does not exist), naming the violation, with a Warning naming the gap
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "thingId"
    assert "422 is not declared" in response.headers["warning"]


def test_missing_required_body_is_reported(zoo: Client) -> None:
    response = zoo.post(f"{BASE}/things", headers=TOKEN)
    assert response.status_code == 422
    assert response.json()["errors"][0]["kind"] == "missing"


def test_wrong_content_type_is_415(zoo: Client) -> None:
    response = zoo.post(
        f"{BASE}/things", content=b"kind=widget", headers={**TOKEN, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_an_unacceptable_accept_is_disregarded_where_406_is_not_declared(zoo: Client) -> None:
    # RFC 9110 lets a server disregard Accept; GET /things declares no 406
    response = zoo.get(f"{BASE}/things", headers={**TOKEN, "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert (
        zoo.get(f"{BASE}/things", headers={**TOKEN, "Accept": "application/*"}).status_code == 200
    )


@pytest.mark.parametrize(
    ("content", "content_type", "ok"),
    [
        (b"name=Rex&count=3", "application/x-www-form-urlencoded", True),
        (b"count=3", "application/x-www-form-urlencoded", False),  # name is required
        (b"name=Rex&count=three", "application/x-www-form-urlencoded", False),
    ],
)
def test_form_bodies_are_validated(
    zoo: Client, content: bytes, content_type: str, ok: bool
) -> None:
    response = zoo.post(
        f"{BASE}/forms", content=content, headers={**TOKEN, "Content-Type": content_type}
    )
    assert response.status_code == (204 if ok else 422)


def test_multipart_bodies_are_read(zoo: Client) -> None:
    response = zoo.post(
        f"{BASE}/forms",
        files={"file": ("a.bin", b"\x00\x01")},
        data={"note": "hello"},
        headers=TOKEN,
    )
    assert response.status_code == 204


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_required_read_only_field_is_not_asked_of_a_request(
    make_client: MakeClient, write_doc: WriteDoc, version: str
) -> None:
    record = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
    }
    body = {"content": {"application/json": {"schema": record}}}
    doc = minimal_doc(
        version,
        **{
            "/things": {
                "post": {
                    "requestBody": body,
                    "responses": {
                        "201": {"description": "made", **body},
                        "400": {"description": "bad"},
                    },
                }
            }
        },
    )
    client = make_client(write_doc(doc), fixtures_dir=None)
    assert client.post("/api/things", json={"name": "a"}).status_code == 201
    assert client.post("/api/things", json={"id": "x"}).status_code == 400  # name is not


def test_an_empty_path_segment_is_a_missing_path_parameter(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    get = {"parameters": [param], "responses": {"200": {"description": "ok"}}}
    listing = {"get": {"responses": {"200": {"description": "ok"}}}}
    doc = minimal_doc("3.0.3", **{"/things/{id}/parts": {"get": get}, "/things": listing})
    client = make_client(write_doc(doc), fixtures_dir=None)
    missing = client.get("/api/things//parts")  # the operation, with an empty variable
    assert missing.status_code == 422
    assert missing.json()["errors"][0] == {
        "location": "path",
        "name": "id",
        "pointer": "",
        "message": "is required but missing",
        "kind": "missing",
    }
    assert client.get("/api/things/a/parts").status_code == 200
    assert client.get("/api/things//").status_code == 404  # no template has this shape
