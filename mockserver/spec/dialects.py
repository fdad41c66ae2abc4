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
from mockserver.spec.patterns import EcmaPattern, unjudged_patterns
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


#: ``compiled_check``'s ``inlined`` when the caller has not tried inlining yet.
_NOT_TRIED: Any = object()


def compiled_check(
    schema: Schema, registry: Registry[Any], inlined: Any = _NOT_TRIED
) -> CompiledCheck | None:
    """The compiled check of ``schema``: of its inlined form (``inlined``, when the caller
    has tried inlining already: None if it could not), else (a recursive or large schema)
    of its bundle with its document's definitions; none for a schema naming an older
    draft, which the compiled check does not speak."""
    if named_draft(schema, registry) is not None:
        return None
    inlined = bundle(schema, registry) if inlined is _NOT_TRIED else inlined
    if inlined is not None:
        return compiled(inlined, schema.dialect)
    document = _document(registry, schema.dialect)
    bundled = document.pool.bundle(schema, registry)
    if bundled is None:
        return None
    root, definitions = bundled
    target = root.value.get("$ref") if isinstance(root.value, dict) else None
    if target is None or len(root.value) > 1:
        return compiled_bundle(root, definitions, schema.dialect)
    # a schema that is only a reference checks as its target: compiled once per target
    if target not in document.by_target:
        document.by_target[target] = compiled_bundle(root, definitions, schema.dialect)
    return document.by_target[target]


@dataclass(frozen=True)
class _Compiled:
    """What validating one schema needs, whatever the direction: the root the reference
    starts from, the compiled check, the patterns no engine reads."""

    value: Any  # the schema's value, kept so that its id stays its own
    root: Any
    fast: CompiledCheck | None
    unjudged: tuple[EcmaPattern, ...]


class _Document:
    """What is kept per loaded document (its registry) and dialect: the definition pool,
    and each schema's compiled parts. Several parts of the mock validate the same schema
    (the generator, the dataset, the writes, the bodies): Stripe's first list compiled its
    three schemas eight times."""

    def __init__(self, dialect: Dialect) -> None:
        self.pool = DefinitionPool(dialect, functools.partial(_prepare, dialect))
        self.compiled: dict[tuple[str, int], _Compiled] = {}  # (uri, id(value))
        #: the compiled check of a schema that is only a ``$ref``, by its pool target
        self.by_target: dict[str, CompiledCheck | None] = {}


#: Each document's :class:`_Document`, by its registry's identity (a registry hashes by its
#: contents: slow) and dialect. An entry holds no reference to its registry, and goes
#: when the registry does (a reloaded document brings a new one).
_DOCUMENTS: dict[tuple[int, Dialect], _Document] = {}
_DOCUMENTS_LOCK = threading.Lock()


def _document(registry: Registry[Any], dialect: Dialect) -> _Document:
    key = (id(registry), dialect)
    with _DOCUMENTS_LOCK:
        found = _DOCUMENTS.get(key)
        if found is None:
            found = _DOCUMENTS[key] = _Document(dialect)
            weakref.finalize(registry, _DOCUMENTS.pop, key, None)
        return found


def _reference_root(schema: Schema) -> Any:
    """Where the reference starts when the schema is not inlined: its place in its file
    (so that its own ``$ref``s resolve there), else its value."""
    return {"$ref": schema.uri} if schema.uri else schema.value


def _prepare(dialect: Dialect, schema: Any) -> Prepared:
    return prepare(schema, dialect)


def _compiled_parts(schema: Schema, registry: Registry[Any]) -> _Compiled:
    """``schema``'s compiled parts, made once per document for a schema with a place in it
    (one without, built by mockserver from a Swagger parameter, is made each time)."""
    key = (schema.uri, id(schema.value)) if schema.uri else None
    cache = _document(registry, schema.dialect).compiled if key else None
    found = cache.get(key) if cache is not None and key is not None else None
    if found is not None:
        return found
    inlined = bundle(schema, registry)
    root = inlined if inlined is not None else _reference_root(schema)
    made = _Compiled(
        schema.value,
        root,
        compiled_check(schema, registry, inlined),
        unjudged_patterns(root),
    )
    if cache is not None and key is not None:
        cache[key] = made
    return made


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
        self._reference: Any = None
        if single_use:
            self._root = _reference_root(schema)
            self._fast: CompiledCheck | None = None
            #: patterns in the schema no engine reads: they accept anything (``patterns``)
            self.unjudged = unjudged_patterns(self._root)
            return
        parts = _compiled_parts(schema, registry)
        self._root, self._fast, self.unjudged = parts.root, parts.fast, parts.unjudged

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

    def needs_reference(self, instance: Any) -> bool:
        """False when the compiled check vouches for ``instance``; else True, with the
        reference validator built (so that a caller timing the search for violations
        does not time the one-time build)."""
        if self._fast is not None and self._fast.accepts(instance):
            return False
        self._judge()
        return True

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
