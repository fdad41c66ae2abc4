"""The contract's own response-schema check: OpenAPI's response rules on plain jsonschema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT4

from mockserver.contract.schema import ResponseSchema, UncheckableSchema
from mockserver.spec.model import Dialect, Schema

URI = "file:///doc.yaml"
DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {"propertyName": "kind"},
            },
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}},
        }
    }
}
REGISTRY = Registry().with_resource(URI, DRAFT4.create_resource(DOCUMENT))


def check(value: Any, dialect: Dialect = Dialect.OPENAPI_3_0) -> ResponseSchema:
    return ResponseSchema(Schema(value, dialect, None, Path("doc.yaml"), "/x"), REGISTRY)


def test_nullable_admits_null_in_openapi_3_0_and_x_nullable_in_swagger_2() -> None:
    assert check({"type": "string", "nullable": True}).accepts(None)
    assert check({"type": "string", "x-nullable": True}, Dialect.SWAGGER_2).accepts(None)
    assert not check({"type": "string"}).accepts(None)


def test_a_write_only_property_is_not_required_in_a_response() -> None:
    schema = {
        "type": "object",
        "required": ["id", "password"],
        "properties": {"id": {"type": "string"}, "password": {"writeOnly": True}},
    }
    assert check(schema).accepts({"id": "a"})
    assert check(schema, Dialect.OPENAPI_3_1).accepts({"id": "a"})
    assert check(schema).violations({}) == [("", "'id' is a required property")]


def test_the_discriminator_picks_the_branch_a_value_names() -> None:
    pet = ResponseSchema(
        Schema(None, Dialect.OPENAPI_3_0, f"{URI}#/components/schemas/Pet", Path("d"), "/"),
        REGISTRY,
    )
    # plain oneOf refuses it: both branches accept any object
    assert pet.accepts({"kind": "Cat"})


def test_patterns_are_ecma_262_with_unicode_properties() -> None:
    schema = check({"type": "string", "pattern": "^\\p{L}+$"})
    assert schema.accepts("héllo")
    assert not schema.accepts("h3llo")


def test_violations_name_the_place_in_the_value() -> None:
    schema = check({"type": "object", "properties": {"n": {"type": "integer"}}})
    assert schema.violations({"n": "x"}) == [("/n", "'x' is not of type 'integer'")]


def test_a_schema_that_cannot_be_evaluated_is_not_read_as_valid() -> None:
    with pytest.raises(UncheckableSchema):
        check({"type": "string", "pattern": "(unclosed"}).accepts("x")
    with pytest.raises(UncheckableSchema):
        check({"allOf": {"type": "string"}}).accepts("x")
