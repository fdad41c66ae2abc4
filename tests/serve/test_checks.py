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


def test_a_repeated_query_is_judged_the_same_and_the_rest_of_the_request_afresh(
    zoo: Client,
) -> None:
    """The query's reading is remembered per operation: the headers never are."""

    def refused(trace: str) -> set[tuple[str, str]]:
        response = zoo.get(f"{BASE}/things?limit=0&ids=1|x", headers={**TOKEN, "X-Trace": trace})
        assert response.status_code == 422
        return {(e["location"], e["name"]) for e in response.json()["errors"]}

    query_only = {("query", "limit"), ("query", "ids")}
    assert refused("ok") == query_only
    assert refused("y" * 20) == query_only | {("header", "X-Trace")}
    assert refused("ok") == query_only
    for _ in range(2):
        assert zoo.get(f"{BASE}/things?limit=2", headers=TOKEN).status_code == 200


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


def _discriminated_doc(version: str) -> dict[str, Any]:
    """A ``oneOf`` whose branches both accept any object with ``kind``: only the
    discriminator's mapping tells them apart (ReadMe's ``discriminators`` example)."""
    branch = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
    one = {**branch, "properties": {"kind": {"type": "string"}, "one": {"type": "number"}}}
    refs = {"Option One": "#/components/schemas/One", "Option Two": "#/components/schemas/Two"}
    schema = {
        "oneOf": [{"$ref": ref} for ref in refs.values()],
        "discriminator": {"propertyName": "kind", "mapping": refs},
    }
    body = {"content": {"application/json": {"schema": schema}}}
    responses = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    operation = {"post": {"requestBody": body, "responses": responses}}
    document = minimal_doc(version, **{"/pets": operation})
    document["components"] = {"schemas": {"One": one, "Two": branch}}
    return document


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({"kind": "Option One"}, True),  # both branches pass: the mapping names One
        ({"kind": "Option One", "one": "x"}, False),  # One refuses, though Two would pass
        ({"kind": "Option Two", "one": "x"}, True),
    ],
)
def test_an_openapi_3_0_discriminator_picks_its_branch_in_a_schema_without_cycles(
    make_client: MakeClient, write_doc: WriteDoc, body: dict[str, Any], accepted: bool
) -> None:
    client = make_client(write_doc(_discriminated_doc("3.0.3")), fixtures_dir=None)
    status = client.post("/api/pets", json=body).status_code
    assert (status == 200) if accepted else (400 <= status < 500)


def test_an_openapi_3_1_discriminator_changes_no_verdict(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    client = make_client(write_doc(_discriminated_doc("3.1.0")), fixtures_dir=None)
    assert 400 <= client.post("/api/pets", json={"kind": "Option One"}).status_code < 500


DRAFT4 = "http://json-schema.org/draft-04/schema#"
#: Draft 4's exclusive bounds are flags beside minimum/maximum: 10 < n < 20.
FLAGGED = {"type": "number", "minimum": 10, "maximum": 20}
FLAGGED |= {"exclusiveMinimum": True, "exclusiveMaximum": True}


def _numbers_doc(schema: dict[str, Any], dialect: str | None = None) -> dict[str, Any]:
    parameter = {"name": "n", "in": "query", "required": True, "schema": schema}
    responses = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    operation = {"get": {"parameters": [parameter], "responses": responses}}
    document = minimal_doc("3.1.0", **{"/numbers": operation})
    if dialect is not None:
        document["jsonSchemaDialect"] = dialect
    return document


@pytest.mark.parametrize(
    "document",
    [
        _numbers_doc({**FLAGGED, "$schema": DRAFT4}),  # the schema's own $schema
        _numbers_doc({**FLAGGED, "$schema": "https://json-schema.org/draft-05/schema#"}),
        _numbers_doc(FLAGGED, dialect=DRAFT4),  # the document's jsonSchemaDialect
    ],
    ids=["$schema", "draft-05-as-draft-4", "jsonSchemaDialect"],
)
@pytest.mark.parametrize(("n", "accepted"), [(12, True), (20, False), (10, False), (21, False)])
def test_a_3_1_schema_naming_draft_4_is_judged_as_draft_4(
    make_client: MakeClient,
    write_doc: WriteDoc,
    document: dict[str, Any],
    n: int,
    accepted: bool,
) -> None:
    client = make_client(write_doc(document), fixtures_dir=None)
    status = client.get(f"/api/numbers?n={n}").status_code
    assert (status == 200) if accepted else (400 <= status < 500)


@pytest.mark.parametrize("named", [None, "https://json-schema.org/draft-07/schema#"])
def test_a_boolean_where_a_draft_wants_a_number_judges_nothing(
    make_client: MakeClient, write_doc: WriteDoc, named: str | None
) -> None:
    """``exclusiveMaximum: true`` in 2020-12 or Draft 7 is malformed, not a bound of 1."""
    schema = FLAGGED if named is None else {**FLAGGED, "$schema": named}
    client = make_client(write_doc(_numbers_doc(schema)), fixtures_dir=None)
    assert client.get("/api/numbers?n=12").status_code == 200
    assert client.get("/api/numbers?n=20").status_code == 200  # only maximum judges
    assert 400 <= client.get("/api/numbers?n=21").status_code < 500


def test_a_header_array_of_objects_is_not_judged_and_the_answer_says_so(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    """OpenAPI writes no array of objects in style simple: a mock cannot tell a right value
    from a wrong one (ReadMe's ``circular-paths`` example), so it accepts and warns."""
    items = {"type": "object", "properties": {"stock": {"type": "integer"}}}
    parameter = {"name": "lines", "in": "header", "schema": {"type": "array", "items": items}}
    responses = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    operation = {"get": {"parameters": [parameter], "responses": responses}}
    client = make_client(
        write_doc(minimal_doc("3.0.3", **{"/lines": operation})), fixtures_dir=None
    )
    answer = client.get("/api/lines", headers={"lines": "{'h': {}},{'stock': None}"})
    assert answer.status_code == 200
    assert "header parameter 'lines' is an array of objects" in answer.headers["warning"]


@pytest.mark.parametrize(
    ("format_", "value"),
    [("time", "14:38:39.344931+19:44"), ("relative-json-pointer", "30/a")],
)
def test_a_query_value_its_format_s_rfc_allows_is_accepted(
    make_client: MakeClient, write_doc: WriteDoc, format_: str, value: str
) -> None:
    schema = {"type": "string", "format": format_}
    parameter = {"name": "v", "in": "query", "required": True, "schema": schema}
    responses = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    operation = {"get": {"parameters": [parameter], "responses": responses}}
    client = make_client(write_doc(minimal_doc("3.1.0", **{"/v": operation})), fixtures_dir=None)
    assert client.get("/api/v", params={"v": value}).status_code == 200


def test_a_3_1_schema_naming_draft_7_still_asks_no_read_only_field_of_a_request(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    record = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
    }
    body = {"content": {"application/json": {"schema": record}}}
    responses = {"201": {"description": "made"}, "400": {"description": "bad"}}
    operation = {"post": {"requestBody": body, "responses": responses}}
    client = make_client(
        write_doc(minimal_doc("3.1.0", **{"/things": operation})), fixtures_dir=None
    )
    assert client.post("/api/things", json={"name": "a"}).status_code == 201
    assert 400 <= client.post("/api/things", json={"id": "x"}).status_code < 500


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
