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
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import UnknownType, ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30Validator,
    OAS30WriteValidator,
    OAS31Validator,
)
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT4, DRAFT202012

from mockserver.spec.bundle import bundle
from mockserver.spec.compiled import compiled
from mockserver.spec.drafts import named_draft
from mockserver.spec.model import Dialect, Schema
from mockserver.spec.patterns import PatternTimeout, ecma, unjudged_patterns
from mockserver.spec.pointer import join_pointer
from mockserver.spec.refs import file_uri
from mockserver.spec.source import SourceFile

Direction = Literal["request", "response", "any"]


def _never_raising(check: Callable[[object], bool]) -> Callable[[object], bool]:
    """``check``, with any exception it raises read as "not this format": a parser that
    trips over a value (openapi-schema-validator's ``byte`` raises ``UnicodeEncodeError`` on
    non-ASCII text) must refuse the value, not crash ``validate`` or answer a 500."""

    @functools.wraps(check)
    def guarded(instance: object) -> bool:
        try:
            return bool(check(instance))
        except Exception:
            return False

    return guarded


#: RFC 3339's ``full-time`` (``partial-time time-offset``), JSON Schema's ``time`` since
#: Draft 7: ``14:38:39.5+19:44`` and ``23:59:60Z`` (a leap second) are times.
_FULL_TIME = re.compile(
    r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[zZ]|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)


#: A Relative JSON Pointer (draft-handrews-relative-json-pointer-01, JSON Schema's
#: ``relative-json-pointer``): a non-negative integer without leading zeros, then ``#`` or
#: a JSON Pointer. (jsonschema refuses any number with a 0 after its first digit: ``30``.)
_RELATIVE_POINTER = re.compile(r"(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^/~]|~[01])*)*)", re.DOTALL)


def _is_time(instance: object) -> bool:
    return not isinstance(instance, str) or _FULL_TIME.fullmatch(instance) is not None


def _is_relative_pointer(instance: object) -> bool:
    return not isinstance(instance, str) or _RELATIVE_POINTER.fullmatch(instance) is not None


def _format_checker() -> FormatChecker:
    """Every format the standard library of jsonschema knows, plus OpenAPI's own (int32,
    int64, float, double, byte, password), each never raising. ``time`` is RFC 3339's
    (jsonschema reads it as Draft 3's ``hh:mm:ss`` unless an optional package is there),
    and ``relative-json-pointer`` its draft's."""
    checkers = dict(OAS30Validator.FORMAT_CHECKER.checkers)
    checkers.update(FormatChecker().checkers)
    checkers["time"] = (_is_time, ())
    checkers["relative-json-pointer"] = (_is_relative_pointer, ())
    checker = FormatChecker(formats=())
    for name, (check, _raises) in checkers.items():
        checker.checks(name)(_never_raising(check))
    return checker


FORMAT_CHECKER = _format_checker()


def _swagger_type(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Any:
    if instance is None and schema.get("x-nullable"):
        return
    yield from OAS30Validator.VALIDATORS["type"](validator, types, instance, schema)


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    """ECMA-262 ``pattern`` (see :mod:`mockserver.spec.patterns`): one too slow to evaluate
    refuses the value, naming itself; one no engine reads refuses nothing."""
    if not validator.is_type(instance, "string"):
        return
    try:
        found = ecma(pattern).search(instance)
    except PatternTimeout as slow:
        yield ValidationError(str(slow))
        return
    if not found:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in properties.items():
        compiled = ecma(pattern)
        for key, value in instance.items():
            try:
                found = compiled.search(key)
            except PatternTimeout as slow:
                yield ValidationError(str(slow), path=[key])
                continue
            if found:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


_ECMA = {"pattern": _pattern, "patternProperties": _pattern_properties}

#: (discriminator target, id of the instance) pairs being checked further up the stack.
_DISCRIMINATING: ContextVar[frozenset[tuple[str, int]]] = ContextVar(
    "_DISCRIMINATING", default=frozenset()
)


def _discriminated(plain: Any, *, also_plain: bool) -> Any:
    """An OpenAPI 3.0 ``allOf``/``oneOf``/``anyOf`` that lets a ``discriminator`` pick the
    subschema, as openapi-schema-validator does, but never stricter than JSON Schema and
    never endless: a value without the property, or one naming no schema, is judged by
    the plain keyword; a schema reached again for the same value (``Pet`` -> ``oneOf`` ->
    ``Cat`` -> ``allOf`` -> ``Pet``, common in real documents) is not checked again.
    ``also_plain``: keep the plain keyword's own check too (``allOf`` names every part)."""

    def keyword(validator: Any, subschemas: Any, instance: Any, schema: Any) -> Any:
        target = _discriminator_target(instance, schema)
        chosen = _check_against(validator, instance, target) if target else None
        if chosen is None or also_plain:
            yield from plain(validator, subschemas, instance, schema)
        yield from chosen or ()

    return keyword


def _check_against(validator: Any, instance: Any, target: str) -> list[ValidationError] | None:
    """``instance``'s violations of the schema at ``target``; none when that schema is
    already being checked for this value further up; None when ``target`` names nothing
    this document holds (the value is then judged by the plain keyword)."""
    active = _DISCRIMINATING.get()
    if (target, id(instance)) in active:
        return []
    token = _DISCRIMINATING.set(active | {(target, id(instance))})
    try:  # eagerly: the guard must cover the whole descent, not the first error
        return list(validator.descend(instance, {"$ref": target}))
    except Unresolvable:
        return None
    finally:
        _DISCRIMINATING.reset(token)


def _discriminator_target(instance: Any, schema: Any) -> str | None:
    """The ``$ref`` the discriminator names for ``instance``; None when it names none."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(instance, dict):
        return None
    value = instance.get(discriminator.get("propertyName"))
    if not isinstance(value, str) or not value:
        return None
    mapping = discriminator.get("mapping")
    target = mapping.get(value) if isinstance(mapping, dict) else None
    return target if isinstance(target, str) else f"#/components/schemas/{value}"


_PLAIN = Draft4Validator.VALIDATORS
_DISCRIMINATOR_KEYWORDS = {
    "allOf": _discriminated(_PLAIN["allOf"], also_plain=True),
    "oneOf": _discriminated(_PLAIN["oneOf"], also_plain=False),
    "anyOf": _discriminated(_PLAIN["anyOf"], also_plain=False),
}


#: Keywords whose value is a number in every draft (the exclusive bounds: from Draft 6).
_NUMBERS = ("maximum", "minimum", "multipleOf", "maxLength", "minLength", "maxItems")
_NUMBERS_TOO = ("minItems", "maxProperties", "minProperties")
_BOUNDS = ("exclusiveMaximum", "exclusiveMinimum")


def _a_number(plain: Any) -> Any:
    """``plain``, judging nothing when its value is a boolean: Python reads ``True`` as 1,
    so a Draft 4 ``exclusiveMaximum: true`` in a draft that wants a bound would refuse
    every value above 1. A keyword of the wrong shape judges nothing (``validate``
    reports it against the meta-schema)."""

    def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if not isinstance(value, bool):
            yield from plain(validator, value, instance, schema)

    return keyword


def _numeric_keywords(cls: Any) -> dict[str, Any]:
    """``cls``'s number-valued keywords, each judging nothing when given a boolean."""
    meta = cls.META_SCHEMA.get("properties") or {}
    flags = (meta.get("exclusiveMaximum") or {}).get("type") == "boolean"  # Draft 3 and 4
    names = _NUMBERS + _NUMBERS_TOO + (() if flags else _BOUNDS)
    return {k: _a_number(cls.VALIDATORS[k]) for k in names if k in cls.VALIDATORS}


def _ecma(cls: Any, **extra: Any) -> Any:
    """``cls`` with the ECMA-262 pattern keywords, numbers that are numbers (and any
    ``extra`` keywords)."""
    keywords = {**_numeric_keywords(cls), **_ECMA, **extra}
    return extend(cls, keywords)  # type: ignore[no-untyped-call]  # jsonschema types extend loosely


_Swagger2Validator = _ecma(OAS30Validator, type=_swagger_type, **_DISCRIMINATOR_KEYWORDS)
_OAS31 = _ecma(OAS31Validator)


def _required_but(skipped: str) -> Any:
    """``required``, except for properties marked ``skipped`` (``readOnly`` in a request,
    ``writeOnly`` in a response): OpenAPI requires them only in the other direction."""

    def required(validator: Any, names: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if not validator.is_type(instance, "object") or not isinstance(names, list):
            return
        properties = schema.get("properties")
        for name in names:
            if name in instance:
                continue
            declared = properties.get(name) if isinstance(properties, dict) else None
            if isinstance(declared, dict) and declared.get(skipped) is True:
                continue
            yield ValidationError(f"{name!r} is a required property")

    return required


_OAS31_REQUEST = _ecma(OAS31Validator, required=_required_but("readOnly"))
_OAS31_RESPONSE = _ecma(OAS31Validator, required=_required_but("writeOnly"))

_VALIDATORS: dict[tuple[Dialect, Direction], Any] = {
    (Dialect.OPENAPI_3_1, "request"): _OAS31_REQUEST,
    (Dialect.OPENAPI_3_1, "response"): _OAS31_RESPONSE,
    (Dialect.OPENAPI_3_1, "any"): _OAS31,
    (Dialect.OPENAPI_3_0, "any"): _ecma(OAS30Validator, **_DISCRIMINATOR_KEYWORDS),
    (Dialect.SWAGGER_2, "any"): _Swagger2Validator,
    (Dialect.OPENAPI_3_0, "request"): _ecma(OAS30WriteValidator, **_DISCRIMINATOR_KEYWORDS),
    (Dialect.OPENAPI_3_0, "response"): _ecma(OAS30ReadValidator, **_DISCRIMINATOR_KEYWORDS),
    (Dialect.SWAGGER_2, "request"): _Swagger2Validator,
    (Dialect.SWAGGER_2, "response"): _Swagger2Validator,
}


_SKIPPED: dict[Direction, str] = {"request": "readOnly", "response": "writeOnly"}


@functools.cache
def _older(draft: Any, direction: Direction) -> Any:
    """An older draft's validator class, reading patterns as ECMA-262; in a request
    (response) a ``readOnly`` (``writeOnly``) property is not required, as OpenAPI says.
    Draft 3 writes ``required`` inside each property, and keeps its own reading."""
    skipped = _SKIPPED.get(direction)
    if skipped is None or "required" not in draft.VALIDATORS:
        return _ecma(draft)
    return _ecma(draft, required=_required_but(skipped))


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


class SchemaValidator:
    """A compiled validator for one schema; build it once, use it for every value."""

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
        inlined = None if single_use else bundle(schema, registry)
        if inlined is not None:
            root = inlined
        else:
            root = {"$ref": schema.uri} if schema.uri else schema.value
        draft = named_draft(schema, registry)
        cls = (
            _VALIDATORS[(schema.dialect, direction)] if draft is None else _older(draft, direction)
        )
        self._validator = cls(root, registry=registry, format_checker=FORMAT_CHECKER)
        # the compiled check speaks the document's own draft only
        fast = inlined is not None and draft is None
        self._fast = compiled(inlined, schema.dialect) if fast else None
        #: patterns in the schema no engine reads: they accept anything (see ``patterns``)
        self.unjudged = unjudged_patterns(root if inlined is not None else schema.value)

    def is_valid(self, instance: Any) -> bool:
        """Whether ``instance`` satisfies the schema (or the schema is too malformed to say)."""
        if self._fast is not None and self._fast.accepts(instance):
            return True
        try:
            return bool(self._validator.is_valid(instance))
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
            errors = sorted(
                _until(self._validator.iter_errors(instance), deadline), key=_error_order
            )
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
