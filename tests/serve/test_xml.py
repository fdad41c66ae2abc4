"""An operation that declares XML only is answered in XML, errors included."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from tests.conftest import Client, MakeClient, WriteDoc, minimal_doc

PET = {
    "type": "object",
    "xml": {"name": "pet"},
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "xml": {"attribute": True}},
        "name": {"type": "string", "example": "rex"},
        "tags": {
            "type": "array",
            "xml": {"wrapped": True, "name": "tags"},
            "items": {"type": "string", "xml": {"name": "tag"}},
        },
    },
}
ERROR = {
    "type": "object",
    "xml": {"name": "error"},
    "properties": {"message": {"type": "string"}, "code": {"type": "integer"}},
}


def _xml_doc() -> dict[str, object]:
    xml = "application/xml"
    return minimal_doc(
        "3.0.3",
        **{
            "/pets/{id}": {
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
                        "200": {"description": "a pet", "content": {xml: {"schema": PET}}},
                        "400": {"description": "bad", "content": {xml: {"schema": ERROR}}},
                    },
                }
            }
        },
    )


@pytest.fixture
def pets(make_client: MakeClient, write_doc: WriteDoc) -> Client:
    return make_client(write_doc(_xml_doc()), fixtures_dir=None)


def test_a_success_declared_as_xml_only_is_xml_shaped_by_the_xml_objects(pets: Client) -> None:
    answer = pets.get("/api/pets/7", headers={"Prefer": "dynamic=true"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/xml"
    root = ET.fromstring(answer.content)
    assert root.tag == "pet"
    assert root.get("id") is not None and int(root.get("id") or "x") >= 0  # an attribute
    assert root.find("name") is not None
    wrapper = root.find("tags")
    if wrapper is not None:  # generated data may leave the optional array out
        assert all(child.tag == "tag" for child in wrapper)


def test_an_error_declared_as_xml_only_is_xml(pets: Client) -> None:
    answer = pets.get("/api/pets/seven")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/xml"
    root = ET.fromstring(answer.content)
    assert root.tag == "error"
    assert "id" in (root.findtext("message") or "")


def test_swagger_2_errors_use_a_media_type_the_operation_produces(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    doc = minimal_doc(
        "2.0",
        **{
            "/things/{id}": {
                "get": {
                    "produces": ["application/json", "application/xml"],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "type": "integer"}
                    ],
                    "responses": {"200": {"description": "ok"}, "400": {"description": "bad id"}},
                }
            }
        },
    )
    client = make_client(write_doc(doc), fixtures_dir=None)
    answer = client.get("/api/things/x")
    assert answer.status_code == 400
    assert answer.headers["content-type"] in ("application/json", "application/xml")
