"""Inline a schema's ``$ref``\\ s so validators need no reference lookups per value.

Validating against ``{"$ref": "file://...#/components/schemas/X"}`` costs a registry lookup
at every reference, every time; the same schema with its references inlined validates
several times faster and exactly the same, provided nothing in it depends on where it
sits: no recursion, no ``$id``/``$anchor``/``$dynamicRef``, and (before OpenAPI 3.1) no
``discriminator``, whose mapping names schemas by their place in the document (the mock
lets it pick the branch: see :mod:`mockserver.spec.dialects`). Those schemas are left as
references.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin

from mockserver.spec.model import Dialect, Schema, SchemaRegistry
from mockserver.spec.pointer import fragment_pointer, resolve_pointer

#: Keywords whose meaning depends on the schema's location: such schemas are not inlined.
_LOCATION_BOUND = frozenset(
    {"$id", "id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"}
)
#: Also location-bound where the discriminator picks a branch (OpenAPI 3.0, Swagger 2.0).
_PICKING = _LOCATION_BOUND | {"discriminator"}
#: Keywords holding data, not schemas: never walked.
_DATA = frozenset({"enum", "const", "default", "example", "examples"})
#: Keywords holding maps from names to schemas: the names are not keywords.
_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
MAX_NODES = 5000


class _Unbundlable(Exception):
    pass


@dataclass
class _Walk:
    """One bundling: where references resolve, what is left of the node budget, and which
    keywords tie a schema to its place."""

    registry: SchemaRegistry
    bound: frozenset[str]
    nodes: int = MAX_NODES


def bundle(schema: Schema, registry: SchemaRegistry) -> Any | None:
    """``schema`` with every ``$ref`` inlined, or None if that would change its meaning."""
    if schema.uri is None:
        return None
    bound = _LOCATION_BOUND if schema.dialect is Dialect.OPENAPI_3_1 else _PICKING
    try:
        return _walk(schema.value, schema.uri, (schema.uri,), _Walk(registry, bound))
    except (_Unbundlable, LookupError, RecursionError):
        return None


def _walk_keyword(keyword: str, value: Any, base: str, stack: tuple[str, ...], walk: _Walk) -> Any:
    if keyword in _DATA:
        return value
    if keyword in _MAPS and isinstance(value, dict):  # names, not keywords, at this level
        return {name: _walk(sub, base, stack, walk) for name, sub in value.items()}
    return _walk(value, base, stack, walk)


def _walk(value: Any, base: str, stack: tuple[str, ...], walk: _Walk) -> Any:
    walk.nodes -= 1
    if walk.nodes < 0:
        raise _Unbundlable
    if isinstance(value, list):
        return [_walk(v, base, stack, walk) for v in value]
    if not isinstance(value, dict):
        return value
    if walk.bound & value.keys():
        raise _Unbundlable
    copied = {k: _walk_keyword(k, v, base, stack, walk) for k, v in value.items() if k != "$ref"}
    ref = value.get("$ref")
    if not isinstance(ref, str):
        return copied
    target = urljoin(base, ref)
    if target in stack:
        raise _Unbundlable  # recursive: keep the reference
    document, fragment = urldefrag(target)
    resolved = resolve_pointer(walk.registry.contents(document), fragment_pointer(fragment))
    inlined = _walk(resolved, target, (*stack, target), walk)
    if not copied:
        return inlined
    return {"allOf": [inlined], **copied}  # keywords beside a $ref still apply
