"""Bind a behaviour declaration to the document it describes, failing fast on mismatches."""

from __future__ import annotations

from collections.abc import Iterator

from mockserver.data.declaration import Declaration, OperationBehaviour
from mockserver.errors import DeclarationError
from mockserver.spec.model import ApiDocument, MediaType, Operation, Response, Schema
from mockserver.spec.navigate import at_pointer, child, declared_properties
from mockserver.spec.pointer import join_pointer

RECORD_BEHAVIOURS = ("list", "search", "get")


def bind_declaration(declaration: Declaration, document: ApiDocument) -> None:
    """Raise a :class:`DeclarationError` for the first reference the document cannot honour."""
    for behaviour in declaration.operations.values():
        op = document.operation(behaviour.operation_id)
        if op is None:
            _fail(
                declaration,
                behaviour.pointer,
                f"{document.path.name} has no operation {behaviour.operation_id!r}",
                "use an operationId (or 'GET /path') the document declares",
            )
            continue
        for pointer, name in _parameter_references(behaviour):
            if not _has_parameter(op, name):
                _fail(
                    declaration,
                    pointer,
                    f"{op.key} has no parameter {name!r}",
                    "name a parameter the operation declares",
                )
        lists = behaviour.kind in ("list", "search")
        if lists and record_schema(op, behaviour, document) is None:
            _fail(
                declaration,
                behaviour.pointer + "/items",
                f"{op.key}: no array of records at {behaviour.items or '/'} in its success "
                "response schema",
                "point 'items' at the array of records in the body",
            )


def success_response(op: Operation) -> Response | None:
    """The operation's first declared 2xx response."""
    ranked = sorted((r for r in op.responses if r.status.startswith("2")), key=lambda r: r.status)
    return ranked[0] if ranked else None


def json_media(response: Response | None) -> MediaType | None:
    """The JSON entry of a response's content, if any."""
    if response is None:
        return None
    return next(
        (m for m in response.content if m.name == "application/json"),
        next((m for m in response.content if "json" in m.name), None),
    )


def record_schema(
    op: Operation, behaviour: OperationBehaviour, document: ApiDocument
) -> Schema | None:
    """The schema each record is served under by ``op``."""
    media = json_media(success_response(op))
    if media is None or media.schema is None:
        return None
    if behaviour.kind == "get":
        return media.schema
    array = at_pointer(media.schema, document.registry, behaviour.items)
    return child(array, document.registry, "0") if array is not None else None


def served_schemas(
    declaration: Declaration, document: ApiDocument, dataset: str
) -> Iterator[tuple[str, Schema, set[str] | None]]:
    """(label, schema, projected field names) for each way records of ``dataset`` are served."""
    for behaviour in declaration.operations.values():
        op = document.operation(behaviour.operation_id)
        if op is None or behaviour.dataset != dataset:
            continue
        if behaviour.kind not in RECORD_BEHAVIOURS:
            continue
        schema = record_schema(op, behaviour, document)
        if schema is not None:
            yield op.key, schema, declared_properties(schema, document.registry)


def _parameter_references(behaviour: OperationBehaviour) -> Iterator[tuple[str, str]]:
    base = behaviour.pointer
    for key, value in (("param", behaviour.param), ("scope", behaviour.scope)):
        if value:
            yield f"{base}/{key}", value
    for index, flt in enumerate(behaviour.filters):
        for key, value in (("param", flt.param), ("combine-param", flt.combine_param)):
            if value:
                yield join_pointer(base, "filters", index, key), value
    if behaviour.paging:
        paging = behaviour.paging
        for key, value in (
            ("page-param", paging.page_param),
            ("offset-param", paging.offset_param),
            ("size-param", paging.size_param),
            ("cursor-param", paging.cursor_param),
        ):
            if value:
                yield join_pointer(base, "paging", key), value
    for key, value in (
        ("param", behaviour.sort.param),
        ("direction-param", behaviour.sort.direction_param),
    ):
        if value:
            yield join_pointer(base, "sort", key), value
    if behaviour.buckets and behaviour.buckets.param:
        yield join_pointer(base, "buckets", "param"), behaviour.buckets.param


def _has_parameter(op: Operation, name: str) -> bool:
    return any(p.name == name for p in op.parameters)


def _fail(declaration: Declaration, pointer: str, message: str, hint: str) -> None:
    raise DeclarationError(
        declaration.source.path,
        message,
        pointer=pointer,
        position=declaration.source.position(pointer),
        hint=hint,
    )
