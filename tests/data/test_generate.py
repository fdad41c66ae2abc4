"""Generated data is valid against its schema, for every schema the documents use."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_schema_validator import OAS30ReadValidator

from mockserver.data.binding import json_media, success_response
from mockserver.data.generate import MAX_VALUES, ValueGenerator
from mockserver.data.regex import string_matching
from mockserver.spec.build import iter_schemas
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.loader import load_document
from mockserver.spec.model import Schema
from tests.conftest import DATA, SPECS, VENDORED, WriteDoc, minimal_doc

DOCUMENTS = [SPECS / f"{name}.yaml" for name in VENDORED] + [
    DATA / "keywords-3.1.yaml",
    DATA / "petstore-v2.yaml",
]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_every_schema_of_the_document_generates_valid_values(path: object) -> None:
    document = load_document(path)  # type: ignore[arg-type]
    generator = ValueGenerator(document.registry)
    checked = 0
    for label, schema in iter_schemas(document):
        validator = SchemaValidator(schema, document.registry)
        for seed in range(5):
            value = generator.generate(schema, seed)
            assert validator.is_valid(value), (label, seed, value)
            checked += 1
    assert checked > 20


def test_the_same_seed_gives_the_same_value() -> None:
    document = load_document(SPECS / "launchdarkly.yaml")
    generator = ValueGenerator(document.registry)
    schema = next(s for label, s in iter_schemas(document) if "200" in label)
    assert generator.generate(schema, 5) == generator.generate(schema, 5)
    assert generator.generate(schema, 5) != generator.generate(schema, 6)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Fa-f\d]{24}$",
        r"^[a-z0-9-]{1,32}$",
        r"^(proj|env)/[a-z]+$",
        r"\d{3}-\d{4}",
        r"^[^@\s]+@example\.(com|org)$",
        r"^a(?=b)",
        r"^x[^a-z]{2,4}y$",
    ],
)
def test_regex_strings_match_their_pattern(pattern: str) -> None:
    rng = random.Random(1)
    for _ in range(20):
        try:
            text = string_matching(pattern, rng)
        except ValueError:
            assert "(?=" in pattern  # look-aheads may be unproducible; never a wrong string
            return
        assert re.search(pattern, text), text


def _generator_for(write_doc: WriteDoc, schema: dict[str, Any]) -> tuple[ValueGenerator, Schema]:
    """A generator for a 3.1 document whose one response is ``schema``, and that schema."""
    raw = minimal_doc(
        "3.1.0",
        **{
            "/thing": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema}},
                        }
                    }
                }
            }
        },
    )
    document = load_document(write_doc(raw))
    media = json_media(success_response(document.operations[0]))
    assert media is not None and media.schema is not None
    return ValueGenerator(document.registry), media.schema


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {
                "type": "object",
                "required": ["Message", "RecordFile"],
                "properties": {"Message": {"type": "string"}},
            },
            {"RecordFile": str},
        ),
        (
            {"type": "object", "required": ["size"], "additionalProperties": {"type": "integer"}},
            {"size": int},
        ),
        (
            {
                "type": "object",
                "required": ["x-rate"],
                "patternProperties": {"^x-": {"type": "number", "minimum": 1}},
                "additionalProperties": False,
            },
            {"x-rate": (int, float)},
        ),
    ],
)
def test_a_required_name_without_a_property_schema_gets_a_value(
    write_doc: WriteDoc, schema: dict[str, Any], expected: dict[str, Any]
) -> None:
    generator, wrapped = _generator_for(write_doc, schema)
    oracle = Draft202012Validator(schema, format_checker=FormatChecker())
    for seed in range(10):
        value = generator.generate(wrapped, seed)
        assert list(oracle.iter_errors(value)) == []
        for name, kind in expected.items():
            assert isinstance(value[name], kind)


def test_one_of_with_sibling_properties_meets_the_siblings_in_every_branch(
    write_doc: WriteDoc,
) -> None:
    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string"}},
        "required": ["kind"],
        "oneOf": [
            {"type": "object", "properties": {"_id": {"type": "string"}}, "required": ["_id"]},
            {
                "type": "object",
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                "required": ["key", "name"],
            },
        ],
    }
    generator, wrapped = _generator_for(write_doc, schema)
    oracle = Draft202012Validator(schema)
    values = [generator.generate(wrapped, seed) for seed in range(20)]
    assert all(list(oracle.iter_errors(v)) == [] and "kind" in v for v in values)
    assert {"_id" in v for v in values} == {True, False}  # both branches are drawn


def test_launchdarkly_full_document_s_ai_tool_with_its_maintainer_is_generated() -> None:
    """POST /api/v2/projects/{projectKey}/ai-tools: oneOf beside properties/required."""
    path = DATA / "ld-openapi.full.json"
    document = load_document(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    op = next(
        o
        for o in document.operations
        if o.path == "/api/v2/projects/{projectKey}/ai-tools" and o.method == "post"
    )
    media = json_media(success_response(op))
    assert media is not None and media.schema is not None
    oracle = OAS30ReadValidator(
        {**raw, "$ref": "#" + media.schema.pointer},
        format_checker=OAS30ReadValidator.FORMAT_CHECKER,
    )
    generator = ValueGenerator(document.registry)
    values = [generator.generate(media.schema, seed) for seed in range(8)]
    assert all([e.message for e in oracle.iter_errors(v)] == [] for v in values)
    assert any("kind" in v.get("_maintainer", {}) for v in values)


def test_overlapping_one_of_object_branches_give_a_value_of_exactly_one(
    write_doc: WriteDoc,
) -> None:
    schema = {
        "oneOf": [
            {"type": "object", "properties": {"Restaurants": {"type": "array"}}},
            {"type": "object", "properties": {"Open": {"type": "array"}}},
            {
                "type": "object",
                "properties": {"Restaurants": {"type": "array"}, "Area": {"type": "string"}},
            },
        ]
    }
    generator, wrapped = _generator_for(write_doc, schema)
    oracle = Draft202012Validator(schema, format_checker=FormatChecker())
    for seed in range(20):
        value = generator.generate(wrapped, seed)
        assert list(oracle.iter_errors(value)) == [], value


@pytest.mark.parametrize("mapping", [None, {"blob": "#/components/schemas/Blob"}])
def test_a_discriminated_branch_carries_the_value_that_names_it(
    write_doc: WriteDoc, mapping: dict[str, str] | None
) -> None:
    discriminator: dict[str, Any] = {"propertyName": "type"}
    if mapping:
        discriminator["mapping"] = mapping
    transport = {
        "oneOf": [{"$ref": "#/components/schemas/Blob"}, {"$ref": "#/components/schemas/Sftp"}],
        "discriminator": discriminator,
    }
    raw = minimal_doc(
        "3.0.3",
        **{
            "/t": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": transport}},
                        }
                    }
                }
            }
        },
    )
    raw["components"] = {
        "schemas": {
            "Blob": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string"}, "container": {"type": "string"}},
            },
            "Sftp": {
                "type": "object",
                "required": ["type", "host"],
                "properties": {"type": {"type": "string"}, "host": {"type": "string"}},
            },
        }
    }
    document = load_document(write_doc(raw))
    media = json_media(success_response(document.operations[0]))
    assert media is not None and media.schema is not None
    generator = ValueGenerator(document.registry)
    names = {generator.generate(media.schema, seed)["type"] for seed in range(20)}
    assert names == {"blob" if mapping else "Blob", "Sftp"}


def test_a_ref_whose_fragment_is_percent_encoded_is_followed(write_doc: WriteDoc) -> None:
    day = {"type": "string", "format": "date"}
    raw = minimal_doc(
        "3.0.3",
        **{
            "/a/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": day}},
                        }
                    },
                }
            },
            "/b": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": "#/paths/~1a~1%7Bid%7D/get/responses/200"
                                        "/content/application~1json/schema"
                                    }
                                }
                            },
                        }
                    }
                }
            },
        },
    )
    document = load_document(write_doc(raw))
    media = json_media(success_response(document.operations[1]))
    assert media is not None and media.schema is not None
    value = ValueGenerator(document.registry).generate(media.schema, 1)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)


_AUTHORED = {
    "type": "object",
    "required": ["name", "kind", "legs", "tag", "tags"],
    "properties": {
        "name": {"type": "string", "example": "Rex"},
        "kind": {"type": "string", "examples": ["dog", "cat"]},
        "legs": {"type": "integer", "default": 4},
        "tag": {"type": "string", "maxLength": 3, "example": "far too long", "default": "ok"},
        "tags": {
            "type": "array",
            "minItems": 2,
            "uniqueItems": True,
            "items": {"type": "string", "example": "same"},
        },
    },
}


def test_with_examples_the_author_s_values_come_first(write_doc: WriteDoc) -> None:
    generator, schema = _generator_for(write_doc, _AUTHORED)
    value = generator.generate(schema, 0, examples=True)
    assert {k: value[k] for k in ("name", "kind", "legs")} == {
        "name": "Rex",
        "kind": "dog",
        "legs": 4,
    }
    assert value["tag"] == "ok"  # the example breaks maxLength: the default is next
    assert value == generator.generate(schema, 0, examples=True)


def test_examples_that_together_break_the_schema_give_way_to_generation(
    write_doc: WriteDoc,
) -> None:
    generator, schema = _generator_for(write_doc, _AUTHORED)
    value = generator.generate(schema, 0, examples=True)
    assert list(Draft202012Validator(_AUTHORED).iter_errors(value)) == []
    assert len(set(value["tags"])) >= 2  # two "same" items would break uniqueItems


def test_without_examples_values_are_generated(write_doc: WriteDoc) -> None:
    generator, schema = _generator_for(write_doc, _AUTHORED)
    names = {generator.generate(schema, seed)["name"] for seed in range(5)}
    assert "Rex" not in names and len(names) > 1


def test_with_examples_an_optional_property_with_an_authored_value_is_always_shown(
    write_doc: WriteDoc,
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "after": {"type": ["string", "null"], "default": None},
            "name": {"type": "string", "example": "Rex"},
        },
    }
    generator, wrapped = _generator_for(write_doc, schema)
    for seed in range(10):
        assert generator.generate(wrapped, seed, examples=True) == {"after": None, "name": "Rex"}


#: Microsoft Graph's pattern for its 458 date-times (any number of year digits, any day 31).
GRAPH_DATE_TIME = (
    r"^[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
    r":[0-5][0-9]([.][0-9]{1,12})?(Z|[+-][0-9][0-9]:[0-9][0-9])$"
)


def test_a_formatted_string_with_a_pattern_meets_both(write_doc: WriteDoc) -> None:
    schema = {"type": "string", "format": "date-time", "pattern": GRAPH_DATE_TIME}
    generator, target = _generator_for(write_doc, schema)
    oracle = Draft202012Validator(schema, format_checker=FormatChecker())
    for seed in range(20):
        value = generator.generate(target, seed, examples=False)
        assert oracle.is_valid(value), value
        assert re.search(GRAPH_DATE_TIME, value), value


class _CountingGenerator(ValueGenerator):
    """A generator that counts the bodies it draws (not those it hands out again)."""

    drawn = 0

    def _draw_valid(self, *args: Any) -> Any:
        self.drawn += 1
        return super()._draw_valid(*args)


def test_a_body_is_drawn_once_and_each_caller_gets_its_own_copy(write_doc: WriteDoc) -> None:
    schema = {
        "type": "object",
        "required": ["id", "tags"],
        "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "minItems": 1}},
    }
    plain, target = _generator_for(write_doc, schema)
    generator = _CountingGenerator(plain.registry)
    first = generator.generate(target, 7)
    first["tags"].append("changed by the caller")
    second = generator.generate(target, 7)
    assert generator.drawn == 1
    assert "changed by the caller" not in second["tags"]
    assert generator.generate(target, 8) is not None
    assert generator.drawn == 2


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _wide(level: int) -> dict[str, Any]:
    """An entity whose ten optional properties are arrays of the entity one level down."""
    if level == 0:
        return {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    item = {"$ref": f"#/components/schemas/Level{level - 1}"}
    properties: dict[str, Any] = {f"many{i}": {"type": "array", "items": item} for i in range(10)}
    return {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, **properties},
    }


def test_a_deep_and_wide_schema_gives_a_bounded_valid_body(write_doc: WriteDoc) -> None:
    raw = minimal_doc(
        "3.1.0",
        **{
            "/thing": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Level4"}
                                }
                            },
                        }
                    }
                }
            }
        },
    )
    raw["components"] = {"schemas": {f"Level{n}": _wide(n) for n in range(5)}}
    document = load_document(write_doc(raw))
    media = json_media(success_response(document.operations[0]))
    assert media is not None and media.schema is not None
    generator = ValueGenerator(document.registry)
    validator = SchemaValidator(media.schema, document.registry)
    for seed in range(3):
        value = generator.generate(media.schema, seed, examples=False)
        assert validator.is_valid(value)
        assert _size(value) <= 2 * MAX_VALUES
