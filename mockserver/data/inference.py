"""Behaviour for documents that come without a declaration: infer the obvious.

A GET whose success body is an array of objects (or an object wrapping one) is a list; a
GET on ``.../{param}`` returning that item schema is a get. Their dataset is built from
the document's own examples, topped up with generated records, all checked against every
schema they are served under; so an entry in a list can be fetched by its id. Query
parameters named like item fields filter, and ``limit``/``offset`` or ``page``/``size``
style parameters page.

Writes follow the collection/item pattern: ``POST`` on the collection creates, ``PUT``,
``PATCH`` and ``DELETE`` on ``.../{param}`` replace, update and delete. A collection nested
under another's item (``/owners/{ownerId}/pets``) is scoped by its parent's id: its records
carry it, and a parent that does not exist is 404. An id the dataset lacks is the
documented 404 when the dataset can be written to; otherwise it falls back to examples and
generated data (echoing the id), as a mock of a read-only document without fixtures should.
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
    WriteKind,
)
from mockserver.data.generate import GenerationError, Hints, ValueGenerator, stable_seed
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, Operation, Schema, SchemaRegistry
from mockserver.spec.navigate import (
    at_pointer,
    child,
    declared_properties,
    deref,
    descend,
    schema_types,
)
from mockserver.spec.paths import last_variable, template_shape, template_variables
from mockserver.spec.source import SourceFile

GENERATED_RECORDS = 20
_WRAPPERS = ("items", "data", "results", "records", "content", "values", "entries")
_COUNT_NAMES = ("totalCount", "total_count", "total", "count")
_SIZE_NAMES = ("limit", "per_page", "perPage", "pageSize", "page_size", "size", "count")
#: The record field that keeps a nested record's parent id when its schema has none.
SCOPE_FIELD = "@scope"
_ITEM_WRITES: dict[str, WriteKind] = {"put": "replace", "patch": "update", "delete": "delete"}


@dataclass(frozen=True)
class _List:
    op: Operation  # the list, or the get when a collection has no list
    items: str  # pointer to the array in the body
    item: Schema
    listed: bool = True


@dataclass(frozen=True)
class _Resource:
    """A collection and its items: the operations on each, and where records come from."""

    found: _List
    get: Operation | None
    id_field: str
    collection: str  # the collection's path template
    item_path: str | None  # the item's path template


@dataclass(frozen=True)
class _Scope:
    field: str
    parent: str  # the parent's dataset
    parent_id: str  # the parent's id field


class _Paths:
    """The document's operations by path shape (variables unnamed), built once, so that
    inferring a document of 10,000 operations looks paths up rather than scanning them
    for every resource."""

    def __init__(self, document: ApiDocument) -> None:
        self.order = {id(op): index for index, op in enumerate(document.operations)}
        self.at_shape: dict[str, list[Operation]] = {}
        self.items_under: dict[str, list[Operation]] = {}  # ops on <collection>/{param}
        for op in document.operations:
            self.at_shape.setdefault(_shape(op.path), []).append(op)
            if last_variable(op.path):
                self.items_under.setdefault(_shape(_parent(op.path)), []).append(op)

    def at(self, *paths: str) -> list[Operation]:
        """The operations on any of ``paths``, in document order."""
        shapes = dict.fromkeys(_shape(p) for p in paths)
        found = [op for shape in shapes for op in self.at_shape.get(shape, ())]
        return sorted(found, key=lambda op: self.order[id(op)])

    def has(self, method: str, path: str) -> bool:
        return any(op.method == method for op in self.at_shape.get(_shape(path), ()))

    def item_path(self, collection: str) -> str | None:
        """The path of a collection's items, from any operation on ``<collection>/{param}``."""
        items = self.items_under.get(_shape(collection))
        return items[0].path if items else None


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
    paths = _Paths(document)
    resources = list(_resources(document, paths))
    if not resources:
        return None, {}
    generator = ValueGenerator(document.registry)
    names = _dataset_names(resources)
    by_item_path: dict[str, _Resource] = {}
    for resource in resources:
        if resource.item_path:
            by_item_path.setdefault(_shape(resource.item_path), resource)
    scopes = {id(r): _scope(document, r, by_item_path, names) for r in resources}
    datasets: dict[str, Dataset] = {}
    makers: dict[str, Callable[[], list[Record]]] = {}
    operations: dict[str, OperationBehaviour] = {}
    records = LazyRecords(makers)
    for resource in resources:
        name, scope = names[id(resource)], scopes[id(resource)]
        datasets[name] = Dataset(
            name,
            document.path,
            resource.id_field,
            None,
            scope.field if scope else None,
            "",
            parent=scope.parent if scope else None,
        )
        makers[name] = functools.partial(
            _scoped_records, document, generator, resource, seed, scope, records
        )
        for behaviour in _behaviours(document, paths, resource, name, scope is not None):
            operations.setdefault(behaviour.operation_id, behaviour)
    source = SourceFile(document.path, "", {}, False)
    return Declaration(
        document.path.parent, document.name, datasets, operations, (), source
    ), records


def _resources(document: ApiDocument, paths: _Paths) -> Iterator[_Resource]:
    """Each collection with a list (or, lacking one, a get and a create) and an id field."""
    taken: set[str] = set()
    gets = _ItemGets(document)
    for found in _lists(document):
        get = gets.for_list(found)
        id_field = _id_field(found.item, get, document)
        if id_field is None:
            continue
        item_path = get.path if get else paths.item_path(found.op.path)
        if get is not None:
            taken.add(get.operation_id)
        yield _Resource(found, get, id_field, found.op.path, item_path)
    for get in document.operations:
        if get.method != "get" or not last_variable(get.path) or get.operation_id in taken:
            continue
        collection = _parent(get.path)
        if not paths.has("post", collection):
            continue
        media = json_media(success_response(get))
        item = deref(media.schema, document.registry) if media and media.schema else None
        if item is None or not declared_properties(item, document.registry):
            continue
        id_field = _id_field(item, get, document)
        if id_field is not None:
            yield _Resource(_List(get, "", item, listed=False), get, id_field, collection, get.path)


def _dataset_names(resources: list[_Resource]) -> dict[int, str]:
    """Each resource's dataset, named after its collection (``/owners/{id}/pets``: pets)."""
    names: dict[int, str] = {}
    for index, resource in enumerate(resources):
        path = _parent(resource.item_path) if resource.item_path else resource.collection
        literal = [s for s in path.split("/") if s and "{" not in s]
        name = literal[-1] if literal else f"dataset{index}"
        if name in names.values():
            name = f"{name}{index}"
        names[id(resource)] = name
    return names


def _behaviours(
    document: ApiDocument, paths: _Paths, resource: _Resource, dataset: str, scoped: bool
) -> Iterator[OperationBehaviour]:
    """The list, get and writes of one resource."""
    writable = False
    near = [resource.collection, *([resource.item_path] if resource.item_path else [])]
    if resource.item_path:
        near.append(_parent(resource.item_path))
    for op in paths.at(*near):
        behaviour = _write_behaviour(op, resource)
        if behaviour is not None:
            writable = True
            param = last_variable(op.path) if behaviour != "create" else None
            yield OperationBehaviour(
                op.operation_id,
                behaviour,
                dataset,
                "",
                param=param,
                scope=_scope_param(op.path, item=behaviour != "create") if scoped else None,
            )
    found = resource.found
    if found.listed:
        yield _list_behaviour(
            found, dataset, document, _scope_param(found.op.path, item=False) if scoped else None
        )
    get = resource.get
    if get is not None:
        yield OperationBehaviour(
            get.operation_id,
            "get",
            dataset,
            "",
            param=last_variable(get.path),
            scope=_scope_param(get.path, item=True) if scoped else None,
            missing="not-found" if writable and _can_say_not_found(get) else "generate",
        )


def _can_say_not_found(op: Operation) -> bool:
    """Whether ``op`` declares a response a missing record can be answered with (a 4xx, or
    default): else an id the mock has no record of gets a generated one, as the document
    promises an answer for every id."""
    return any(r.status[0] == "4" or r.status == "default" for r in op.responses)


def _write_behaviour(op: Operation, resource: _Resource) -> WriteKind | None:
    """``create`` for a POST with a body on the collection; ``replace``, ``update`` or
    ``delete`` for PUT, PATCH or DELETE on the item."""
    collections = [resource.collection]
    if resource.item_path:  # /pet/findByStatus lists what POST /pet creates
        collections.append(_parent(resource.item_path))
    if op.method == "post" and any(_same(op.path, c) for c in collections):
        return "create" if op.request_body is not None else None
    if resource.item_path and _same(op.path, resource.item_path):
        return _ITEM_WRITES.get(op.method)
    return None


def _scope(
    document: ApiDocument,
    resource: _Resource,
    by_item_path: Mapping[str, _Resource],
    names: Mapping[int, str],
) -> _Scope | None:
    """How a nested collection's records name their parent: the item field named like the
    parent's path variable, else :data:`SCOPE_FIELD`; only when the parent is a collection
    item this document serves (so a parent that does not exist can be told apart)."""
    variables = template_variables(resource.collection)
    if not variables:
        return None
    variable = variables[-1]
    parent_item = resource.collection[: resource.collection.index("{" + variable + "}")]
    parent_item += "{" + variable + "}"
    parent = by_item_path.get(_shape(parent_item))
    if parent is None or parent is resource:
        return None
    fields = declared_properties(resource.found.item, document.registry) or set()
    field = variable if variable in fields else SCOPE_FIELD
    return _Scope(field, names[id(parent)], parent.id_field)


def _scope_param(path: str, *, item: bool) -> str | None:
    """The path variable naming the parent: the collection's last, the item's last but one."""
    variables = template_variables(path)
    wanted = 2 if item else 1
    return variables[-wanted] if len(variables) >= wanted else None


def _same(template: str, other: str) -> bool:
    """Whether two path templates are the same path, whatever their variables are named."""
    return _shape(template) == _shape(other)


@functools.lru_cache(maxsize=65536)
def _shape(template: str) -> str:
    """A path template with its variables unnamed: ``/pets/{id}/`` -> ``/pets/{}``."""
    return template_shape(template).rstrip("/")


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


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


class _ItemGets:
    """The GETs that return one item, found for a list by its item schema, or by the list
    path plus ``/{id}``: each looked up, not scanned for every list."""

    def __init__(self, document: ApiDocument) -> None:
        self.by_schema: dict[str, Operation] = {}
        self.by_prefix: dict[str, Operation] = {}
        for op in document.operations:
            if op.method != "get" or not last_variable(op.path):
                continue
            media = json_media(success_response(op))
            schema = deref(media.schema, document.registry) if media and media.schema else None
            if schema is not None and schema.uri:
                self.by_schema.setdefault(schema.uri, op)
            self.by_prefix.setdefault(op.path.rsplit("{", 1)[0].rstrip("/"), op)

    def for_list(self, found: _List) -> Operation | None:
        """The GET that returns one item: same item schema, or the list path plus ``/{id}``."""
        by_schema = self.by_schema.get(found.item.uri) if found.item.uri else None
        return by_schema or self.by_prefix.get(found.op.path.rstrip("/"))


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
            candidates.append(
                _record(
                    generator,
                    source,
                    stable_seed("record", seed, index),
                    hints,
                    id_field,
                    candidates,
                )
            )
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


def _record(
    generator: ValueGenerator,
    source: Schema,
    seed: int,
    hints: Hints | None,
    id_field: str,
    made: list[Any],
) -> Any:
    """A generated record with the author's examples in it (as a single answer has them);
    generated throughout when the examples would repeat an id already made."""
    record = generator.generate(source, seed, hints, examples=True)
    taken = {str(r.get(id_field)) for r in made if isinstance(r, dict)}
    if isinstance(record, dict) and str(record.get(id_field)) in taken:
        return generator.generate(source, seed, hints)
    return record


def _scoped_records(
    document: ApiDocument,
    generator: ValueGenerator,
    resource: _Resource,
    seed: int,
    scope: _Scope | None,
    datasets: Mapping[str, list[Record]],
) -> list[Record]:
    """The resource's records; a nested collection's are shared out among its parents."""
    found = _records(document, generator, resource.found, resource.get, resource.id_field, seed)
    if scope is None:
        return found
    parent_ids = [r.get(scope.parent_id) for r in datasets[scope.parent]]
    if not parent_ids:
        return []
    return [{**r, scope.field: parent_ids[i % len(parent_ids)]} for i, r in enumerate(found)]


def _example_records(
    found: _List, get: Operation | None, registry: SchemaRegistry
) -> Iterator[Record]:
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


def _list_behaviour(
    found: _List, dataset: str, document: ApiDocument, scope: str | None = None
) -> OperationBehaviour:
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
        scope=scope,
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


def _member(schema: Schema, registry: SchemaRegistry, name: str) -> Schema | None:
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
