"""A document's definition pool: a schema that contains itself gets a compiled check from a
bundle with definitions, each referenced schema walked once for the whole document."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.spec.bundle import DefinitionPool, bundle
from mockserver.spec.compiled import Prepared, compiled_bundle, prepare
from mockserver.spec.dialects import SchemaValidator, compiled_check
from mockserver.spec.model import ApiDocument, Dialect, Schema
from mockserver.spec.navigate import deref
from tests.conftest import DATA, WriteDoc, loaded, minimal_doc


def _response_schema(document: ApiDocument, path: str) -> Schema:
    operation = next(op for op in document.operations if op.path == path)
    schema = operation.responses[0].content[0].schema
    assert schema is not None
    return schema


def _pool(dialect: Dialect) -> DefinitionPool[Prepared]:
    return DefinitionPool(dialect, lambda value: prepare(value, dialect))


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_a_recursive_schema_is_checked_compiled_from_its_definitions(version: str) -> None:
    document = loaded(DATA / f"recursive-{version}.yaml")
    schema = _response_schema(document, "/nodes")
    assert bundle(schema, document.registry) is None  # it contains itself: no inlining
    check = compiled_check(schema, document.registry)
    assert check is not None
    leaf = {"id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "name": None}
    tree = {**leaf, "children": [leaf, {**leaf, "parent": leaf, "children": [leaf]}]}
    assert check.accepts(tree)
    deep_break = {**leaf, "children": [{**leaf, "children": [{"id": "not-a-uuid"}]}]}
    assert not check.accepts(deep_break)
    assert not check.accepts({**leaf, "size": 2**31})  # int32 bound, three levels down too
    # the reference, which judges what the compiled check does not vouch for, agrees
    validator = SchemaValidator(schema, document.registry)
    assert validator.is_valid(tree)
    assert not validator.is_valid(deep_break)


def test_each_referenced_schema_is_walked_once_for_the_whole_document() -> None:
    document = loaded(DATA / "recursive-3.0.yaml")
    pool = _pool(Dialect.OPENAPI_3_0)
    nodes = pool.bundle(_response_schema(document, "/nodes"), document.registry)
    pairs = pool.bundle(_response_schema(document, "/pairs"), document.registry)
    assert nodes is not None and pairs is not None
    (_, node_definitions), (_, pair_definitions) = nodes, pairs
    shared = set(node_definitions) & set(pair_definitions)
    assert shared  # Pair reaches Node
    assert all(node_definitions[n] is pair_definitions[n] for n in shared)
    assert compiled_bundle(*pairs, Dialect.OPENAPI_3_0) is not None


def _answering(name: str) -> dict[str, Any]:
    """A path item whose GET answers the component schema ``name``."""
    media = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    return {"get": {"responses": {"200": {"description": "ok", "content": media}}}}


def test_a_schema_tied_to_its_place_refuses_every_bundle_that_reaches_it(
    write_doc: WriteDoc,
) -> None:
    document = minimal_doc("3.0.3", **{"/a": _answering("A"), "/b": _answering("B")})
    document["components"] = {
        "schemas": {
            "Pet": {  # the discriminator names its branches by their place: not bundled
                "oneOf": [{"$ref": "#/components/schemas/Cat"}],
                "discriminator": {"propertyName": "kind"},
            },
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "A": {"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Pet"}}},
            "B": {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
        }
    }
    loaded_document = loaded(write_doc(document))
    pool = _pool(Dialect.OPENAPI_3_0)
    for path in ("/a", "/b"):
        schema = _response_schema(loaded_document, path)
        assert pool.bundle(schema, loaded_document.registry) is None


def test_a_schema_that_is_only_a_reference_shares_its_target_s_compiled_check() -> None:
    document = loaded(DATA / "recursive-3.0.yaml")
    answered = _response_schema(document, "/nodes")  # {"$ref": "#/components/schemas/Node"}
    node = deref(answered, document.registry)  # the component itself, in its place
    assert node.pointer == "/components/schemas/Node"
    check = compiled_check(node, document.registry)
    assert check is not None
    assert compiled_check(answered, document.registry) is check


def test_the_reference_is_needed_only_for_what_the_compiled_check_does_not_vouch_for() -> None:
    document = loaded(DATA / "recursive-3.0.yaml")
    validator = SchemaValidator(_response_schema(document, "/nodes"), document.registry)
    assert not validator.needs_reference({"id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301"})
    assert validator.needs_reference({"id": "not-a-uuid"})  # and it is built, outside any
    assert [v.keyword for v in validator.iter_violations({"id": "x"})] == ["format"]  # budget


def test_a_schema_reaching_one_whose_walk_failed_later_is_refused_too(
    write_doc: WriteDoc,
) -> None:
    """A references B, B references A back, then A reaches a schema tied to its place: A's
    walk fails after B's succeeded, and B (which reaches A) must not be bundled without it."""
    document = minimal_doc("3.0.3", **{"/a": _answering("A"), "/b": _answering("B")})
    document["components"] = {
        "schemas": {
            "A": {
                "type": "object",
                "properties": {
                    "b": {"$ref": "#/components/schemas/B"},
                    "bad": {"$ref": "#/components/schemas/Picked"},
                },
            },
            "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
            "Picked": {
                "oneOf": [{"type": "object"}],
                "discriminator": {"propertyName": "kind"},
            },
        }
    }
    loaded_document = loaded(write_doc(document))
    pool = _pool(Dialect.OPENAPI_3_0)
    for path in ("/a", "/b"):
        schema = _response_schema(loaded_document, path)
        assert pool.bundle(schema, loaded_document.registry) is None
    validator = SchemaValidator(_response_schema(loaded_document, "/b"), loaded_document.registry)
    assert validator.is_valid({"a": {"b": {}}})
    assert not validator.is_valid({"a": 1})
