"""The contract's own JSON Schema check of responses, built on plain ``jsonschema``.

An oracle must not share code with what it judges: if the server's validator had a bug
(or a lenient rule, such as reading a malformed schema as "anything goes"), a check built
on the same validator would agree with it and pass. So this module builds its validators
from ``jsonschema`` and ``referencing`` alone, with the few OpenAPI rules a response needs:

* ``nullable: true`` (OpenAPI 3.0) and ``x-nullable: true`` (Swagger 2.0) admit ``null``;
* a ``writeOnly`` property is not required in a response;
* an OpenAPI 3.0 ``discriminator`` picks the ``oneOf``/``anyOf`` branch a value names;
* ``pattern`` is ECMA-262 (read with ``regex``, which knows ``\\p{L}``).

A schema this validator cannot evaluate (a keyword of the wrong shape) judges nothing:
:meth:`ResponseSchema.violations` then raises :class:`UncheckableSchema`, and the check
reports the schema rather than passing the body silently.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema_rs
import regex
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from referencing.exceptions import Unresolvable

from mockserver.spec.formats import never_raising
from mockserver.spec.model import Dialect, Schema, SchemaRegistry


def _format_checker() -> FormatChecker:
    """jsonschema's formats; uri, uri-reference and duration, which it reads only through
    optional packages mockserver does not install (their import costs a tenth of a
    second), are asked of jsonschema-rs."""
    checker = FormatChecker(formats=())
    for name, (check, _raises) in FormatChecker().checkers.items():
        checker.checks(name)(never_raising(check))
    for name in ("uri", "uri-reference", "duration"):
        rust = jsonschema_rs.Draft202012Validator({"format": name}, validate_formats=True)
        checker.checks(name)(never_raising(functools.partial(_string_is, rust)))
    return checker


def _string_is(rust: Any, instance: object) -> bool:
    return not isinstance(instance, str) or bool(rust.is_valid(instance))


_FORMATS = _format_checker()


class UncheckableSchema(Exception):
    """The declared schema cannot be evaluated by JSON Schema's rules."""


def _nullable_type(plain: Any) -> Any:
    def type_(validator: Any, types: Any, instance: Any, schema: Any) -> Any:
        if instance is None and (schema.get("nullable") is True or schema.get("x-nullable")):
            return
        yield from plain(validator, types, instance, schema)

    return type_


def _required(validator: Any, names: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties") or {}
    for name in names:
        declared = properties.get(name)
        skipped = isinstance(declared, dict) and declared.get("writeOnly") is True
        if name not in instance and not skipped:
            yield ValidationError(f"{name!r} is a required property")


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "string"):
        return
    compiled = _ecma(pattern)
    if not compiled.search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.lru_cache(maxsize=1024)
def _ecma(pattern: str) -> Any:
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError):
        raise UncheckableSchema(f"pattern {pattern!r} is not a regular expression") from None


def _picked(plain: Any) -> Any:
    """``oneOf``/``anyOf`` that follow a discriminator naming a schema; plain otherwise."""

    def keyword(validator: Any, subschemas: Any, instance: Any, schema: Any) -> Any:
        target = _discriminator_target(instance, schema)
        if target is not None:
            try:
                yield from list(validator.descend(instance, {"$ref": target}))
                return
            except Unresolvable:
                pass
        yield from plain(validator, subschemas, instance, schema)

    return keyword


def _discriminator_target(instance: Any, schema: Any) -> str | None:
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(instance, dict):
        return None
    value = instance.get(discriminator.get("propertyName"))
    if not isinstance(value, str) or not value:
        return None
    mapping = discriminator.get("mapping")
    target = mapping.get(value) if isinstance(mapping, dict) else None
    return target if isinstance(target, str) else f"#/components/schemas/{value}"


def _draft4() -> Any:
    plain = Draft4Validator.VALIDATORS
    return extend(  # type: ignore[no-untyped-call]  # jsonschema types extend loosely
        Draft4Validator,
        {
            "type": _nullable_type(plain["type"]),
            "required": _required,
            "pattern": _pattern,
            "oneOf": _picked(plain["oneOf"]),
            "anyOf": _picked(plain["anyOf"]),
        },
    )


def _draft2020() -> Any:
    return extend(  # type: ignore[no-untyped-call]  # jsonschema types extend loosely
        Draft202012Validator, {"required": _required, "pattern": _pattern}
    )


_CLASSES: dict[Dialect, Any] = {
    Dialect.SWAGGER_2: _draft4(),
    Dialect.OPENAPI_3_0: _draft4(),
    Dialect.OPENAPI_3_1: _draft2020(),
}


class ResponseSchema:
    """One declared response schema, ready to judge many bodies."""

    def __init__(self, schema: Schema, registry: SchemaRegistry) -> None:
        root = {"$ref": schema.uri} if schema.uri else schema.value
        self._validator = _CLASSES[schema.dialect](root, registry=registry, format_checker=_FORMATS)

    def violations(self, instance: Any) -> list[tuple[str, str]]:
        """Each (pointer in the value, message) the value breaks, deepest path first."""
        try:
            errors = list(self._validator.iter_errors(instance))
        except (Unresolvable, AttributeError, TypeError, KeyError, ValueError) as exc:
            raise UncheckableSchema(str(exc) or type(exc).__name__) from None
        return [(_pointer(e), e.message) for e in sorted(errors, key=_order)]

    def accepts(self, instance: Any) -> bool:
        """Whether the value satisfies the schema."""
        return not self.violations(instance)


def _order(error: ValidationError) -> tuple[str, ...]:
    return tuple(str(p) for p in error.absolute_path)


def _pointer(error: ValidationError) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)
