"""Walking schemas: allOf folded into one schema for generators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from mockserver.spec.model import Dialect, Schema
from mockserver.spec.navigate import merge_all_of


def test_a_property_two_all_of_parts_declare_must_satisfy_both() -> None:
    parts: list[dict[str, Any]] = [
        {"properties": {"attributes": {"type": "object", "properties": {"id": {}}}}},
        {"required": ["attributes"], "properties": {"attributes": {"required": ["id"]}}},
    ]
    schema = Schema({"allOf": parts}, Dialect.OPENAPI_3_1, None, Path("api.yaml"), "")
    merged = merge_all_of(schema, None).value
    attributes = Draft202012Validator(merged["properties"]["attributes"])
    assert not attributes.is_valid({})  # the second part's required is kept
    assert attributes.is_valid({"id": "x"})
    assert merged["required"] == ["attributes"]
