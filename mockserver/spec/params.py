"""Turn raw path, query, header and cookie strings into typed values.

Each parameter is read according to its ``style`` and ``explode`` (form, simple, label,
matrix, spaceDelimited, pipeDelimited, deepObject, with qs-style nested brackets such as
``filter[actor][0][id]=x``), then coerced to the types its schema allows, so that the
schema validator sees ``limit=5`` as the integer 5, not the string ``"5"``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from referencing import Registry

from mockserver.spec.model import Parameter, Schema, SchemaRegistry
from mockserver.spec.navigate import child, deref, descend, schema_types
from mockserver.spec.sentinel import NOT_SENT

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}

QueryPairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ParameterShape:
    """What a parameter's schema allows, worked out once at start-up."""

    types: frozenset[str]  # JSON types the value may take; empty means "any"
    item_types: frozenset[str]
    properties: Mapping[str, frozenset[str]]  # per-property types for object parameters
    schema: Schema | None = None  # for nested (deepObject) values, read leaf by leaf
    registry: SchemaRegistry = field(default_factory=Registry)
    _leaves: dict[tuple[str, ...], frozenset[str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def leaf_types(self, path: tuple[str, ...]) -> frozenset[str]:
        """The types a nested value at ``path`` may take (worked out once per path)."""
        if path not in self._leaves:
            schema = self.schema
            for token in path:
                schema = child(schema, self.registry, token) if schema is not None else None
            self._leaves[path] = schema_types(schema, self.registry) if schema else frozenset()
        return self._leaves[path]

    @functools.cached_property
    def is_array(self) -> bool:
        """Whether the value is an array (and not also a scalar)."""
        return "array" in self.types and not self.types & {"string", "integer", "number"}

    @functools.cached_property
    def is_object(self) -> bool:
        """Whether the value is an object."""
        return "object" in self.types and "array" not in self.types


def shape_of(schema: Schema | None, registry: SchemaRegistry) -> ParameterShape:
    """The types a parameter schema admits, for coercion."""
    if schema is None:
        return ParameterShape(frozenset(), frozenset(), {})
    types = schema_types(schema, registry)
    items = _child_types(schema, registry, "items")
    props: dict[str, frozenset[str]] = {}
    value = deref(schema, registry).value
    if isinstance(value, dict):
        for name in value.get("properties") or {}:
            sub = _sub(schema, registry, "properties", name)
            props[name] = schema_types(sub, registry) if sub else frozenset()
    return ParameterShape(types, items, props, schema, registry)


_NESTED = frozenset({"object", "array"})


def undefined_serialisation(param: Parameter, shape: ParameterShape) -> str | None:
    """What OpenAPI leaves unwritten about this parameter's values, or None.

    The style table (OpenAPI 3.0.4 and 3.1.1, "Style Examples", after RFC 6570) writes
    arrays of primitives and objects of primitive properties; an array of objects or of
    arrays, or an object with such properties, has no defined serialisation (``deepObject``
    nesting is read qs-style, and ``content`` parameters say their media type). Reading
    ``{'h': 1},{'k': 2}`` as the strings between its commas and refusing them for not
    being objects would refuse what the API may well accept: such a value is not judged.
    """
    if param.media_type is not None or param.style == "deepObject":
        return None
    if shape.is_array and shape.item_types and shape.item_types <= _NESTED:
        kinds = " or ".join(sorted(f"{t}s" for t in shape.item_types))
        return f"an array of {kinds} in style {param.style}"
    if shape.is_object and any(t and t <= _NESTED for t in shape.properties.values()):
        return f"an object with object or array properties in style {param.style}"
    return None


def read_parameter(
    param: Parameter,
    shape: ParameterShape,
    *,
    query: QueryPairs = (),
    path: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
) -> Any:
    """The typed value of ``param`` in this request, or :data:`NOT_SENT` when absent."""
    if param.location == "query":
        return _read_query(param, shape, query)
    source = {"path": path, "header": headers, "cookie": cookies}[param.location] or {}
    key = param.name.lower() if param.location == "header" else param.name
    raw = source.get(key, NOT_SENT)
    if raw is NOT_SENT:
        return NOT_SENT
    return _read_simple(str(raw), param, shape)


def _read_query(param: Parameter, shape: ParameterShape, query: QueryPairs) -> Any:
    if not query:
        return NOT_SENT
    name = param.name
    if param.style == "deepObject":
        nested = {k: v for k, v in query if k.startswith(name + "[")}
        return _deep_object(name, nested, shape) if nested else NOT_SENT
    if param.style == "form" and param.explode and shape.is_object:
        found = {
            k: coerce(v, shape.properties.get(k, frozenset()))
            for k, v in query
            if k in shape.properties
        }
        return found or NOT_SENT
    values = [v for k, v in query if k == name]
    if not values:
        return NOT_SENT
    if shape.is_array:
        if param.style == "form" and param.explode:
            parts = values
        else:
            delimiter = _DELIMITERS.get(param.style, ",")
            parts = [p for v in values for p in v.split(delimiter)] if values[0] != "" else []
        return [coerce(p, shape.item_types) for p in parts]
    if shape.is_object:
        return _pairs_to_object(values[-1].split(_DELIMITERS.get(param.style, ",")), shape)
    return coerce(values[-1], shape.types)


def _read_simple(raw: str, param: Parameter, shape: ParameterShape) -> Any:
    """A path or header value in simple, label or matrix style, as the OpenAPI style table
    writes it (``.blue.black`` is an exploded label array, ``;R=100;G=200`` an exploded
    matrix object). A value missing its style's prefix is read as written, so the schema
    check refuses it rather than the reader guessing."""
    parts = _style_parts(raw, param, shape)
    if parts is None:
        return coerce(raw, shape.types)
    if shape.is_array:
        return [coerce(p, shape.item_types) for p in parts] if parts != [""] else []
    if shape.is_object:
        if param.explode:
            pairs = [p.partition("=") for p in parts]
            return {k: coerce(v, shape.properties.get(k, frozenset())) for k, _, v in pairs}
        return _pairs_to_object(parts, shape)
    return coerce(",".join(parts), shape.types)


def _style_parts(raw: str, param: Parameter, shape: ParameterShape) -> list[str] | None:
    """The value's parts with the style's prefixes and separators taken off."""
    explode = param.explode and (shape.is_array or shape.is_object)
    if param.style == "label":
        if not raw.startswith("."):
            return None
        return raw[1:].split("." if explode else ",")
    if param.style == "matrix":
        if not raw.startswith(";"):
            return None
        segments = raw[1:].split(";")
        if explode and shape.is_object:
            return segments  # ;R=100;G=200
        if explode:
            return [s.partition("=")[2] for s in segments]  # ;color=blue;color=black
        return segments[0].partition("=")[2].split(",")  # ;color=blue,black
    return raw.split(",")


def _pairs_to_object(parts: list[str], shape: ParameterShape) -> dict[str, Any]:
    keys, values = parts[0::2], parts[1::2]
    return {
        k: coerce(v, shape.properties.get(k, frozenset()))
        for k, v in zip(keys, values, strict=False)
    }


def _deep_object(name: str, pairs: Mapping[str, str], shape: ParameterShape) -> Any:
    root: dict[str, Any] = {}
    for key, value in pairs.items():
        tokens = _BRACKETS.findall(key[len(name) :])
        if not tokens:
            continue
        node = root
        for token in tokens[:-1]:
            node = node.setdefault(token, {})
            if not isinstance(node, dict):
                break
        else:
            node[tokens[-1]] = value
    tree = _lists_from_indexes(root)
    return _coerce_tree(tree, shape) if shape.schema else tree


def _coerce_tree(value: Any, shape: ParameterShape, path: tuple[str, ...] = ()) -> Any:
    """Strings at the leaves of a nested query value, read as the types their schemas give."""
    if isinstance(value, dict):
        return {k: _coerce_tree(v, shape, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_coerce_tree(v, shape, (*path, "0")) for v in value]
    if isinstance(value, str):
        return coerce(value, shape.leaf_types(path))
    return value


def _lists_from_indexes(value: Any) -> Any:
    """qs-style ``a[0]=x&a[1]=y`` arrives as {"0": x, "1": y}: make it a list."""
    if not isinstance(value, dict):
        return value
    converted = {k: _lists_from_indexes(v) for k, v in value.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def coerce(raw: str, types: frozenset[str]) -> Any:
    """``raw`` as the first JSON type in ``types`` it can be read as, else the string."""
    if not types or ("string" in types and len(types) == 1):
        return raw
    if "integer" in types and _INTEGER.match(raw):
        return int(raw)
    if "number" in types and _NUMBER.match(raw):
        number = float(raw)
        return (
            int(number)
            if number.is_integer() and "." not in raw and "e" not in raw.lower()
            else number
        )
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    if "null" in types and raw in ("", "null") and "string" not in types:
        return None
    return raw


def _child_types(schema: Schema, registry: SchemaRegistry, key: str) -> frozenset[str]:
    sub = _sub(deref(schema, registry), registry, key)
    return schema_types(sub, registry) if sub else frozenset()


def _sub(schema: Schema, registry: SchemaRegistry, *path: str) -> Schema | None:
    return descend(deref(schema, registry), path)
