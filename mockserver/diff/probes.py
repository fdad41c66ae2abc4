"""Values worth trying where two schemas differ: the edges of the change.

A change of bounds is crossed at the bounds, a lost enum value is that value, a dropped
type is a value of that type, a newly required field is its absence. These are only
candidates; both documents' validators decide whether one is a witness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.diff.calls import ABSENT
from mockserver.diff.compare import Delta
from mockserver.diff.normal import Node

#: A value of every JSON type, for type changes and for fields that lost their schema.
_SAMPLES: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "x", [], {})
_MAX_LENGTH = 4096
#: Keywords about members a schema does not declare: their witnesses add a key or an item.
_ABOUT_EXTRAS = frozenset(
    {
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "unevaluatedProperties",
        "dependentSchemas",
        "dependentRequired",
        "unevaluatedItems",
        "contains",
        "prefixItems",
        "items",
    }
)
#: Undeclared key names worth trying: upper case, an extension prefix, a digit, a symbol.
_KEYS = ("A", "x-a", "1", "_")
_EXTRA_VALUES: tuple[Any, ...] = (None, True, 1, "x", [], {})


@dataclass(frozen=True)
class Extra:
    """A probe value that adds a member (``key``) or an item (``key`` None) to the
    object or array at the probe's place, keeping what was drawn there."""

    key: str | None
    value: Any
    also: tuple[tuple[str, Any], ...] = ()  # members to add too, where not drawn


def probe_values(delta: Delta) -> tuple[Any, ...]:
    """Candidate values at the place of ``delta`` (:data:`ABSENT` leaves it out)."""
    values: list[Any] = []
    if delta.aspect in ("required", "property"):
        values.append(ABSENT)
    for node in (delta.old, delta.new):
        member = delta.aspect in ("required", "property")
        values += _edges(node.get("properties", {}).get(delta.name, {}) if member else node)
    values += _SAMPLES
    if delta.aspect == "not":  # what the new ``not`` refuses, and the old one
        values += [_example(node["not"]) for node in (delta.new, delta.old) if "not" in node]
    if delta.aspect in _ABOUT_EXTRAS:
        values += _extras(delta)
    return tuple(_unique(values))


def _extras(delta: Delta) -> list[Any]:
    """Members the schemas do not declare (or declare only through the keyword)."""
    found: list[Any] = [Extra(k, v) for k in _KEYS for v in _EXTRA_VALUES]
    for node in (delta.old, delta.new):
        for keyword in ("dependentSchemas", "dependentRequired"):
            for name, then in (node.get(keyword) or {}).items():
                if name.startswith("@"):  # the canonical form's bookkeeping
                    continue
                trigger = ((name, _typical(node.get("properties", {}).get(name, {}))),)
                found.append(Extra(name, trigger[0][1]))
                for key in _dependents(then):
                    found += [Extra(key, v, trigger) for v in _EXTRA_VALUES]
                    found.append(Extra(name, trigger[0][1], ((key, "x"),)))
    return found + [Extra(None, v) for v in _EXTRA_VALUES]


def _dependents(then: Any) -> list[str]:
    """The members a ``dependentRequired`` list or ``dependentSchemas`` schema names."""
    if isinstance(then, list):
        return [k for k in then if isinstance(k, str)]
    if isinstance(then, dict):
        return [k for k in then.get("properties", {}) if not k.startswith("@")]
    return []


def _edges(node: Node) -> list[Any]:
    found: list[Any] = list(node.get("enum", []))
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = node.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            found += [bound, bound - 1, bound + 1]
            if isinstance(bound, float) or "integer" not in node.get("type", []):
                found += [bound - 0.5, bound + 0.5]
    bits = {"int32": 31, "int64": 63}.get(node.get("format", ""))
    if bits is not None:  # just inside and just outside the format's range
        found += [2**bits - 1, 2**bits, -(2**bits), -(2**bits) - 1]
    for key in ("minLength", "maxLength"):
        size = node.get(key)
        if isinstance(size, int) and 0 <= size < _MAX_LENGTH:
            found += ["a" * n for n in (size - 1, size, size + 1) if n >= 0]
    for key in ("minItems", "maxItems"):
        size = node.get(key)
        if isinstance(size, int) and 0 <= size < 64:
            item = _typical(node.get("items", {}))
            found += [[item] * n for n in (size - 1, size, size + 1) if n >= 0]
    return found


def _typical(node: Node) -> Any:
    if node.get("enum"):
        return node["enum"][0]
    kinds = node.get("type", ["string"])
    return {
        "integer": 1,
        "number": 1,
        "boolean": True,
        "null": None,
        "array": [],
        "object": {},
    }.get(kinds[0] if kinds else "string", "a")


def _example(node: Node) -> Any:
    """A small value of ``node``: its required properties at typical values."""
    if "object" not in node.get("type", ["object"]):
        return _typical(node)
    properties = node.get("properties", {})
    return {name: _typical(properties.get(name, {})) for name in node.get("required", [])}


def _unique(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for value in values:
        key = repr((type(value).__name__, value))  # Extra's repr names key and value
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept
