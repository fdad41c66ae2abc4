"""A compiled (Rust) first opinion for the common case: values that are valid.

jsonschema-rs checks a value in about a microsecond; the Python validators take tens. The
compiled validator is only ever trusted to say *yes*: when it says no, or when a schema
uses anything whose meaning it might not share with the reference validators (OpenAPI 3.0
read/write-only rules, OpenAPI's ``byte``), the Python validator decides, and produces the
messages. A format it reads otherwise is checked with the reference's own function
(:mod:`mockserver.spec.formats`). ``tests/spec/test_compiled.py`` holds the two to the
same verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from mockserver.spec.formats import OPENAPI_FORMATS, format_checks
from mockserver.spec.model import Dialect

#: Formats the reference validator does not really check (OpenAPI's integer ones are
#: bounded separately below).
_UNCHECKED = frozenset(
    {"float", "double", "password", "binary", "int32", "int64", "string", "number", "integer"}
)
#: Formats both validators check alike, per JSON Schema draft (Draft 4 knows fewer). The
#: reference reads uri, uri-reference and duration with jsonschema-rs itself
#: (``dialect_classes.RUST_FORMATS``).
_SAME_FORMATS = {
    Dialect.OPENAPI_3_1: _UNCHECKED
    | {"date-time", "date", "time", "email", "idn-email", "uuid", "ipv4", "ipv6", "regex"}
    | {"uri", "uri-reference", "duration"},
    Dialect.OPENAPI_3_0: _UNCHECKED | {"date-time", "email", "ipv4", "ipv6", "uri"},
    Dialect.SWAGGER_2: _UNCHECKED | {"date-time", "email", "ipv4", "ipv6", "uri"},
}
#: Integer formats the reference validator bounds; jsonschema-rs does not look at them.
_INTEGER_BOUNDS = {"int32": 2**31, "int64": 2**63}
#: A pattern that backtracks this much is left to the reference validator, which bounds
#: its own time (:mod:`mockserver.spec.patterns`): the compiled check only vouches for yes.
_PATTERNS = jsonschema_rs.FancyRegexOptions(backtrack_limit=20_000)
#: Keywords whose values are data, not schemas.
_LITERALS = frozenset({"enum", "const", "default", "example", "examples"})
#: Keywords whose OpenAPI 3.0 meaning depends on the direction (request or response).
_DIRECTIONAL = frozenset({"readOnly", "writeOnly"})


class CompiledCheck:
    """A jsonschema-rs validator that may only vouch for valid values."""

    def __init__(self, validator: Any) -> None:
        self._validator = validator

    def accepts(self, instance: Any) -> bool:
        """True when the value is certainly valid; False means "ask the reference"."""
        try:
            return bool(self._validator.is_valid(instance))
        except (ValueError, TypeError, OverflowError):
            return False


@dataclass(frozen=True)
class Prepared:
    """A schema made ready for jsonschema-rs (OpenAPI's ``nullable`` as a type array, each
    integer format as bounds), with every keyword and format it uses."""

    value: Any
    keywords: frozenset[str]
    formats: frozenset[str]


def prepare(schema: Any, dialect: Dialect) -> Prepared:
    """``schema`` made ready for :func:`compiled_bundle`."""
    keywords, formats = _survey(schema)
    value = schema if dialect is Dialect.OPENAPI_3_1 else _nullable_as_types(schema)
    return Prepared(_bounded(value), frozenset(keywords), frozenset(formats))


def compiled(schema: Any, dialect: Dialect) -> CompiledCheck | None:
    """A compiled check for an inlined schema, or None when it could disagree."""
    return compiled_bundle(prepare(schema, dialect), {}, dialect)


def compiled_bundle(
    root: Prepared, definitions: Mapping[str, Prepared], dialect: Dialect
) -> CompiledCheck | None:
    """A compiled check for ``root`` with the ``definitions`` its references point at
    (see :class:`~mockserver.spec.bundle.DefinitionPool`), or None when it could disagree.

    A format the compiled draft does not read as the reference does is checked with the
    reference's own function (:mod:`mockserver.spec.formats`), called from jsonschema-rs;
    one it cannot be lent (OpenAPI's ``byte``, read by openapi-schema-validator) leaves the
    schema to the reference."""
    parts = [root, *definitions.values()]
    formats = frozenset[str]().union(*(p.formats for p in parts))
    lent = formats - _SAME_FORMATS[dialect]
    if lent & OPENAPI_FORMATS:
        return None
    if dialect is not Dialect.OPENAPI_3_1 and any(p.keywords & _DIRECTIONAL for p in parts):
        return None
    checks = format_checks()
    custom = {name: checks[name] for name in sorted(lent) if name in checks}
    schema = root.value
    if definitions:
        key = "$defs" if dialect is Dialect.OPENAPI_3_1 else "definitions"
        schema = {"allOf": [root.value], key: {n: d.value for n, d in definitions.items()}}
    cls = (
        jsonschema_rs.Draft202012Validator
        if dialect is Dialect.OPENAPI_3_1
        else jsonschema_rs.Draft4Validator
    )
    try:
        validator = cls(
            schema, validate_formats=True, formats=custom or None, pattern_options=_PATTERNS
        )
    except (ValueError, jsonschema_rs.ValidationError):
        return None
    return CompiledCheck(validator)


def _survey(schema: Any) -> tuple[set[str], set[str]]:
    """Every keyword and every format used anywhere in the schema."""
    keywords: set[str] = set()
    formats: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            keywords |= node.keys()
            if isinstance(node.get("format"), str):
                formats.add(node["format"])
            stack.extend(v for k, v in node.items() if k not in _LITERALS)
        elif isinstance(node, list):
            stack.extend(node)
    return keywords, formats


#: Keywords whose value is a schema, a list of schemas, or a map of named schemas: the
#: only places a nested schema can be, so that a property *named* ``nullable`` stays one.
_ONE_SCHEMA = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "items")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")


def _nullable_as_types(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` (and Swagger's ``x-nullable``) as a type array,
    walking schemas by their structure."""
    if not isinstance(schema, dict):
        return schema
    converted = dict(schema)
    for key in _ONE_SCHEMA:
        if isinstance(schema.get(key), dict):
            converted[key] = _nullable_as_types(schema[key])
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            converted[key] = [_nullable_as_types(v) for v in schema[key]]
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            converted[key] = {n: _nullable_as_types(v) for n, v in schema[key].items()}
    nullable = converted.pop("nullable", False) is True
    nullable = (converted.pop("x-nullable", False) is True) or nullable
    if nullable and isinstance(converted.get("type"), str):
        converted["type"] = [converted["type"], "null"]
    return converted


def _bounded(node: Any) -> Any:
    """``node`` with each integer format's range (which jsonschema-rs does not read) as
    bounds it checks, just inside the reference validator's: a value beyond them is left
    to the reference. Each bound stays where its format is, so an ``int64`` timestamp
    does not send a whole body with an ``int32`` elsewhere to the slow validator. Any
    object with such a format is wrapped, schema or not: where no schema is expected,
    jsonschema-rs ignores it."""
    if isinstance(node, list):
        return [_bounded(item) for item in node]
    if not isinstance(node, dict):
        return node
    walked = {k: v if k in _LITERALS else _bounded(v) for k, v in node.items()}
    limit = _INTEGER_BOUNDS.get(walked["format"]) if isinstance(walked.get("format"), str) else None
    if limit is None:
        return walked
    return {"allOf": [walked, {"minimum": -(limit - 1), "maximum": limit - 1}]}
