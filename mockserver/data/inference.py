"""Behaviour for documents that come without a declaration: infer the obvious.

A GET whose success body is an array of objects (or an object wrapping one) is a list; a
GET on ``.../{param}`` returning that item schema is a get. Their dataset is built from
the document's own examples, topped up with generated records, all checked against every
schema they are served under; so an entry in a list can be fetched by its id. Query
parameters named like item fields filter, and ``limit``/``offset`` or ``page``/``size``
style parameters page. An id the dataset lacks falls back to examples and generated data
(echoing the id), as a mock of a document without fixtures should.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.data.binding import json_media, success_response
from mockserver.data.dataset import Record, project
from mockserver.data.declaration import (
    Dataset,
    Declaration,
    Filter,
    OperationBehaviour,
    Paging,
)
from mockserver.data.generate import GenerationError, Hints, ValueGenerator, stable_seed
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, Operation, Schema
from mockserver.spec.navigate import (
    at_pointer,
    child,
    declared_properties,
    deref,
    descend,
    schema_types,
)
from mockserver.spec.paths import last_variable
from mockserver.spec.source import SourceFile

GENERATED_RECORDS = 20
_WRAPPERS = ("items", "data", "results", "records", "content", "values", "entries")
_COUNT_NAMES = ("totalCount", "total_count", "total", "count")
_SIZE_NAMES = ("limit", "per_page", "perPage", "pageSize", "page_size", "size", "count")


@dataclass(frozen=True)
class _List:
    op: Operation
    items: str  # pointer to the array in the body
    item: Schema


class LazyRecords(Mapping[str, list[Record]]):
    """Datasets generated on first use: start-up stays fast on documents with many lists.

    Generation is deterministic, so every worker process builds the same records.
    """

    def __init__(self, makers: dict[str, Callable[[], list[Record]]]) -> None:
        self._makers = makers
        self._made: dict[str, list[Record]] = {}

    def __getitem__(self, name: str) -> list[Record]:
        if name not in self._made:
            self._made[name] = self._makers[name]()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def infer_declaration(
    document: ApiDocument, seed: int = 0
) -> tuple[Declaration | None, Mapping[str, list[Record]]]:
    """A declaration inferred from the document's shape, with its (lazy) records."""
    lists = list(_lists(document))
    if not lists:
        return None, {}
    generator = ValueGenerator(document.registry)
    datasets: dict[str, Dataset] = {}
    makers: dict[str, Callable[[], list[Record]]] = {}
    operations: dict[str, OperationBehaviour] = {}
    for found in lists:
        get = _get_for(document, found)
        id_field = _id_field(found.item, get, document)
        if id_field is None:
            continue
        name = f"dataset{len(datasets)}"
        datasets[name] = Dataset(name, document.path, id_field, None, None, "")
        makers[name] = functools.partial(_records, document, generator, found, get, id_field, seed)
        operations[found.op.operation_id] = _list_behaviour(found, name, document)
        if get is not None and get.operation_id not in operations:
            param = last_variable(get.path)
            operations[get.operation_id] = OperationBehaviour(
                get.operation_id,
                "get",
                name,
                "",
                param=param,
                missing="generate",
            )
    if not operations:
        return None, {}
    source = SourceFile(document.path, "", {}, False)
    return Declaration(
        document.path.parent, document.name, datasets, operations, (), source
    ), LazyRecords(makers)


def _lists(document: ApiDocument) -> Iterator[_List]:
    for op in document.operations:
        if op.method != "get" or last_variable(op.path):
            continue
        media = json_media(success_response(op))
        if media is None or media.schema is None:
            continue
        for pointer in ("", *(f"/{w}" for w in _WRAPPERS)):
            array = at_pointer(media.schema, document.registry, pointer)
            if array is None or "array" not in schema_types(array, document.registry):
                continue
            item = child(array, document.registry, "0")
            if item is not None and declared_properties(item, document.registry):
                yield _List(op, pointer, deref(item, document.registry))
                break


def _get_for(document: ApiDocument, found: _List) -> Operation | None:
    """The GET that returns one item: same item schema, or the list path plus ``/{id}``."""
    candidates = [op for op in document.operations if op.method == "get" and last_variable(op.path)]
    for op in candidates:
        media = json_media(success_response(op))
        schema = deref(media.schema, document.registry) if media and media.schema else None
        if schema is not None and schema.uri and schema.uri == found.item.uri:
            return op
    return next(
        (
            op
            for op in candidates
            if op.path.rsplit("{", 1)[0].rstrip("/") == found.op.path.rstrip("/")
        ),
        None,
    )


def _id_field(item: Schema, get: Operation | None, document: ApiDocument) -> str | None:
    names = declared_properties(item, document.registry) or set()
    param = last_variable(get.path) if get else None
    for candidate in (param, "id", "_id", "uuid", "key"):
        if candidate and candidate in names:
            return candidate
    ids = sorted(n for n in names if n.lower().endswith("id"))
    return ids[0] if ids else None


def _records(
    document: ApiDocument,
    generator: ValueGenerator,
    found: _List,
    get: Operation | None,
    id_field: str,
    seed: int,
) -> list[Record]:
    registry = document.registry
    schemas = [found.item] + (
        [m.schema for m in [json_media(success_response(get))] if m and m.schema] if get else []
    )
    validators = [(SchemaValidator(s, registry), declared_properties(s, registry)) for s in schemas]
    candidates = list(_example_records(found, get, registry))
    source = schemas[-1]
    integer_ids = "integer" in schema_types(child(found.item, registry, id_field), registry)
    for index in range(GENERATED_RECORDS * 2):
        if len(candidates) >= GENERATED_RECORDS + 5:
            break
        hints = Hints({id_field: index + 1}) if integer_ids else None
        try:
            candidates.append(generator.generate(source, stable_seed("record", seed, index), hints))
        except GenerationError:
            continue
    rows: list[Record] = []
    seen: set[str] = set()
    for record in candidates:
        key = str(record.get(id_field)) if isinstance(record, dict) else ""
        if not key or key in seen:
            continue
        if all(v.is_valid(project(record, names)) for v, names in validators):
            rows.append(record)
            seen.add(key)
    return rows[: GENERATED_RECORDS + 5]


def _example_records(found: _List, get: Operation | None, registry: Any) -> Iterator[Record]:
    media = json_media(success_response(found.op))
    for example in media.examples if media else ():
        items = example.value
        for token in [t for t in found.items.split("/") if t]:
            items = items.get(token) if isinstance(items, dict) else None
        yield from (i for i in items or [] if isinstance(i, dict))
    get_media = json_media(success_response(get)) if get else None
    for example in get_media.examples if get_media else ():
        if isinstance(example.value, dict):
            yield example.value


def _list_behaviour(found: _List, dataset: str, document: ApiDocument) -> OperationBehaviour:
    names = declared_properties(found.item, document.registry) or set()
    filters = tuple(
        Filter(
            "in" if "array" in schema_types(p.schema, document.registry) else "eq",
            p.name,
            None,
            p.name,
            None,
            None,
            None,
            False,
        )
        for p in found.op.parameters
        if p.location == "query" and p.name in names
    )
    return OperationBehaviour(
        found.op.operation_id,
        "list",
        dataset,
        "",
        items=found.items,
        filters=filters,
        paging=_paging(found.op),
        set=_envelope_templates(found, document),
    )


def _envelope_templates(found: _List, document: ApiDocument) -> dict[str, str]:
    """``set`` templates for what the envelope says about the page: counts, a self link.

    Anything else the envelope requires is generated when it is served.
    """
    media = json_media(success_response(found.op))
    if not found.items or media is None or media.schema is None:
        return {}
    registry = document.registry
    templates: dict[str, str] = {}
    for name in _COUNT_NAMES:
        field = child(media.schema, registry, name)
        if field is not None and schema_types(field, registry) & {"integer", "number"}:
            templates[f"/{name}"] = "$page.total"
    links = child(media.schema, registry, "_links")
    link = _member(links, registry, "self") if links is not None else None
    href = child(link, registry, "href") if link is not None else None
    if href is not None and "string" in schema_types(href, registry):
        node = deref(href, registry).value
        if isinstance(node, dict) and not ({"format", "pattern", "enum", "const"} & set(node)):
            templates["/_links/self/href"] = "$page.self"
    return templates


def _member(schema: Schema, registry: Any, name: str) -> Schema | None:
    """The schema of ``value[name]``, declared or through ``additionalProperties``."""
    declared = child(schema, registry, name)
    if declared is not None:
        return declared
    extra = descend(deref(schema, registry), ("additionalProperties",))
    return extra if extra is not None and isinstance(extra.value, dict) else None


def _paging(op: Operation) -> Paging | None:
    query = {p.name: p for p in op.parameters if p.location == "query"}
    size = next((n for n in _SIZE_NAMES if n in query), None)
    if "offset" in query:
        return Paging("offset", offset_param="offset", size_param=size)
    if "page" in query:
        schema = query["page"].schema
        value = schema.value if schema is not None and isinstance(schema.value, dict) else {}
        first = 1 if value.get("minimum") == 1 or value.get("default") == 1 else 0
        return Paging("page", page_param="page", size_param=size, first=first)
    if size is not None:
        return Paging("offset", size_param=size)
    return None
