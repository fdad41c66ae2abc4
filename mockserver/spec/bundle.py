"""Inline a schema's ``$ref``\\ s so validators need no reference lookups per value.

Validating against ``{"$ref": "file://...#/components/schemas/X"}`` costs a registry lookup
at every reference, every time; the same schema with its references inlined validates
several times faster and exactly the same, provided nothing in it depends on where it
sits: no recursion, no ``$id``/``$anchor``/``$dynamicRef``. Those schemas are left as
references.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urljoin

from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.pointer import fragment_pointer, resolve_pointer

#: Keywords whose meaning depends on the schema's location: such schemas are not inlined.
_LOCATION_BOUND = frozenset(
    {"$id", "id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"}
)
#: Keywords holding data, not schemas: never walked.
_DATA = frozenset({"enum", "const", "default", "example", "examples"})
#: Keywords holding maps from names to schemas: the names are not keywords.
_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
MAX_NODES = 5000


class _Unbundlable(Exception):
    pass


def bundle(schema: Schema, registry: SchemaRegistry) -> Any | None:
    """``schema`` with every ``$ref`` inlined, or None if that would change its meaning."""
    if schema.uri is None:
        return None
    budget = [MAX_NODES]
    try:
        return _walk(schema.value, schema.uri, (schema.uri,), registry, budget)
    except (_Unbundlable, LookupError, RecursionError):
        return None


def _walk_keyword(
    keyword: str,
    value: Any,
    base: str,
    stack: tuple[str, ...],
    registry: SchemaRegistry,
    budget: list[int],
) -> Any:
    if keyword in _DATA:
        return value
    if keyword in _MAPS and isinstance(value, dict):  # names, not keywords, at this level
        return {name: _walk(sub, base, stack, registry, budget) for name, sub in value.items()}
    return _walk(value, base, stack, registry, budget)


def _walk(
    value: Any, base: str, stack: tuple[str, ...], registry: SchemaRegistry, budget: list[int]
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unbundlable
    if isinstance(value, list):
        return [_walk(v, base, stack, registry, budget) for v in value]
    if not isinstance(value, dict):
        return value
    if _LOCATION_BOUND & value.keys():
        raise _Unbundlable
    copied = {
        k: _walk_keyword(k, v, base, stack, registry, budget)
        for k, v in value.items()
        if k != "$ref"
    }
    ref = value.get("$ref")
    if not isinstance(ref, str):
        return copied
    target = urljoin(base, ref)
    if target in stack:
        raise _Unbundlable  # recursive: keep the reference
    document, fragment = urldefrag(target)
    resolved = resolve_pointer(registry.contents(document), fragment_pointer(fragment))
    inlined = _walk(resolved, target, (*stack, target), registry, budget)
    if not copied:
        return inlined
    return {"allOf": [inlined], **copied}  # keywords beside a $ref still apply
