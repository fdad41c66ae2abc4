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

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
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
T = TypeVar("T")


class _Unbundlable(Exception):
    pass


#: The node budget of one schema's walk into a :class:`DefinitionPool` (the schemas it
#: reaches that the pool had not walked yet).
MAX_DEFINITION_NODES = 200_000


@dataclass
class _Walk:
    """One bundling: where references resolve, what is left of the node budget, and which
    keywords tie a schema to its place. With a ``pool``, each ``$ref`` points at the pool's
    definition of its target (``refs`` collects their names) instead of being inlined."""

    registry: SchemaRegistry
    bound: frozenset[str]
    nodes: int = MAX_NODES
    pool: DefinitionPool[Any] | None = None
    refs: set[str] = field(default_factory=set)


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
    if walk.pool is not None:
        name = walk.pool.define(target, walk)
        walk.refs.add(name)
        inlined = {"$ref": f"#/{walk.pool.key}/{name}"}
    elif target in stack:
        raise _Unbundlable  # recursive: keep the reference
    else:
        inlined = _walk(_resolve(target, walk), target, (*stack, target), walk)
    if not copied:
        return inlined
    return {"allOf": [inlined], **copied}  # keywords beside a $ref still apply


def _is_in_place(schema: Schema, registry: SchemaRegistry) -> bool:
    """Whether ``schema`` is its file's own value at its URI (not a merged or built one)."""
    assert schema.uri is not None
    try:
        return _resolve(schema.uri, _Walk(registry, frozenset())) is schema.value
    except LookupError:
        return False


def _resolve(target: str, walk: _Walk) -> Any:
    document, fragment = urldefrag(target)
    return resolve_pointer(walk.registry.contents(document), fragment_pointer(fragment))


class DefinitionPool(Generic[T]):
    """Every schema the ``$ref`` keywords of one document reach, each walked once into a
    definition (``definitions``, or ``$defs`` in OpenAPI 3.1) and prepared once by
    ``prepare``, so that the self-contained bundles of many schemas share the work.

    :func:`bundle` cannot inline a recursive schema (Stripe's objects, Graph's entities),
    and a bundle per schema with its own copy of everything it reaches cost Stripe's first
    list 0.7 s. Here a schema's bundle is its own walk plus the definitions it reaches.
    Safe across threads (one walk at a time)."""

    def __init__(self, dialect: Dialect, prepare: Callable[[Any], T]) -> None:
        self.bound = _LOCATION_BOUND if dialect is Dialect.OPENAPI_3_1 else _PICKING
        self.key = "$defs" if dialect is Dialect.OPENAPI_3_1 else "definitions"
        self.prepare = prepare
        self._names: dict[str, str | None] = {}  # referenced URI -> name (None: refused)
        self._definitions: dict[str, T] = {}  # name -> prepared definition
        self._refs: dict[str, frozenset[str]] = {}  # name -> the names it references
        self._lock = threading.Lock()

    def bundle(self, schema: Schema, registry: SchemaRegistry) -> tuple[T, dict[str, T]] | None:
        """``schema`` prepared, with the prepared definitions it reaches by name; None when
        a schema it reaches is tied to its place, or the walk exceeds its budget. (The
        pool keeps no registry: always the same one is given, its document's.)"""
        if schema.uri is None:
            return None
        with self._lock:
            walk = _Walk(registry, self.bound, MAX_DEFINITION_NODES, pool=self)
            try:
                # a schema in its place is itself a definition, shared by every check that
                # reaches it (one that is only a $ref is walked: it becomes its target's)
                only_ref = isinstance(schema.value, dict) and schema.value.keys() == {"$ref"}
                if not only_ref and _is_in_place(schema, registry):
                    name = self.define(schema.uri, walk)
                    walk.refs.add(name)
                    root = {"$ref": f"#/{self.key}/{name}"}
                else:
                    root = _walk(schema.value, schema.uri, (), walk)
            except (_Unbundlable, LookupError, RecursionError):
                return None
            reached = self._reach(walk.refs)
            if not all(n in self._definitions for n in reached):
                return None  # through one whose walk failed after it was referenced
            return self.prepare(root), {n: self._definitions[n] for n in reached}

    def define(self, target: str, walk: _Walk) -> str:
        """The name of ``target``'s definition, walked the first time it is referenced (its
        name is taken first, so a schema that references itself finds it); a target whose
        walk failed fails every walk that reaches it."""
        if target in self._names:
            name = self._names[target]
            if name is None:
                raise _Unbundlable
            return name
        name = self._names[target] = f"s{len(self._names)}"
        inner = _Walk(walk.registry, walk.bound, walk.nodes, pool=self)
        try:
            walked = _walk(_resolve(target, walk), target, (), inner)
        except BaseException:
            self._names[target] = None
            raise
        walk.nodes = inner.nodes
        self._definitions[name] = self.prepare(walked)
        self._refs[name] = frozenset(inner.refs)
        return name

    def _reach(self, names: set[str]) -> list[str]:
        """``names`` and every definition they reach, in the pool's order."""
        seen, stack = set(names), list(names)
        while stack:
            for found in self._refs.get(stack.pop(), ()):
                if found not in seen:
                    seen.add(found)
                    stack.append(found)
        return sorted(seen, key=lambda n: int(n[1:]))
