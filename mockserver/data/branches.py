"""Drawing from ``oneOf`` and ``anyOf``: a branch with the keywords written beside the
combinator merged in, a value set apart from the other ``oneOf`` branches it would also
match, and the discriminator property named after its branch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urldefrag, urljoin

from referencing.exceptions import Unresolvable

from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.navigate import deref, descend, json_type, merge_all_of

#: Keywords beside ``oneOf``/``anyOf`` that every branch's object must also meet.
_OBJECT_KEYWORDS = (
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "dependentRequired",
)


def set_apart(
    registry: SchemaRegistry,
    valid: Callable[[Schema, Any], bool],
    schema: Schema,
    index: int,
    branch: Schema,
    value: dict[str, Any],
) -> None:
    """Make ``value`` (drawn from ``oneOf`` branch ``index``) fail the other branches it
    also satisfies. Real documents often list object branches that overlap (no branch
    forbids the others' properties), so a value of one is a value of all and ``oneOf``
    refuses it. Where the drawn branch allows other properties, a property another
    branch declares is given a type that branch refuses."""
    own = merge_all_of(deref(branch, registry), registry).value
    if not isinstance(own, dict) or not _allows_more_properties(own):
        return
    for other_index in range(len(schema.value["oneOf"])):
        other = descend(schema, ("oneOf", str(other_index)))
        if other_index == index or other is None:
            continue
        try:
            if not valid(other, value):
                continue
        except Unresolvable:  # a branch of a merged schema the document cannot name
            return
        node = merge_all_of(deref(other, registry), registry).value
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict):
            continue
        mine = own.get("properties") or {}
        for name, declared_schema in properties.items():
            if name in mine or name in value or not isinstance(declared_schema, dict):
                continue
            declared = declared_schema.get("type")
            wrong = next(
                (v for v in _OF_EACH_TYPE if declared and not type_allows(declared, v)), None
            )
            if wrong is not None:
                value[name] = wrong
                break


def with_siblings(
    registry: SchemaRegistry, schema: Schema, branch: Schema, siblings: dict[str, Any]
) -> Schema:
    """The branch with the object keywords written beside the combinator merged in.

    ``{properties: {kind}, required: [kind], oneOf: [A, B]}`` asks for ``kind`` in every
    branch; drawn from the branch alone, the value would lack it.
    """
    wanted = {k: v for k, v in siblings.items() if k in _OBJECT_KEYWORDS}
    if not wanted:
        return branch
    resolved = merge_all_of(deref(branch, registry), registry)
    node = resolved.value
    if not isinstance(node, dict) or not type_allows(node.get("type", "object"), {}):
        return branch
    if schema.uri and urldefrag(schema.uri)[0] != urldefrag(resolved.uri or "")[0]:
        wanted = _absolute_refs(wanted, schema.uri)  # they resolve against the branch's file
    merged = dict(node)
    for key, value in wanted.items():
        if key == "properties":
            merged["properties"] = {**value, **node.get("properties", {})}
        elif key == "required":
            merged["required"] = sorted({*node.get("required", []), *value})
        else:
            merged.setdefault(key, value)
    return replace(resolved, value=merged)


def _absolute_refs(node: Any, base: str) -> Any:
    """``node`` with every ``$ref`` made absolute against ``base``."""
    if isinstance(node, dict):
        return {
            k: urljoin(base, v) if k == "$ref" and isinstance(v, str) else _absolute_refs(v, base)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute_refs(v, base) for v in node]
    return node


def is_null_schema(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "null"


def name_by_discriminator(node: dict[str, Any], combinator: str, index: int, value: Any) -> None:
    """Give a value drawn from a discriminated branch the discriminator value that names
    that branch: its key in ``mapping``, else (OpenAPI's implicit mapping) the name of the
    component it refers to. Drawn alone, the branch would carry any string there."""
    discriminator = node.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(
        discriminator.get("propertyName"), str
    ):
        return
    ref = node[combinator][index].get("$ref") if isinstance(node[combinator][index], dict) else None
    if not isinstance(ref, str):
        return
    mapping = discriminator.get("mapping")
    names = [k for k, v in mapping.items() if v == ref] if isinstance(mapping, dict) else []
    if not names and isinstance(mapping, dict):
        names = [
            k
            for k, v in mapping.items()
            if isinstance(v, str) and v.split("/")[-1] == ref.split("/")[-1]
        ]
    value[discriminator["propertyName"]] = names[0] if names else ref.split("/")[-1]


#: One value of each JSON type, to give a property a type its schema refuses.
_OF_EACH_TYPE: tuple[Any, ...] = ("x", 0, True, [], {})


def _allows_more_properties(node: dict[str, Any]) -> bool:
    """Whether an object schema accepts properties it does not name."""
    return not (
        node.get("additionalProperties") is False
        or node.get("unevaluatedProperties") is False
        or node.get("patternProperties")
        or node.get("propertyNames")
        or "maxProperties" in node
        or ("additionalProperties" in node and node["additionalProperties"] is not True)
    )


def type_allows(declared: Any, value: Any) -> bool:
    types = declared if isinstance(declared, list) else [declared]
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)
