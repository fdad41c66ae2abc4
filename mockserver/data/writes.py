"""What a write does to a record, independent of where records are stored.

A session's view of a dataset is the fixture records with its changes applied
(:func:`merged`). An update is a JSON Merge Patch (RFC 7386) or, when the request says
``application/json-patch+json``, a JSON Patch (RFC 6902, applied by the ``jsonpatch``
package). Schemas say which fields the server fills (``readOnly``), which it keeps but
never returns (``writeOnly``), and how new ids look (:func:`id_rule`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonpatch
import jsonpointer

from mockserver.data.dataset import Record
from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.navigate import child, declared_properties, deref, schema_types

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
#: How a create names its record: a number from the session's sequence, a UUID, a
#: MongoDB ObjectId (24 hex digits), or a value drawn from the id's own schema.
ID_RULES = ("sequence", "uuid", "objectid", "schema")
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


class PatchError(ValueError):
    """A patch that cannot be applied: ``pointer`` says where in the patch."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


def merged(records: Sequence[Record], id_field: str, changes: Mapping[str, Any]) -> list[Record]:
    """``records`` as a session sees them: replaced in place, deleted ones left out, and the
    records it created after them."""
    found = []
    seen = set()
    for record in records:
        key = str(record.get(id_field))
        seen.add(key)
        if key in changes:
            if changes[key] is not None:
                found.append(changes[key])
        else:
            found.append(record)
    found.extend(r for k, r in changes.items() if r is not None and k not in seen)
    return found


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: Record, operations: Any) -> Any:
    """RFC 6902; raises :class:`PatchError` naming the failing operation."""
    if not isinstance(operations, list):
        raise PatchError("a JSON Patch is an array of operations")
    try:
        return jsonpatch.apply_patch(target, operations)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as error:
        index = _failing_operation(target, operations)
        raise PatchError(str(error), f"/{index}" if index is not None else "") from None


def _failing_operation(target: Record, operations: list[Any]) -> int | None:
    document: Any = target
    for index, operation in enumerate(operations):
        try:
            document = jsonpatch.apply_patch(document, [operation])
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError):
            return index
    return None


def flagged_properties(
    schemas: Iterable[Schema], registry: SchemaRegistry, flag: str
) -> frozenset[str]:
    """The top-level properties any of ``schemas`` marks ``readOnly`` or ``writeOnly``."""
    found = set()
    for schema in schemas:
        for name in declared_properties(schema, registry) or ():
            prop = child(schema, registry, name)
            value = deref(prop, registry).value if prop is not None else None
            if isinstance(value, dict) and value.get(flag) is True:
                found.add(name)
    return frozenset(found)


def id_rule(schema: Schema | None, registry: SchemaRegistry, existing: Iterable[Any]) -> str:
    """How new ids are made, as the id's schema (and the ids already there) describe them."""
    if schema is not None:
        value = deref(schema, registry).value
        types = schema_types(schema, registry)
        if "integer" in types or (types == {"number"}):
            return "sequence"
        if isinstance(value, dict):
            if value.get("format") == "uuid":
                return "uuid"
            if _looks_like_object_id(value.get("pattern")):
                return "objectid"
            if value.get("pattern") or value.get("format") or value.get("enum"):
                return "schema"
    samples = [v for v in existing if v is not None][:20]
    if samples and all(isinstance(v, int) and not isinstance(v, bool) for v in samples):
        return "sequence"
    if samples and all(isinstance(v, str) and _OBJECT_ID.fullmatch(v) for v in samples):
        return "objectid"
    return "uuid"


def _looks_like_object_id(pattern: Any) -> bool:
    return isinstance(pattern, str) and "24" in pattern and ("a-f" in pattern or "A-F" in pattern)


def largest_number(values: Iterable[Any]) -> int:
    """The largest integer among ``values`` (0 if none): where a sequence carries on from."""
    values = list(values)
    numbers = [int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    numbers += [int(v) for v in values if isinstance(v, str) and v.isdigit() and len(v) < 19]
    return max(numbers, default=0)
