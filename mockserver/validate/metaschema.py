"""The document against its version's meta-schema, and each 3.1 schema against its dialect.

jsonschema-rs answers "valid?" in milliseconds even for a 2.6 MB document; only when it
says no does the reference validator (jsonschema) run, to explain each failure.

The 3.0 and 3.1 meta-schemas are the OpenAPI Initiative's current ones, vendored in
``meta_schemas/`` (see its README for commit and date): the copies openapi-spec-validator
ships are older (3.1's Link Object there has ``body`` where the specification has ``server``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from importlib.resources import files
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import validator_for
from openapi_schema_validator._specifications import REGISTRY as OAS_SPECIFICATIONS
from openapi_spec_validator.schemas import openapi_v2_schema_validator

from mockserver.report.findings import Finding
from mockserver.spec.model import Dialect
from mockserver.spec.refs import Located
from mockserver.validate.explain import Explained, explain


def _vendored(name: str) -> Any:
    return json.loads(files("mockserver.validate").joinpath("meta_schemas", name).read_text())


#: The meta-schemas, read by plain jsonschema validators (openapi-spec-validator's own
#: wrappers lose the keyword and branches of each failure); 2.0's has not changed since.
_META_SCHEMAS = {
    Dialect.SWAGGER_2: openapi_v2_schema_validator.schema,
    Dialect.OPENAPI_3_0: _vendored("oas-3.0.json"),
    Dialect.OPENAPI_3_1: _vendored("oas-3.1.json"),
}
_STANDARDS = {
    Dialect.SWAGGER_2: "Swagger 2.0",
    Dialect.OPENAPI_3_0: "OpenAPI 3.0",
    Dialect.OPENAPI_3_1: "OpenAPI 3.1",
}
OAS_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_OAS_VOCABULARY = "https://spec.openapis.org/oas/3.1/meta/base"
_ECHOES = ("unevaluatedProperties", "unevaluatedItems")


def iter_meta_schema_issues(root: Located, dialect: Dialect) -> Iterator[Finding]:
    """Every way the document breaks its version's meta-schema, at the keyword's own spot."""
    if _fast_meta_schema(dialect).is_valid(root.value):
        return
    errors = _reference_meta_schema(dialect).iter_errors(root.value)
    for item in _reported(errors, "", _STANDARDS[dialect]):
        yield Finding.at("MS101", root.file, item.pointer, item.message, item.hint)


def iter_dialect_issues(schemas: list[Located], dialect_uri: str) -> Iterator[Finding]:
    """Every 3.1 schema object against its dialect (the OAS one unless the document says)."""
    fast, slow, label = _dialect(dialect_uri)
    for schema in schemas:
        if isinstance(schema.value, dict) and schema.value.get("$schema", dialect_uri) not in (
            dialect_uri,
            dialect_uri + "#",
        ):
            continue  # a schema naming another dialect: its own business
        if fast.is_valid(schema.value):
            continue
        for item in _reported(slow.iter_errors(schema.value), schema.pointer, label):
            yield Finding.at("MS101", schema.file, item.pointer, item.message, item.hint)


def known_dialect(uri: str) -> bool:
    """Whether mockserver can check schemas of the dialect ``uri`` (it never fetches one)."""
    return uri.rstrip("#") in (OAS_DIALECT, JSON_SCHEMA_2020_12)


def _covered_elsewhere(error: ValidationError) -> bool:
    """Failures a dedicated rule reports better: regexes (ECMA-262, not Python's), repeated
    tags, an example with both value and externalValue."""
    if error.validator == "format" and error.validator_value == "regex":
        return True
    if error.validator == "uniqueItems" and list(error.absolute_path) == ["tags"]:
        return True
    expected = error.validator_value
    return (
        error.validator == "not"
        and isinstance(expected, dict)
        and sorted(expected.get("required", [])) == ["externalValue", "value"]
    )


def _reported(
    errors: Iterable[ValidationError], pointer: str, standard: str
) -> Iterator[Explained]:
    """One finding per spot, leaving out what another rule reports and the "unevaluated"
    echoes of failures deeper down (fix those, and the echo goes)."""
    items = [
        (item, _covered_elsewhere(error))
        for error in errors
        for item in explain(error, pointer, standard)
    ]
    seen: set[str] = set()
    for item, covered in items:
        if covered:
            continue
        if item.keyword in _ECHOES and any(_echoes(item, other) for other, _ in items):
            continue
        if item.pointer not in seen:
            seen.add(item.pointer)
            yield item


def _echoes(echo: Explained, other: Explained) -> bool:
    """Whether ``echo`` (an "unevaluated" failure) only repeats ``other``: a failure at or
    below it, or "has both 'example' and 'examples'" on the object holding it."""
    if other.keyword in _ECHOES:
        return False
    if other.pointer == echo.pointer or other.pointer.startswith(echo.pointer + "/"):
        return True
    parent, _, name = echo.pointer.rpartition("/")
    return other.keyword == "not" and other.pointer == parent and repr(name) in other.message


@functools.cache
def _fast_meta_schema(dialect: Dialect) -> Any:
    return jsonschema_rs.validator_for(dict(_META_SCHEMAS[dialect]))


@functools.cache
def _reference_meta_schema(dialect: Dialect) -> Any:
    schema = dict(_META_SCHEMAS[dialect])
    return validator_for(schema)(schema)


@functools.cache
def _dialect(uri: str) -> tuple[Any, Any, str]:
    """(compiled check, reference validator, name) for a dialect's meta-schema."""
    uri = uri.rstrip("#")
    schema = OAS_SPECIFICATIONS.contents(uri)
    vocabulary = OAS_SPECIFICATIONS.contents(_OAS_VOCABULARY)
    fast = jsonschema_rs.validator_for(
        schema, registry=jsonschema_rs.Registry([(_OAS_VOCABULARY, vocabulary)])
    )
    slow = Draft202012Validator(schema, registry=OAS_SPECIFICATIONS)
    label = "the OpenAPI 3.1 schema dialect" if uri == OAS_DIALECT else "JSON Schema 2020-12"
    return fast, slow, label
