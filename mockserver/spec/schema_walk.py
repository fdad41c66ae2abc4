"""Find every schema object in a document, by structure rather than by guesswork."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mockserver.spec.model import Dialect
from mockserver.spec.pointer import join_pointer, resolve_pointer

_ONE = (
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
#: Keywords whose value is one schema, in every dialect that has them.
SCHEMA_VALUED = frozenset(_ONE)
#: Keywords whose value is a list of schemas, and those whose value maps names to schemas.
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
SCHEMA_MAPS = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
)
_MANY, _MAPS = SCHEMA_LISTS, SCHEMA_MAPS
#: Keys under which an OpenAPI document holds values, not structure.
_OPAQUE = ("example", "examples", "default", "enum", "const", "x-")


def schema_roots(data: Any, dialect: Dialect) -> Iterator[str]:
    """Pointers of the outermost schemas: named definitions and every ``schema`` field."""
    named = "/definitions" if dialect is Dialect.SWAGGER_2 else "/components/schemas"
    try:
        definitions = resolve_pointer(data, named)
    except LookupError:
        definitions = {}
    if isinstance(definitions, dict):
        yield from (join_pointer(named, name) for name in definitions)
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, list):
            stack.extend((join_pointer(pointer, i), v) for i, v in enumerate(value))
        if not isinstance(value, dict):
            continue
        for key, child in value.items():
            if key == "schema" and isinstance(child, dict | bool):
                yield join_pointer(pointer, key)
            elif not key.startswith(_OPAQUE) and (pointer, key) != ("/components", "schemas"):
                stack.append((join_pointer(pointer, key), child))


def iter_subschemas(data: Any, root: str, dialect: Dialect) -> Iterator[str]:
    """``root`` and the pointer of every schema nested inside it (refs not followed)."""
    stack = [root]
    while stack:
        pointer = stack.pop()
        node = resolve_pointer(data, pointer)
        if not isinstance(node, dict):
            continue
        yield pointer
        for key in _ONE:
            if isinstance(node.get(key), dict):
                stack.append(join_pointer(pointer, key))
        for key in _MANY:
            if isinstance(node.get(key), list):
                stack.extend(join_pointer(pointer, key, i) for i in range(len(node[key])))
        for key in _MAPS:
            if isinstance(node.get(key), dict):
                stack.extend(
                    join_pointer(pointer, key, name)
                    for name, sub in node[key].items()
                    if isinstance(sub, dict)
                )
