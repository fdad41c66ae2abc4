"""Schemas in one canonical form, so that refactors which keep the accepted set compare equal.

``$ref``\\ s are inlined, ``allOf`` branches merged where merging cannot change the meaning,
OpenAPI 3.0's ``nullable`` (and Swagger's ``x-nullable``) written as a type array, Draft 4's
boolean ``exclusiveMinimum`` written as a number, ``const`` as a one-value ``enum``,
unordered lists (``type``, ``enum``, ``required``, ``anyOf``) sorted, and annotations
(``description``, ``example``, ``x-*`` ...) dropped.

Every canonical node remembers where its keywords were written: ``"@at"`` is the
(file, pointer) of the node and ``"@src"`` maps a keyword to the (file, pointer) of its
value, so a change is reported where the author wrote it. Keys starting with ``@`` are
bookkeeping, never schema.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from mockserver.spec.model import Dialect, Schema
from mockserver.spec.pointer import fragment_pointer, join_pointer, resolve_pointer
from mockserver.spec.schema_walk import SCHEMA_VALUED as _SCHEMA_VALUED

Node = dict[str, Any]
Site = tuple[Path, str]

_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "example",
        "examples",
        "default",
        "deprecated",
        "externalDocs",
        "xml",
        "discriminator",
        "$comment",
        "$schema",
        "$id",
        "id",
        "$anchor",
        "$defs",
        "definitions",
        "contentEncoding",
    }
)
#: Keywords with a neutral value: writing them changes nothing.
_NEUTRAL = {
    "minLength": 0,
    "minItems": 0,
    "minProperties": 0,
    "uniqueItems": False,
    "additionalProperties": True,
    "readOnly": False,
    "writeOnly": False,
    "nullable": False,
    "x-nullable": False,
}
#: Patterns every string matches (an empty match at the start, under search semantics).
_ANY_STRING = frozenset({"", ".*", "^.*", "^.*?", ".*?"})
_LOWER = ("minimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "maxLength", "maxItems", "maxProperties")
_BRANCHES = ("anyOf", "oneOf")
#: Keywords whose meaning depends on a sibling keyword: a branch holding one is merged
#: only into a node that has none of the siblings it depends on.
_SIBLING_BOUND = {
    "additionalProperties": ("properties", "patternProperties"),
    "patternProperties": ("additionalProperties",),
    "properties": ("additionalProperties",),
    "items": ("prefixItems",),
    "prefixItems": ("items",),
    "unevaluatedProperties": ("properties", "patternProperties", "additionalProperties"),
    "unevaluatedItems": ("items", "prefixItems"),
}


def plain(node: Any) -> Any:
    """``node`` without the bookkeeping keys: the schema alone, for comparison."""
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items() if not k.startswith("@")}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def fingerprint(node: Any) -> str:
    """A canonical text of the schema alone: equal fingerprints, equal schemas.

    Remembered in the node (canonical nodes are not changed once built), so comparing
    two large trees level by level stays linear.
    """
    if not isinstance(node, dict):
        return json.dumps(plain(node), sort_keys=True, default=str)
    if "@fp" not in node:
        node["@fp"] = json.dumps(plain(node), sort_keys=True, default=str)
    return str(node["@fp"])


class Normalizer:
    """Canonical forms of the schemas of one document, each referenced schema once."""

    def __init__(self, registry: Any, dialect: Dialect) -> None:
        self.registry = registry
        self.dialect = dialect
        self._cache: dict[str, Node] = {}

    def schema(self, schema: Schema | None) -> Node:
        """The canonical form of ``schema`` (``{}`` accepts anything)."""
        if schema is None:
            return {}
        return self._node(schema.value, schema.uri, (schema.file, schema.pointer), ())

    # -- nodes ------------------------------------------------------------------------

    def _node(self, value: Any, base: str | None, at: Site, stack: tuple[str, ...]) -> Node:
        if value is True or not isinstance(value, dict | bool):
            return {"@at": at, "@src": {}}
        if value is False:
            return {"enum": [], "@at": at, "@src": {"enum": at}}
        if isinstance(value.get("$ref"), str):
            return self._ref(value, base, at, stack)
        node: Node = {"@at": at, "@src": {}}
        for key, sub in value.items():
            if key in _ANNOTATIONS or (key.startswith("x-") and key != "x-nullable"):
                continue
            if _NEUTRAL.get(key, object()) == sub:
                continue
            site = (at[0], join_pointer(at[1], key))
            node["@src"][key] = site
            node[key] = self._keyword(key, sub, base, site, stack)
        return _tidy(node, self.dialect)

    def _keyword(self, key: str, sub: Any, base: str | None, site: Site, stack: Any) -> Any:
        if key in ("properties", "patternProperties", "dependentSchemas"):
            return {
                name: self._node(s, _child_uri(base, key, name), _down(site, name), stack)
                for name, s in (sub or {}).items()
            }
        if key in ("allOf", "anyOf", "oneOf", "prefixItems") or (
            key == "items" and isinstance(sub, list)
        ):
            return [
                self._node(s, _child_uri(base, key, str(i)), _down(site, str(i)), stack)
                for i, s in enumerate(sub or [])
            ]
        if key in _SCHEMA_VALUED and isinstance(sub, dict | bool):
            return self._node(sub, _child_uri(base, key), site, stack)
        return sub

    def _ref(self, value: Node, base: str | None, at: Site, stack: tuple[str, ...]) -> Node:
        target = urljoin(base or "", value["$ref"])
        document, fragment = urldefrag(target)
        if target in stack:
            return {"$recursive": fragment, "@at": at, "@src": {"$recursive": at}}
        if target not in self._cache:
            try:
                resolved = resolve_pointer(
                    self.registry.contents(document), fragment_pointer(fragment)
                )
            except LookupError:
                return {"$unresolved": value["$ref"], "@at": at, "@src": {}}
            file = Path(unquote(urlsplit(document).path))
            self._cache[target] = self._node(resolved, target, (file, fragment), (*stack, target))
        inlined = self._cache[target]
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        if self.dialect is not Dialect.OPENAPI_3_1 or not siblings:
            return inlined  # before 3.1, keywords beside a $ref are ignored
        rest = self._node(siblings, base, at, stack)
        return _tidy({"allOf": [inlined, rest], "@at": at, "@src": {"allOf": at}}, self.dialect)


def _child_uri(base: str | None, *tokens: str) -> str | None:
    if base is None:
        return None
    document, fragment = urldefrag(base)
    return document + "#" + join_pointer(fragment, *tokens)


def _down(site: Site, token: str) -> Site:
    return (site[0], join_pointer(site[1], token))


# -- tidying: one spelling for each meaning ----------------------------------------------


def _tidy(node: Node, dialect: Dialect) -> Node:
    _nullable(node)
    _types(node)
    _exclusive_bounds(node)
    if "const" in node:
        node["enum"] = [node.pop("const")]
        node["@src"]["enum"] = node["@src"].pop("const", node["@at"])
    for key in ("enum", "required", "type"):
        if isinstance(node.get(key), list):
            node[key] = _sorted_unique(node[key])
    if isinstance(node.get("items"), list):  # Draft 4 tuple form
        node["prefixItems"] = node.pop("items")
        if "additionalItems" in node:
            node["items"] = node.pop("additionalItems")
    if node.get("pattern") in _ANY_STRING:
        node.pop("pattern")  # matches every string: no constraint
    for flag in ("readOnly", "writeOnly"):
        # which direction a property travels, not what it may hold: bookkeeping, so a
        # readOnly field listed in required binds responses only (and writeOnly requests)
        if node.pop(flag, False) is True:
            node["@" + flag] = True
    for key in _BRANCHES:
        if isinstance(node.get(key), list):
            node[key] = sorted(node[key], key=fingerprint)
            _null_branch(node, key)
            if len(node[key]) == 1:
                node.setdefault("allOf", []).append(node.pop(key)[0])
    return _flatten(node) if node.get("allOf") else node


def _nullable(node: Node) -> None:
    nullable = node.pop("nullable", False) | node.pop("x-nullable", False)
    if nullable and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]


def _types(node: Node) -> None:
    declared = node.get("type")
    if isinstance(declared, str):
        declared = [declared]
    if isinstance(declared, list):
        types = set(declared)
        if "number" in types:
            types.discard("integer")
        node["type"] = sorted(types)


def _exclusive_bounds(node: Node) -> None:
    """Draft 4 booleans as 2020-12 numbers; integer bounds as inclusive integers."""
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(flag), bool) and node.pop(flag) and bound in node:
            node[flag] = node.pop(bound)
            node["@src"][flag] = node["@src"].get(bound, node["@at"])
    if node.get("type") in (["integer"], ["integer", "null"]):
        _integer_bounds(node)


def _integer_bounds(node: Node) -> None:
    low = [math.ceil(node.pop("minimum"))] if _number(node.get("minimum")) else []
    high = [math.floor(node.pop("maximum"))] if _number(node.get("maximum")) else []
    if _number(node.get("exclusiveMinimum")):
        node["@src"].setdefault("minimum", node["@src"].get("exclusiveMinimum"))
        low.append(math.floor(node.pop("exclusiveMinimum")) + 1)
    if _number(node.get("exclusiveMaximum")):
        node["@src"].setdefault("maximum", node["@src"].get("exclusiveMaximum"))
        high.append(math.ceil(node.pop("exclusiveMaximum")) - 1)
    if low:
        node["minimum"] = max(low)
    if high:
        node["maximum"] = min(high)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _null_branch(node: Node, key: str) -> None:
    """``oneOf``/``anyOf`` of a typed schema and ``{type: null}``: the schema with null
    added to its type (and enum), as OpenAPI 3.0's ``nullable`` would write it."""
    branches = node[key]
    if len(branches) != 2:
        return
    nulls = [b for b in branches if plain(b) == {"type": ["null"]}]
    others = [b for b in branches if plain(b) != {"type": ["null"]}]
    if len(nulls) != 1 or len(others) != 1:
        return
    other = dict(others[0])
    types = other.get("type")
    if not isinstance(types, list) or "null" in types:
        return
    other["type"] = sorted([*types, "null"])
    if isinstance(other.get("enum"), list):
        other["enum"] = _sorted_unique([*other["enum"], None])
    other.pop("@fp", None)  # a changed node: its fingerprint is recomputed
    node[key] = [other]


def _sorted_unique(values: list[Any]) -> list[Any]:
    unique = {json.dumps(v, sort_keys=True): v for v in values}
    return [unique[k] for k in sorted(unique)]


# -- allOf -------------------------------------------------------------------------------


def _flatten(node: Node) -> Node:
    """Merge each ``allOf`` branch into ``node`` when that keeps the meaning; keep the rest."""
    kept = []
    for branch in node.pop("allOf"):
        if _mergeable(node, branch):
            _merge(node, branch)
        else:
            kept.append(branch)
    if kept:
        node["allOf"] = sorted(kept, key=fingerprint)
    else:
        node["@src"].pop("allOf", None)
    return node


def _mergeable(node: Node, branch: Node) -> bool:
    for key in branch:
        if key.startswith("@"):
            continue
        if any(other in node for other in _SIBLING_BOUND.get(key, ())):
            return False
        if key in node and not _combinable(key, node[key], branch[key]):
            return False
    return all(
        not (key in node and any(other in branch for other in _SIBLING_BOUND.get(key, ())))
        for key in list(node)
    )


def _combinable(key: str, mine: Any, theirs: Any) -> bool:
    if key in ("properties", "required", "type", "enum", *_LOWER, *_UPPER):
        return True
    return fingerprint(mine) == fingerprint(theirs)


def _merge(node: Node, branch: Node) -> None:
    for key, value in branch.items():
        if key.startswith("@"):
            continue
        node["@src"].setdefault(key, branch["@src"].get(key, branch["@at"]))
        if key not in node:
            node[key] = value
        elif key == "properties":
            node[key] = _merge_properties(node[key], value)
        elif key == "required":
            node[key] = _sorted_unique([*node[key], *value])
        elif key == "type":
            node[key] = _type_intersection(node[key], value)
        elif key == "enum":
            theirs = {fingerprint(v) for v in value}
            node[key] = [v for v in node[key] if fingerprint(v) in theirs]
        elif key in _LOWER:
            node[key] = max(node[key], value)
        elif key in _UPPER:
            node[key] = min(node[key], value)


def _merge_properties(mine: dict[str, Node], theirs: dict[str, Node]) -> dict[str, Node]:
    merged = dict(mine)
    for name, schema in theirs.items():
        if name not in merged:
            merged[name] = schema
        elif fingerprint(merged[name]) != fingerprint(schema):
            both = {"allOf": [merged[name], schema], "@at": merged[name]["@at"], "@src": {}}
            merged[name] = _flatten(both)
    return merged


def _type_intersection(mine: list[str], theirs: list[str]) -> list[str]:
    def admits(types: list[str], kind: str) -> bool:
        return kind in types or (kind == "integer" and "number" in types)

    kinds = ("array", "boolean", "integer", "null", "number", "object", "string")
    found = [t for t in kinds if admits(mine, t) and admits(theirs, t)]
    if "number" in found:
        found = [t for t in found if t != "integer"]
    return found
