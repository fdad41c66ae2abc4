"""Compare two canonical schemas keyword by keyword: what each change does to the set.

A change *narrows* when every value the new schema accepts was accepted before, *widens*
in the other direction, and is *changed* when neither holds (or when the comparison
cannot tell, as for two different ``anyOf`` lists). The comparison only suspects; the
witness search decides.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from mockserver.diff.normal import Node, Site, fingerprint, plain
from mockserver.spec.pointer import join_pointer

_ALL_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_BOUNDS = {
    "minimum": "low",
    "exclusiveMinimum": "low",
    "minLength": "low",
    "minItems": "low",
    "minProperties": "low",
    "maximum": "high",
    "exclusiveMaximum": "high",
    "maxLength": "high",
    "maxItems": "high",
    "maxProperties": "high",
}
_WALKED = frozenset({"type", "enum", "required", "properties", "items", *_BOUNDS})


class Direction(enum.Enum):
    """What a change does to the set of accepted values."""

    NARROWED = "narrowed"
    WIDENED = "widened"
    CHANGED = "changed"


@dataclass(frozen=True)
class Delta:
    """One change between two schemas, at one place in the value."""

    pointer: str  # in the value: "/items/0/name"
    aspect: str  # "type", "enum", "required", "property", "maximum", "pattern", ...
    direction: Direction
    detail: str  # "enum lost 'b'", for people
    old: Node  # the canonical schemas around the change, for probes
    new: Node
    old_site: Site
    new_site: Site
    name: str = ""  # the property, for "required" and "property"


def compare(old: Node, new: Node, pointer: str = "") -> Iterator[Delta]:
    """Every change between ``old`` and ``new``, outermost first."""
    if fingerprint(old) == fingerprint(new):
        return
    yield from _types(old, new, pointer)
    yield from _enums(old, new, pointer)
    yield from _bounds(old, new, pointer)
    yield from _required(old, new, pointer)
    yield from _properties(old, new, pointer)
    if "items" in old or "items" in new:
        yield from compare(old.get("items", {}), new.get("items", {}), join_pointer(pointer, 0))
    for key in sorted((set(old) | set(new)) - _WALKED):
        if not key.startswith("@") and not _inert(old, new, key):
            yield from _keyword(old, new, pointer, key)


def _delta(
    old: Node,
    new: Node,
    pointer: str,
    aspect: str,
    direction: Direction,
    detail: str,
    name: str = "",
) -> Delta:
    return Delta(
        pointer,
        aspect,
        direction,
        detail,
        old,
        new,
        _site(old, aspect),
        _site(new, aspect),
        name,
    )


def _site(node: Node, keyword: str) -> Site:
    sites: dict[str, Site] = node.get("@src", {})
    at: Site = node.get("@at", (None, ""))
    return sites.get(keyword, at)


def _direction(old_covers_new: bool, new_covers_old: bool) -> Direction | None:
    if old_covers_new and new_covers_old:
        return None
    if old_covers_new:
        return Direction.NARROWED
    return Direction.WIDENED if new_covers_old else Direction.CHANGED


def _admits(types: frozenset[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _types(old: Node, new: Node, pointer: str) -> Iterator[Delta]:
    before = frozenset(old.get("type", _ALL_TYPES))
    after = frozenset(new.get("type", _ALL_TYPES))
    direction = _direction(
        all(_admits(before, t) for t in after), all(_admits(after, t) for t in before)
    )
    if direction is not None:
        detail = f"type {_show_types(before)} -> {_show_types(after)}"
        yield _delta(old, new, pointer, "type", direction, detail)


def _show_types(types: frozenset[str]) -> str:
    return "any" if types == _ALL_TYPES else "|".join(sorted(types))


def _enums(old: Node, new: Node, pointer: str) -> Iterator[Delta]:
    if "enum" not in old and "enum" not in new:
        return
    before = {fingerprint(v): v for v in old.get("enum", [])}
    after = {fingerprint(v): v for v in new.get("enum", [])}
    lost = [v for k, v in before.items() if k not in after] if "enum" in new else []
    gained = [v for k, v in after.items() if k not in before] if "enum" in old else []
    if "enum" not in old:
        lost = ["(any value)"]
    if "enum" not in new:
        gained = ["(any value)"]
    direction = _direction(not gained, not lost)
    if direction is not None:
        parts = [f"lost {_values(lost)}"] * bool(lost) + [f"gained {_values(gained)}"] * bool(
            gained
        )
        yield _delta(old, new, pointer, "enum", direction, "enum " + ", ".join(parts))


def _values(values: list[Any]) -> str:
    shown = ", ".join(v if v == "(any value)" else _json(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def _json(value: Any) -> str:
    return fingerprint(value)


def _bounds(old: Node, new: Node, pointer: str) -> Iterator[Delta]:
    for key, side in _BOUNDS.items():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        tighter = _tighter(before, after, side)
        looser = _tighter(after, before, side)
        direction = _direction(tighter, looser)
        if direction is not None:
            detail = f"{key} {_show(before)} -> {_show(after)}"
            yield _delta(old, new, pointer, key, direction, detail)


def _tighter(before: Any, after: Any, side: str) -> bool:
    """Whether the bound ``after`` admits no more than ``before`` (None: unbounded)."""
    if after is None:
        return before is None
    if before is None:
        return True
    return bool(after >= before) if side == "low" else bool(after <= before)


def _show(value: Any) -> str:
    return "none" if value is None else str(value)


def _required(old: Node, new: Node, pointer: str) -> Iterator[Delta]:
    before, after = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(after - before):
        detail = f"property {name!r} now required"
        yield _delta(old, new, pointer, "required", Direction.NARROWED, detail, name)
    for name in sorted(before - after):
        detail = f"property {name!r} no longer required"
        yield _delta(old, new, pointer, "required", Direction.WIDENED, detail, name)


def _properties(old: Node, new: Node, pointer: str) -> Iterator[Delta]:
    before, after = old.get("properties", {}), new.get("properties", {})
    for name in before:
        if name in after:
            yield from compare(before[name], after[name], join_pointer(pointer, name))
        elif plain(before[name]) or new.get("additionalProperties") is not None:
            # the property was constrained (more than its bookkeeping), or is now refused
            refused = new.get("additionalProperties") == {"enum": []} or _closed(new)
            direction = Direction.NARROWED if refused else Direction.WIDENED
            detail = f"property {name!r} removed"
            removed = _delta(old, new, pointer, "property", direction, detail, name)
            yield replace(removed, old_site=before[name].get("@at", removed.old_site))
    for name in after:
        if name not in before and _closed(old):
            detail = f"property {name!r} added where none was allowed"
            added = _delta(old, new, pointer, "property", Direction.WIDENED, detail, name)
            yield replace(added, new_site=after[name].get("@at", added.new_site))


def _closed(node: Node) -> bool:
    extra = node.get("additionalProperties")
    return isinstance(extra, dict) and extra.get("enum") == []


#: Keywords that only constrain arrays, or only objects.
_ARRAY_ONLY = frozenset(
    {"unevaluatedItems", "contains", "minContains", "maxContains", "prefixItems", "uniqueItems"}
)
_OBJECT_ONLY = frozenset(
    {
        "unevaluatedProperties",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "dependentSchemas",
        "dependentRequired",
    }
)


def _inert(old: Node, new: Node, key: str) -> bool:
    """Whether ``key`` constrains nothing on either side: an array keyword where both
    schemas admit no array (or an object keyword where both admit no object)."""
    kind = "array" if key in _ARRAY_ONLY else "object" if key in _OBJECT_ONLY else None
    if kind is None:
        return False
    return all(kind not in node.get("type", _ALL_TYPES) for node in (old, new))


def _keyword(old: Node, new: Node, pointer: str, key: str) -> Iterator[Delta]:
    before = fingerprint(old[key]) if key in old else None
    after = fingerprint(new[key]) if key in new else None
    if before == after:
        return
    if key == "prefixItems" and ("items" in old or "items" in new):
        direction = Direction.CHANGED  # ``items`` now starts at another position
    elif before is None:
        direction = Direction.NARROWED  # a new constraint
    elif after is None:
        direction = Direction.WIDENED
    else:
        direction = Direction.CHANGED
    detail = f"{key} {_brief(old.get(key))} -> {_brief(new.get(key))}"
    yield _delta(old, new, pointer, key, direction, detail)


def _brief(value: Any) -> str:
    if value is None:
        return "none"
    text = fingerprint(value)
    return text if len(text) <= 60 else text[:57] + "..."
