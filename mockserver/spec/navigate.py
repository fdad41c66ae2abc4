"""Walk into schemas the way a value is walked: through ``$ref``, properties and items."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any
from urllib.parse import urldefrag, urljoin

from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.pointer import fragment_pointer, join_pointer, resolve_tokens, split_pointer


def deref(schema: Schema, registry: SchemaRegistry, limit: int = 32) -> Schema:
    """``schema`` with any ``$ref`` chain at its top followed."""
    for _ in range(limit):
        value = schema.value
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str) and schema.uri):
            return schema
        target, document, fragment, tokens = _ref_target(_document_of(schema.uri), value["$ref"])
        if tokens is None:  # an anchor (``#name``), not a pointer: left as written
            return schema
        try:
            contents = registry.contents(document)
            resolved = resolve_tokens(contents, tokens, fragment)
        except LookupError:
            return schema
        schema = Schema(resolved, schema.dialect, target, schema.file, fragment)
    return schema


@functools.lru_cache(maxsize=8192)
def _document_of(uri: str) -> str:
    """``uri`` without its fragment (a walk asks this of the same few URIs over and over)."""
    return urldefrag(uri)[0]


@functools.lru_cache(maxsize=8192)
def _ref_target(document: str, ref: str) -> tuple[str, str, str, tuple[str, ...] | None]:
    """Where ``ref``, written in ``document``, points: the absolute URI, its document, the
    JSON pointer of its fragment, and that pointer's tokens (None for an anchor). A
    ``$ref`` resolves the same against any URI of its document: only the document is a
    base, so the walk's many URIs share a few entries here."""
    target = urljoin(document, ref)
    found, fragment = urldefrag(target)
    pointer = fragment_pointer(fragment)
    tokens = tuple(split_pointer(pointer)) if not pointer or pointer.startswith("/") else None
    return target, found, pointer, tokens


def child(schema: Schema, registry: SchemaRegistry, token: str) -> Schema | None:
    """The schema for ``value[token]`` when ``value`` matches ``schema``."""
    schema = deref(schema, registry)
    value = schema.value
    if not isinstance(value, dict):
        return None
    candidates: list[tuple[str, ...]] = [] if token.isdigit() else [("properties", token)]
    candidates += [("items",)] if token.isdigit() or token == "-" else []
    for path in candidates:
        found = descend(schema, path)
        if found is not None:
            return found
    for combinator in ("allOf", "anyOf", "oneOf"):
        for index in range(len(value.get(combinator) or [])):
            branch = descend(schema, (combinator, str(index)))
            found = child(branch, registry, token) if branch else None
            if found is not None:
                return found
    return None


def at_pointer(schema: Schema, registry: SchemaRegistry, pointer: str) -> Schema | None:
    """The schema for the value at ``pointer`` inside a value matching ``schema``."""
    current: Schema | None = schema
    for token in split_pointer(pointer):
        if current is None:
            return None
        current = child(current, registry, token)
    return deref(current, registry) if current else None


def merge_all_of(schema: Schema, registry: SchemaRegistry) -> Schema:
    """``allOf`` folded into one schema: properties and required united, the rest kept.

    Generators use this to build one object from several branches; the merged schema is
    for generating candidates only, which are then validated against the original.
    """
    node = schema.value
    if not isinstance(node, dict) or not node.get("allOf"):
        return schema
    merged = {k: v for k, v in node.items() if k != "allOf"}
    for index in range(len(node["allOf"])):
        branch = descend(schema, ("allOf", str(index)))
        if branch is None:
            continue
        part = merge_all_of(deref(branch, registry), registry).value
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                merged["properties"] = _united(merged.get("properties", {}), value)
            elif key == "required":
                merged["required"] = sorted({*merged.get("required", []), *value})
            else:
                merged.setdefault(key, value)
    return replace(schema, value=merged)


def _united(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two ``properties`` maps as one: a property both declare must satisfy both (one part
    types ``attributes``, another requires ``attributes.id``), so it becomes their allOf."""
    united = dict(first)
    for name, schema in second.items():
        earlier = united.get(name)
        if earlier is None or earlier == schema:
            united[name] = schema
        else:
            united[name] = {"allOf": [earlier, schema]}
    return united


def declared_properties(schema: Schema, registry: SchemaRegistry) -> set[str] | None:
    """Property names a schema declares, through ``allOf``; ``None`` if it declares none."""
    schema = deref(schema, registry)
    value = schema.value
    if not isinstance(value, dict):
        return None
    names = set(value.get("properties") or {})
    for index in range(len(value.get("allOf") or [])):
        branch = descend(schema, ("allOf", str(index)))
        names |= (declared_properties(branch, registry) or set()) if branch else set()
    return names or None


def descend(schema: Schema, path: tuple[str, ...]) -> Schema | None:
    """The schema at ``path`` (schema keywords, not value keys) inside ``schema``."""
    try:
        value = resolve_tokens(schema.value, path)
    except LookupError:
        return None
    if not isinstance(value, dict | bool):
        return None
    pointer = join_pointer(schema.pointer, *path)
    uri = _document_of(schema.uri) + "#" + pointer if schema.uri else None
    return Schema(value, schema.dialect, uri, schema.file, pointer)


def schema_types(schema: Schema | None, registry: SchemaRegistry, depth: int = 0) -> frozenset[str]:
    """The JSON types a schema admits, through anyOf/oneOf/allOf, nullable and enums."""
    if schema is None or depth > 8:
        return frozenset()
    schema = deref(schema, registry)
    value = schema.value
    if not isinstance(value, dict):
        return frozenset()
    declared = value.get("type")
    if isinstance(declared, str):
        found = {declared}
    elif isinstance(declared, list):
        found = {str(t) for t in declared}
    else:
        found = set()
    if value.get("nullable") or value.get("x-nullable"):
        found.add("null")
    for combinator in ("anyOf", "oneOf", "allOf"):
        for index in range(len(value.get(combinator) or [])):
            branch = descend(schema, (combinator, str(index)))
            found |= schema_types(branch, registry, depth + 1)
    if "const" in value or "enum" in value:
        found |= {json_type(v) for v in ([value["const"]] if "const" in value else value["enum"])}
    return frozenset(found)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"
