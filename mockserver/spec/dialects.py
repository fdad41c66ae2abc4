"""Validate values against schemas in the dialect each document speaks.

* OpenAPI 3.1: JSON Schema 2020-12 with the OpenAPI vocabulary (type arrays, ``const``,
  ``prefixItems``, ``unevaluatedProperties``, ``dependentRequired``, ``$defs``).
* OpenAPI 3.0: the Draft 4 subset with ``nullable``; ``readOnly`` properties are not
  required in requests and ``writeOnly`` ones not in responses.
* Swagger 2.0: the Draft 4 subset with ``x-nullable``.
* An OpenAPI 3.1 schema that names an older draft (``$schema``, ``jsonSchemaDialect``):
  that draft (see :mod:`mockserver.spec.drafts`), with ECMA-262 patterns.

``format`` is asserted, not just annotated: a mock that accepts ``"not-a-uuid"`` for a
``uuid`` teaches clients nothing.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from jsonschema.exceptions import UnknownType
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from mockserver.spec.bundle import DefinitionPool, bundle
from mockserver.spec.compiled import CompiledCheck, Prepared, compiled, compiled_bundle, prepare
from mockserver.spec.drafts import named_draft
from mockserver.spec.model import Dialect, Schema
from mockserver.spec.patterns import unjudged_patterns
from mockserver.spec.pointer import join_pointer
from mockserver.spec.refs import file_uri
from mockserver.spec.source import SourceFile

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

Direction = Literal["request", "response", "any"]

#: What a keyword of the wrong shape (``allOf`` as an object, a schema that is a string,
#: a type no JSON Schema knows) raises inside jsonschema. Such a schema judges no value:
#: ``validate`` reports its structure at its own line, and ``serve`` refuses nothing by it
#: rather than fail.
MALFORMED = (
    AttributeError,
    TypeError,
    KeyError,
    IndexError,
    ValueError,
    RecursionError,
    UnknownType,  # a "type" such as application/json
)


@dataclass(frozen=True)
class SchemaViolation:
    """One way a value breaks a schema."""

    pointer: str  # where in the value
    message: str
    keyword: str  # the schema keyword that failed, e.g. "required", "prefixItems"
    schema_path: str  # where in the schema


def schema_registry(files: Iterable[SourceFile], dialect: Dialect) -> Registry[Any]:
    """A registry in which every loaded file is addressable by its ``file://`` URI."""
    spec = DRAFT202012 if dialect is Dialect.OPENAPI_3_1 else DRAFT4
    return Registry().with_resources((file_uri(f), spec.create_resource(f.data)) for f in files)


def compiled_check(
    schema: Schema, registry: Registry[Any], inlined: Any = None
) -> CompiledCheck | None:
    """The compiled check of ``schema``: of its inlined form (``inlined``, when the caller
    has it already), else (a recursive or large schema) of its bundle with its document's
    definitions; none for a schema naming an older draft, which the compiled check does
    not speak."""
    if named_draft(schema, registry) is not None:
        return None
    inlined = inlined if inlined is not None else bundle(schema, registry)
    if inlined is not None:
        return compiled(inlined, schema.dialect)
    bundled = _pool(registry, schema.dialect).bundle(schema, registry)
    return compiled_bundle(*bundled, schema.dialect) if bundled is not None else None


#: Each document's definition pool, by its registry's identity (a registry hashes by its
#: contents: slow) and dialect. An entry holds no reference to its registry, and goes
#: when the registry does (a reloaded document brings a new one).
_POOLS: dict[tuple[int, Dialect], DefinitionPool[Prepared]] = {}
_POOLS_LOCK = threading.Lock()


def _pool(registry: Registry[Any], dialect: Dialect) -> DefinitionPool[Prepared]:
    key = (id(registry), dialect)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = DefinitionPool(dialect, functools.partial(_prepare, dialect))
            weakref.finalize(registry, _POOLS.pop, key, None)
        return pool


def _prepare(dialect: Dialect, schema: Any) -> Prepared:
    return prepare(schema, dialect)


class SchemaValidator:
    """A compiled validator for one schema; build it once, use it for every value.

    The compiled check (jsonschema-rs) answers for values it vouches for; the reference
    validator (jsonschema, in the document's dialect) is built on the first value it does
    not, or the first time violations are asked for. A mock that only ever sees valid
    values never builds it, nor imports its classes (openapi-schema-validator and the
    pydantic settings it brings cost a tenth of a second: a first request's budget)."""

    def __init__(
        self,
        schema: Schema,
        registry: Registry[Any],
        *,
        direction: Direction = "response",
        single_use: bool = False,
    ) -> None:
        """``single_use``: skip the inlining and compiling that only pay off over many
        values (``mockserver validate`` checks each example once)."""
        self.schema = schema
        self.registry = registry
        self.direction = direction
        inlined = None if single_use else bundle(schema, registry)
        if inlined is not None:
            self._root = inlined
        else:
            self._root = {"$ref": schema.uri} if schema.uri else schema.value
        self._fast = None if single_use else compiled_check(schema, registry, inlined)
        self._reference: Any = None
        #: patterns in the schema no engine reads: they accept anything (see ``patterns``)
        self.unjudged = unjudged_patterns(self._root)

    def _judge(self) -> Any:
        """The reference validator, built on first use (two threads racing build two
        equal ones, and either serves)."""
        if self._reference is None:
            from mockserver.spec import dialect_classes as classes  # noqa: PLC0415

            cls, _own = classes.validator_class(self.schema, self.registry, self.direction)
            self._reference = cls(
                self._root, registry=self.registry, format_checker=classes.FORMAT_CHECKER
            )
        return self._reference

    def is_valid(self, instance: Any) -> bool:
        """Whether ``instance`` satisfies the schema (or the schema is too malformed to say)."""
        if self._fast is not None and self._fast.accepts(instance):
            return True
        try:
            return bool(self._judge().is_valid(instance))
        except MALFORMED:
            return True

    def iter_violations(
        self, instance: Any, deadline: float | None = None
    ) -> Iterator[SchemaViolation]:
        """Every violation, in document order; with a ``deadline`` (``time.monotonic()``),
        those found before it (the caller sees the clock to know the list was cut short).

        When a subschema fails, 2020-12 drops its annotations, so ``unevaluatedProperties``
        then also reports every property that subschema did evaluate. That echo is left
        out when another violation at or below it explains it: fix that one and the echo
        disappears.
        """
        if self._fast is not None and self._fast.accepts(instance):
            return
        try:
            errors = sorted(_until(self._judge().iter_errors(instance), deadline), key=_error_order)
        except MALFORMED:
            return
        violations = list(dict.fromkeys(_violation(error) for error in errors))
        seen: set[tuple[str, str]] = set()
        for violation in violations:
            if (violation.pointer, violation.keyword) in seen:
                continue  # OAS 3.0 reports a null twice: "not nullable" and "not of type"
            seen.add((violation.pointer, violation.keyword))
            if violation.keyword in _ECHOES and any(
                other is not violation
                and other.keyword not in _ECHOES
                and (
                    other.pointer == violation.pointer
                    or other.pointer.startswith(violation.pointer + "/")
                )
                for other in violations
            ):
                continue
            yield violation


_ECHOES = ("unevaluatedProperties", "unevaluatedItems")


def _until(errors: Iterator[ValidationError], deadline: float | None) -> Iterator[ValidationError]:
    """``errors`` until ``deadline`` passes (a request's validation is bounded in time)."""
    for error in errors:
        yield error
        if deadline is not None and time.monotonic() > deadline:
            return


def _error_order(error: ValidationError) -> tuple[str, ...]:
    return tuple(str(p) for p in error.absolute_path)


def _violation(error: ValidationError) -> SchemaViolation:
    leaf = deepest_error(error)
    return SchemaViolation(
        pointer=join_pointer("", *leaf.absolute_path),
        message=_shorten(leaf.message),
        keyword=str(leaf.validator),
        schema_path=join_pointer("", *leaf.absolute_schema_path),
    )


def deepest_error(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the branch error that got furthest into the value."""
    if not error.context:
        return error
    best = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.absolute_schema_path)))
    if len(best.absolute_path) > len(error.absolute_path):
        return deepest_error(best)
    return error


def _shorten(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
