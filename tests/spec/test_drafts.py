"""The older JSON Schema draft an OpenAPI 3.1 schema names is recognised by its URI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft7Validator, Draft201909Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mockserver.spec.drafts import named_draft
from mockserver.spec.model import Dialect, Schema

URI = "file:///doc.json"


def _named(value: Any, dialect: Dialect = Dialect.OPENAPI_3_1, **document: Any) -> Any:
    registry = Registry().with_resource(URI, DRAFT202012.create_resource(document))
    return named_draft(Schema(value, dialect, f"{URI}#/x", Path("doc.json"), "/x"), registry)


@pytest.mark.parametrize(
    ("uri", "draft"),
    [
        ("http://json-schema.org/draft-04/schema#", Draft4Validator),
        ("https://json-schema.org/draft-05/schema#", Draft4Validator),  # never its own
        ("https://json-schema.org/draft-07/schema", Draft7Validator),
        ("https://json-schema.org/draft/2019-09/schema", Draft201909Validator),
        ("https://json-schema.org/draft/2020-12/schema", None),  # 3.1's default
        ("https://spec.openapis.org/oas/3.1/dialect/base", None),
        ("https://example.com/my-dialect", None),
    ],
)
def test_a_schema_s_own_dollar_schema_names_its_draft(uri: str, draft: Any) -> None:
    assert _named({"$schema": uri}) is draft


def test_the_document_s_dialect_applies_where_the_schema_names_none() -> None:
    draft4 = "http://json-schema.org/draft-04/schema#"
    assert _named({"type": "number"}, jsonSchemaDialect=draft4) is Draft4Validator
    newest = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    assert _named(newest, jsonSchemaDialect=draft4) is None


def test_before_3_1_no_schema_names_a_draft() -> None:
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#"}
    assert _named(draft7, Dialect.OPENAPI_3_0) is None
