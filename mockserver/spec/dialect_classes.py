"""The jsonschema validator classes of each dialect and direction, with the keywords
mockserver changes (ECMA-262 patterns, discriminators that never loop, ``required`` per
direction, Swagger's ``x-nullable``, numbers that are not booleans, an older draft a 3.1
schema names) and a format checker that never raises.

Split from :mod:`mockserver.spec.dialects` so importing that module costs nothing:
jsonschema and openapi-schema-validator (which brings pydantic) take a fifth of a second
to import, and ``serve`` answers its first request without either unless that request
validates a value the compiled check does not vouch for:
:class:`~mockserver.spec.dialects.SchemaValidator` imports this module then.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any, Literal

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30Validator,
    OAS30WriteValidator,
    OAS31Validator,
)
from referencing import Registry
from referencing.exceptions import Unresolvable

from mockserver.spec.drafts import named_draft
from mockserver.spec.formats import format_checks, never_raising
from mockserver.spec.model import Dialect, Schema
from mockserver.spec.patterns import PatternTimeout, ecma

Direction = Literal["request", "response", "any"]


def _format_checker() -> FormatChecker:
    """Every format :func:`~mockserver.spec.formats.format_checks` knows, plus OpenAPI's own
    (int32, int64, float, double, byte, password), each never raising."""
    checks = {
        name: never_raising(check)
        for name, (check, _raises) in OAS30Validator.FORMAT_CHECKER.checkers.items()
    }
    checks.update(format_checks())
    checker = FormatChecker(formats=())
    for name, check in checks.items():
        checker.checks(name)(check)
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

#: by (dialect, direction)
VALIDATORS: dict[tuple[Dialect, Direction], Any] = {
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


def validator_class(
    schema: Schema, registry: Registry[Any], direction: Direction
) -> tuple[Any, bool]:
    """The validator class for ``schema`` read in ``direction``, and whether it is the
    dialect's own: not when the schema names an older draft (see
    :mod:`mockserver.spec.drafts`), which the compiled check does not speak."""
    draft = named_draft(schema, registry)
    if draft is None:
        return VALIDATORS[(schema.dialect, direction)], True
    return _older(draft, direction), False
