"""Documents no one here wrote: no 5xx, only declared statuses, never stricter than the document.

One regression test per class of failure an outside run (Schemathesis) found.
"""

from __future__ import annotations

import pytest

from tests.conftest import DATA, Client, MakeClient, WriteDoc, minimal_doc

PETSTORE = DATA / "petstore-v2.yaml"
CREDENTIALS = {"api_key": "any", "Authorization": "Bearer any"}


@pytest.fixture
def petstore(make_client: MakeClient) -> Client:
    return make_client(PETSTORE, fixtures_dir=None, any_token=True)


@pytest.mark.parametrize(
    ("method", "url", "form"),
    [
        ("POST", "/v2/pet/5", {"data": {"name": "rex", "status": "sold"}}),
        ("POST", "/v2/pet/5/uploadImage", {"files": {"file": ("a.txt", b"hi")}}),
    ],
)
def test_swagger_2_form_data_operations_answer_without_a_server_error(
    petstore: Client, method: str, url: str, form: dict[str, object]
) -> None:
    answer = petstore.request(method, url, headers=CREDENTIALS, **form)  # type: ignore[arg-type]
    assert answer.status_code < 500


@pytest.mark.parametrize("raw", ["%C2%88%0A", "%0A", "a%0Db", "%00", "%09x"])
def test_control_characters_in_a_path_id_get_the_documented_400(petstore: Client, raw: str) -> None:
    answer = petstore.get(f"/v2/pet/{raw}", headers=CREDENTIALS)
    assert answer.status_code == 400  # petId is an integer: a 400, never a 500
    assert "petId" in answer.text


def test_an_operation_declaring_no_success_answers_a_declared_status_and_says_so(
    petstore: Client,
) -> None:
    answer = petstore.request("DELETE", "/v2/pet/5", headers=CREDENTIALS)
    assert answer.status_code in (400, 404)  # what DELETE /pet/{petId} declares
    assert "declares no 2xx" in answer.headers["warning"]


def test_missing_credentials_answer_401_even_undeclared(make_client: MakeClient) -> None:
    petstore = make_client(PETSTORE, fixtures_dir=None)
    answer = petstore.get("/v2/pet/5")  # getPetById declares 200, 400, 404 and no 401
    assert answer.status_code == 401  # neither the 400 nor the 404: they would mislead
    assert "401 is not declared" in answer.headers["warning"]


FOREIGN = DATA / "foreign"


@pytest.fixture
def statuses(make_client: MakeClient) -> Client:
    return make_client(FOREIGN / "status.yaml", fixtures_dir=None, any_token=True)


@pytest.fixture
def bodies(make_client: MakeClient) -> Client:
    return make_client(FOREIGN / "bodies.yaml", fixtures_dir=None, any_token=True)


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/status/things/a.json"), ("POST", "/status/v1/abc:move"), ("GET", "/status/v1/abc")],
)
def test_a_more_specific_template_wins_whatever_the_document_order(
    statuses: Client, method: str, url: str
) -> None:
    assert statuses.request(method, url).status_code == 200


@pytest.mark.parametrize("target", ["Svc.Create", "Svc.Delete"])
def test_fragment_path_keys_are_told_apart_by_the_header_they_name(
    statuses: Client, target: str
) -> None:
    answer = statuses.post("/status/", headers={"X-Amz-Target": target})
    assert answer.status_code == 200  # each operation's own enum accepts its target


@pytest.mark.parametrize(
    ("query", "status"), [("", 200), ("?tiering=true", 201), ("?tiering=true&id=", 202)]
)
def test_fragment_conditions_joined_by_ampersand_must_all_hold_and_the_most_wins(
    statuses: Client, query: str, status: int
) -> None:
    answer = statuses.request(
        "PUT",
        f"/status/buckets/b1{query}",
        content=b"<data><Tiering></Tiering></data>",
        headers={"Content-Type": "text/xml"},
    )
    assert answer.status_code == status
    assert "warning" not in answer.headers  # XML is not read into the schema: not judged


@pytest.mark.parametrize("what", ["photos", "people"])
def test_path_keys_told_apart_by_a_query_string_are_routed_by_it(
    statuses: Client, what: str
) -> None:
    answer = statuses.get(f"/status/rest?method={what}.get")
    assert answer.status_code == 200 and what in answer.json()


def test_an_encoded_slash_stays_inside_its_path_variable(statuses: Client) -> None:
    assert statuses.get("/status/subscriptions/a%2Fb/groups").status_code == 200


def test_accept_is_disregarded_unless_the_operation_declares_406(statuses: Client) -> None:
    answer = statuses.get("/status/search", headers={"X-Key": "k", "Accept": "foo"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"


def test_an_empty_multipart_body_has_no_fields(bodies: Client) -> None:
    answer = bodies.post(
        "/bodies/upload",
        content=b"--XX--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert answer.status_code == 200


def test_one_value_of_an_array_form_field_is_a_list_of_one(bodies: Client) -> None:
    answer = bodies.post("/bodies/portability", data={"PhoneNumbers": "+16175551212"})
    assert answer.status_code == 202


def test_a_body_the_mock_does_not_parse_is_not_judged(bodies: Client) -> None:
    answer = bodies.request(
        "PATCH",
        "/bodies/xml",
        content=b"<x><name>a</name></x>",
        headers={"Content-Type": "application/xml"},
    )
    assert answer.status_code == 204


def test_a_declared_media_range_is_answered_with_a_concrete_type(bodies: Client) -> None:
    answer = bodies.post("/bodies/file")
    assert answer.status_code == 200
    assert "*" not in answer.headers["content-type"]


def test_a_204_carries_no_body_and_no_content_type(bodies: Client) -> None:
    answer = bodies.post("/bodies/recorded")
    assert answer.status_code == 204
    assert answer.content == b"" and "content-type" not in answer.headers


def _pattern_doc(pattern: str) -> dict[str, object]:
    return minimal_doc(
        "3.1.0",
        **{
            "/words": {
                "get": {
                    "parameters": [
                        {
                            "name": "w",
                            "in": "query",
                            "schema": {"type": "string", "pattern": pattern},
                        }
                    ],
                    "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}},
                }
            }
        },
    )


def test_patterns_are_read_as_ecma_262_unicode_property_escapes_included(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    client = make_client(write_doc(_pattern_doc(r"^\p{L}+$")), fixtures_dir=None)
    assert client.get("/api/words", params={"w": "héllo"}).status_code == 200
    assert client.get("/api/words", params={"w": "h3llo"}).status_code == 400


def test_a_pattern_no_engine_can_read_refuses_nothing_and_never_fails(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    client = make_client(write_doc(_pattern_doc("([")), fixtures_dir=None)
    assert client.get("/api/words", params={"w": "anything"}).status_code == 200


def _format_doc(fmt: str) -> dict[str, object]:
    return minimal_doc(
        "3.0.3",
        **{
            "/blobs": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"data": {"type": "string", "format": fmt}},
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}},
                }
            }
        },
    )


@pytest.mark.parametrize("fmt", ["byte", "date-time", "ipv4", "uri", "email"])
def test_a_value_a_format_parser_trips_over_is_refused_not_a_server_error(
    make_client: MakeClient, write_doc: WriteDoc, fmt: str
) -> None:
    client = make_client(write_doc(_format_doc(fmt)), fixtures_dir=None)
    answer = client.post("/api/blobs", json={"data": "€€\x00\ud7ff"})
    assert answer.status_code == 400  # not base64 (or not that format): a 400, never a 500


PET_CYCLE = """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '200': {description: ok}
        '400': {description: bad}
components:
  schemas:
    Pet:
      type: object
      required: [kind]
      properties: {kind: {type: string}}
      discriminator: {propertyName: kind}
      oneOf: [{$ref: '#/components/schemas/Cat'}]
    Cat:
      allOf:
        - $ref: '#/components/schemas/Pet'
        - type: object
          properties: {lives: {type: integer}}
    Dog:
      discriminator: {propertyName: kind}
      allOf:
        - $ref: '#/components/schemas/Dog'
"""


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "Cat", "lives": 9}, 200),
        ({"kind": "Cat", "lives": "nine"}, 400),  # the discriminator still picks Cat
        ({"kind": "Dog"}, 200),  # a schema mapping to itself
        ({"kind": "Bird"}, 200),  # names no schema: judged by plain oneOf, which Cat passes
    ],
)
def test_a_discriminator_cycle_is_checked_once_never_endlessly(
    make_client: MakeClient, write_doc: WriteDoc, body: dict[str, object], status: int
) -> None:
    client = make_client(write_doc(PET_CYCLE), fixtures_dir=None)
    assert client.post("/api/pets", json=body).status_code == status


def _answer_doc(schema: dict[str, object], *errors: str) -> dict[str, object]:
    responses: dict[str, object] = {
        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
    }
    responses.update({e: {"description": "error"} for e in errors})
    return minimal_doc("3.0.3", **{"/things": {"get": {"responses": responses}}})


#: Every string is valid under both branches, so no value satisfies ``oneOf``.
NO_VALUE = {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 1000}]}


def test_a_body_no_value_satisfies_is_the_closest_draw_with_a_warning_not_a_500(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    client = make_client(write_doc(_answer_doc(NO_VALUE)), fixtures_dir=None)
    answer = client.get("/api/things")
    assert answer.status_code == 200
    assert isinstance(answer.json(), str)
    assert "could not generate" in answer.headers["warning"]


def test_a_body_no_value_satisfies_is_no_5xx_even_where_one_is_declared(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    client = make_client(write_doc(_answer_doc(NO_VALUE, "default", "500")), fixtures_dir=None)
    answer = client.get("/api/things")
    assert answer.status_code == 200  # the mock's limit is not the API's server error
    assert "could not generate" in answer.headers["warning"]


def test_a_type_no_json_schema_knows_judges_nothing_and_fails_nothing(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    doc = minimal_doc(
        "3.0.3",
        **{
            "/ocr": {
                "post": {
                    "parameters": [
                        {"name": "form", "in": "query", "schema": {"type": "application/json"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    )
    client = make_client(write_doc(doc), fixtures_dir=None)
    assert client.post("/api/ocr", params={"form": "{}"}).status_code == 200


def test_a_keyword_of_the_wrong_shape_judges_nothing_and_fails_nothing(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "allOf": {"0": {"required": ["a"]}},  # an object where a list belongs
    }
    client = make_client(write_doc(_answer_doc(schema)), fixtures_dir=None)
    answer = client.get("/api/things")
    assert answer.status_code == 200
    assert isinstance(answer.json(), dict)


def test_a_refused_request_to_an_operation_declaring_no_error_is_still_refused(
    bodies: Client,
) -> None:
    answer = bodies.post("/bodies/portability", data={"x": "1"})  # PhoneNumbers is required
    assert (
        answer.status_code == 422
    )  # 422: neither 400 nor 422 declared; never the declared 202: the status class tells the truth
    assert answer.headers["warning"].startswith('199 mockserver "422 is not declared')
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 422 and "PhoneNumbers" in answer.json()["detail"]


def test_an_error_declared_as_any_media_type_is_sent_as_json(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    error = {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
    }
    doc = minimal_doc(
        "3.0.3",
        **{
            "/files/{id}": {
                "get": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "ok"},
                        "default": {"description": "error", "content": {"*/*": {"schema": error}}},
                    },
                }
            }
        },
    )
    answer = make_client(write_doc(doc), fixtures_dir=None).get("/api/files/x")
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/json"
    assert isinstance(answer.json()["message"], str)


def test_a_pattern_longer_than_its_max_length_is_the_closest_draw_not_a_500(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # 36 characters
    schema = {"type": "string", "pattern": uuid, "maxLength": 32}
    answer = make_client(write_doc(_answer_doc(schema)), fixtures_dir=None).get("/api/things")
    assert answer.status_code == 200
    assert isinstance(answer.json(), str)
    assert "closest drawn" in answer.headers["warning"]


def test_a_get_declaring_no_4xx_answers_every_id_with_a_record(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    user = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": user}}}
    broken = {"description": "server error"}
    name = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
    doc = minimal_doc(
        "3.0.3",
        **{
            "/users": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"type": "array", "items": user}}
                            },
                        }
                    }
                },
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": user}}},
                    "responses": {"200": ok, "500": broken},
                },
            },
            "/users/{name}": {
                "get": {"parameters": name, "responses": {"200": ok, "500": broken}},
                "delete": {"parameters": name, "responses": {"204": {"description": "gone"}}},
            },
        },
    )
    client = make_client(write_doc(doc), fixtures_dir=None)
    answer = client.get("/api/users/nobody")  # no 404 declared: the document promises a user
    assert answer.status_code == 200 and answer.json()["name"] == "nobody"
    gone = client.request("DELETE", "/api/users/nobody")
    # not found: a 404, undeclared (never the declared 500, nor the 204 of a delete that did
    # not happen)
    assert gone.status_code == 404 and "404 is not declared" in gone.headers["warning"]


def test_a_content_key_that_is_no_media_type_is_never_sent(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    token = {"type": "object", "properties": {"code": {"type": "string"}}}
    content = {"access": {"example": "standard"}, "application/json": {"schema": token}}
    doc = minimal_doc(
        "3.0.3",
        **{"/token": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}},
    )
    answer = make_client(write_doc(doc), fixtures_dir=None).get("/api/token")
    assert answer.headers["content-type"] == "application/json"


def test_a_base_path_that_repeats_the_mount_name_still_reaches_its_paths(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    doc = minimal_doc(
        "3.0.3", **{"/api/articles": {"get": {"responses": {"200": {"description": "ok"}}}}}
    )
    doc["servers"] = [{"url": "https://dev.to/api"}]  # named api, based at /api
    client = make_client(write_doc(doc, "api.yaml"), fixtures_dir=None)
    assert client.get("/api/api/articles").status_code == 200  # the base path's mount
    assert client.get("/api/api/api/articles").status_code == 200  # the name's mount


def test_a_refusal_quoting_a_value_beyond_latin_1_is_sent_not_a_500(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    body = {"type": "object", "properties": {"data": {"type": "integer"}}}
    doc = minimal_doc(
        "3.0.3",
        **{
            "/blobs": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "ok"}},  # no 4xx: a Warning says so
                }
            }
        },
    )
    client = make_client(write_doc(doc), fixtures_dir=None)
    answer = client.post("/api/blobs", json={"data": "\u20ac\u2026 \n"})
    assert answer.status_code == 422
    assert "\u20ac\u2026" in answer.json()["detail"]
    assert "422 is not declared" in answer.headers["warning"]


def test_a_one_of_its_own_type_excludes_is_the_closest_draw_not_a_500(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    value = {"oneOf": [{"type": "string"}, {"type": "number"}], "type": "null"}  # (Vercel)
    doc = _answer_doc(value)
    doc["openapi"] = "3.1.0"  # where null is a type
    answer = make_client(write_doc(doc), fixtures_dir=None).get("/api/things")
    assert answer.status_code == 200
    assert "closest drawn" in answer.headers["warning"]
