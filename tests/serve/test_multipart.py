"""multipart/form-data parts are read as the media type they are in (OpenAPI's Encoding
Object defaults: an object part is JSON), then judged by the schema."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client, MakeClient, WriteDoc, minimal_doc

BOUNDARY = "b0undary"
OBJECT = {"type": "object", "properties": {"foo": {"type": "string"}}}
SCHEMA = {
    "type": "object",
    "properties": {
        "object": OBJECT,
        "objects": {"type": "array", "items": OBJECT},
        "note": {"type": "string"},
        "text": OBJECT,  # declared text/plain by its Encoding Object: not read as JSON
    },
}


def _part(name: str, value: str, content_type: str | None = None) -> str:
    head = f'Content-Disposition: form-data; name="{name}"\r\n'
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    return f"--{BOUNDARY}\r\n{head}\r\n{value}\r\n"


@pytest.fixture
def forms(make_client: MakeClient, write_doc: WriteDoc) -> Client:
    media = {"schema": SCHEMA, "encoding": {"text": {"contentType": "text/plain"}}}
    body = {"content": {"multipart/form-data": media}}
    responses = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    document = minimal_doc(
        "3.0.3", **{"/forms": {"post": {"requestBody": body, "responses": responses}}}
    )
    return make_client(write_doc(document), fixtures_dir=None)


def _post(client: Client, *parts: str) -> Any:
    content = "".join(parts) + f"--{BOUNDARY}--\r\n"
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    return client.post("/api/forms", content=content.encode(), headers=headers)


@pytest.mark.parametrize(
    "parts",
    [
        [_part("object", "{}")],  # no Content-Type of its own: JSON, as its type says
        [_part("object", '{"foo": "x"}', "application/json; charset=utf-8")],
        [_part("objects", '{"foo": "x"}'), _part("objects", "{}")],  # each item JSON
        [_part("note", "{}")],  # a string part stays text
    ],
    ids=["object", "own-json", "array-of-objects", "string"],
)
def test_json_parts_are_read_as_the_values_they_write(forms: Client, parts: list[str]) -> None:
    assert _post(forms, *parts).status_code == 200


@pytest.mark.parametrize(
    "parts",
    [
        [_part("object", '{"foo": 1}')],  # read, then judged: foo is no string
        [_part("object", "not json")],
        [_part("object", "{}", "text/plain")],  # the part says it is text
        [_part("text", "{}")],  # the Encoding Object says text/plain
    ],
    ids=["judged", "not-json", "own-text", "encoded-text"],
)
def test_a_part_that_is_not_its_schema_s_object_is_refused(forms: Client, parts: list[str]) -> None:
    answer = _post(forms, *parts)
    assert 400 <= answer.status_code < 500
    assert answer.json()["errors"][0]["location"] == "body"
