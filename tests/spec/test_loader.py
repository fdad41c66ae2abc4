"""Any Swagger 2.0, OpenAPI 3.0 or 3.1 document becomes the same plain model."""

from __future__ import annotations

import dataclasses

import pytest

from mockserver.errors import SpecError
from mockserver.spec.loader import load_document
from mockserver.spec.model import Dialect
from tests.conftest import DATA, SPECS, VENDORED, WriteDoc, minimal_doc


@pytest.mark.parametrize("name", VENDORED)
def test_each_vendored_document_loads(name: str) -> None:
    document = load_document(SPECS / f"{name}.yaml")
    assert document.name == name
    assert len(document.operations) >= 2
    assert all(op.responses for op in document.operations)


def test_vendored_dialects_are_kept() -> None:
    dialects = {n: load_document(SPECS / f"{n}.yaml").dialect for n in VENDORED}
    assert dialects == {
        "losant": Dialect.OPENAPI_3_1,
        "launchdarkly": Dialect.OPENAPI_3_1,
        "anaconda": Dialect.OPENAPI_3_1,
        "gorules": Dialect.OPENAPI_3_0,
    }


def test_swagger_2_is_normalised_into_the_same_model() -> None:
    document = load_document(DATA / "petstore-v2.yaml")
    assert document.dialect is Dialect.SWAGGER_2
    assert document.base_path == "/v2"
    add = document.operation("addPet")
    assert add is not None and add.request_body is not None
    assert [m.name for m in add.request_body.content] == ["application/json"]
    find = document.operation("findPetsByStatus")
    assert find is not None
    status = find.parameter("query", "status")
    assert status is not None and (status.style, status.explode) == ("form", True)
    assert status.schema is not None and status.schema.value["type"] == "array"
    form = document.operation("updatePetWithForm")
    assert form is not None and form.request_body is not None
    media = form.request_body.content[0]
    assert media.name == "application/x-www-form-urlencoded"
    assert media.schema is not None and set(media.schema.value["properties"]) == {"name", "status"}
    assert document.security_schemes["api_key"].location == "header"


def test_openapi_3_1_keeps_schemas_as_written() -> None:
    document = load_document(DATA / "keywords-3.1.yaml")
    assert document.base_path == "/zoo/v1"
    op = document.operation("listThings")
    assert op is not None
    tags = op.parameter("query", "tags")
    assert tags is not None and (tags.style, tags.explode) == ("form", False)
    trace = op.parameter("header", "x-trace")  # header names ignore case
    assert trace is not None and trace.schema is not None
    assert trace.schema.value["type"] == ["string", "null"]
    assert trace.schema.uri is not None and trace.schema.uri.endswith("/schema")
    assert op.security == ((("bearer", ()),),)


def test_model_is_frozen() -> None:
    document = load_document(DATA / "keywords-3.1.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.operations[0].method = "put"  # type: ignore[misc]


def test_response_for_prefers_exact_then_range_then_default(write_doc: WriteDoc) -> None:
    responses = {
        "default": {"description": "d"},
        "4XX": {"description": "r"},
        "404": {"description": "e"},
    }
    document = load_document(
        write_doc(minimal_doc("3.0.3", **{"/a": {"get": {"responses": responses}}}))
    )
    op = document.operations[0]
    assert [op.response_for(s).status for s in (404, 400, 500)] == ["404", "4XX", "default"]


@pytest.mark.parametrize("text", ["openapi: 4.0.0\n", "just: yaml\n", "- a list\n"])
def test_not_openapi_is_a_spec_error(write_doc: WriteDoc, text: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_document(write_doc(text))
    assert caught.value.code == "MS005"


def test_full_launchdarkly_document_loads() -> None:
    document = load_document(DATA / "ld-openapi.full.json")
    assert len(document.operations) > 300
