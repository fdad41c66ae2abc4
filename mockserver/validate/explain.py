"""Turn a meta-schema failure into what a person needs: the spot, the keyword, the fix.

A failure deep inside an OpenAPI document surfaces as "not valid under any of the schemas
listed in 'oneOf'" at some enclosing object. The branch the object was evidently meant to
be is chosen (a Schema rather than a Reference when there is no ``$ref``; the parameter
location its ``in`` names), and its deepest errors are explained at their own keyword.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

from mockserver.spec.pointer import join_pointer

_COMBINATORS = ("oneOf", "anyOf")
_ARTICLES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


@dataclass(frozen=True)
class Explained:
    """One failure, explained at the pointer of the value it is about."""

    pointer: str
    message: str
    keyword: str
    hint: str = ""


def explain(error: ValidationError, pointer: str, standard: str) -> Iterator[Explained]:
    """The leaf failures behind ``error``; ``pointer`` is where its instance sits.

    ``standard`` names what the value must follow, e.g. ``OpenAPI 3.0``.
    """
    for leaf in _leaves(error):
        yield _describe(leaf, join_pointer(pointer, *leaf.absolute_path), standard)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    if error.validator in _COMBINATORS and error.context:
        branch = _meant_branch(error)
        if branch:
            for child in branch:
                yield from _leaves(child)
            return
    yield error


def _meant_branch(error: ValidationError) -> list[ValidationError]:
    """The errors of the branch the instance was evidently written to match."""
    branches: dict[Any, list[ValidationError]] = {}
    for child in error.context or ():
        branches.setdefault(child.relative_schema_path[0], []).append(child)
    base = len(error.absolute_path)
    best = max(branches.values(), key=lambda errors: _evidence(errors, error.instance, base))
    return sorted(best, key=lambda e: [str(p) for p in e.absolute_path])


def _evidence(errors: list[ValidationError], instance: Any, base: int) -> tuple[int, ...]:
    """Higher is likelier: no missing ``$ref``, no wrong discriminating value, same type,
    deeper errors, fewer of them."""
    wrong_kind = wrong_type = missing_ref = 0
    for e in errors:
        depth = len(e.absolute_path) - base
        if e.validator in ("enum", "const") and depth == 1 and isinstance(e.instance, str):
            wrong_kind = 1  # e.g. in: path against the query branch
        if e.validator == "type" and depth == 0:
            wrong_type = 1
        expected: Any = e.validator_value
        if e.validator == "required" and depth == 0 and "$ref" in (expected or ()):
            missing_ref = 1
    deepest = max(_depth(e) for e in errors) - base
    return (-missing_ref, -wrong_kind, -wrong_type, deepest, -len(errors))


def _depth(error: ValidationError) -> int:
    own = len(error.absolute_path)
    return max([own, *(_depth(c) for c in error.context or ())])


def _describe(error: ValidationError, pointer: str, standard: str) -> Explained:
    name = _name(error)
    value = _show(error.instance)
    keyword = str(error.validator)
    expected: Any = error.validator_value
    if keyword == "type":
        allowed = _types(expected)
        return Explained(
            pointer,
            f"{name} is {value}; {standard} allows {allowed} here",
            keyword,
            f"write {allowed} for {name}",
        )
    if keyword in ("enum", "const"):
        options = [expected] if keyword == "const" else list(expected)
        listed = ", ".join(_show(o) for o in options)
        allowed = f"only {listed}" if len(options) == 1 else f"one of {listed}"
        close = _close(error.instance, options)
        return Explained(
            pointer,
            f"{name} is {value}; {standard} allows {allowed} here",
            keyword,
            f"did you mean {_show(close)}?" if close is not None else f"use {allowed}",
        )
    if keyword == "required":
        have = error.instance if isinstance(error.instance, dict) else {}
        missing = [k for k in expected if k not in have]
        fields = ", ".join(repr(k) for k in missing)
        return Explained(
            pointer,
            f"{name} lacks the required field{'s' * (len(missing) > 1)} {fields} ({standard})",
            keyword,
            f"add {fields}",
        )
    if keyword in ("additionalProperties", "unevaluatedProperties") and expected is False:
        return _unexpected(error, pointer, standard)
    if "propertyNames" in error.absolute_schema_path:
        return Explained(
            join_pointer(pointer, str(error.instance)),
            f"the name {value} is not allowed here ({standard}): it must match {_show(expected)}",
            "propertyNames",
            "use only letters, digits, '.', '-' and '_' in component names",
        )
    if keyword == "not" and isinstance(expected, dict) and list(expected) == ["required"]:
        fields = " and ".join(repr(k) for k in expected["required"])
        return Explained(pointer, f"{name} has both {fields}; {standard} allows only one", keyword)
    if keyword == "oneOf" and not error.context:
        return Explained(
            pointer,
            f"{name} matches more than one of the forms {standard} allows here",
            keyword,
            "keep the fields of one form only",
        )
    message = str(error.message).splitlines()[0]
    if len(message) > 200:
        message = message[:199] + "…"
    return Explained(pointer, f"{name}: {message} ({standard})", keyword)


def _unexpected(error: ValidationError, pointer: str, standard: str) -> Explained:
    have = error.instance if isinstance(error.instance, dict) else {}
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = [str(k) for k in schema.get("properties", {})]
    patterns = [str(p) for p in schema.get("patternProperties", {})]
    extra = [k for k in have if k not in known and not any(re.search(p, str(k)) for p in patterns)]
    key = str(extra[0]) if extra else ""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "remove it, or prefix it with 'x-'"
    return Explained(
        join_pointer(pointer, key) if key else pointer,
        f"{key!r} is not a field {standard} allows here"
        + (f" (allowed: {', '.join(known)})" if known and len(known) <= 12 else ""),
        str(error.validator),
        hint,
    )


def _name(error: ValidationError) -> str:
    path = list(error.absolute_path)
    if not path:
        return "the document"
    last = path[-1]
    return f"item {last} of {path[-2]}" if isinstance(last, int) and len(path) > 1 else str(last)


def _types(expected: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_ARTICLES.get(str(n), str(n)) for n in names)


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _close(value: Any, options: list[Any]) -> Any:
    if not isinstance(value, str):
        return None
    strings = [o for o in options if isinstance(o, str)]
    close = difflib.get_close_matches(value, strings, n=1)
    return close[0] if close else None
