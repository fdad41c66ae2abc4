"""Checks that names are unique, well formed, and refer to something that exists:
operationIds, security schemes, tags, component names, link targets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mockserver.errors import MockserverError
from mockserver.report.findings import Finding
from mockserver.spec.model import HTTP_METHODS, Dialect
from mockserver.spec.pointer import join_pointer
from mockserver.spec.refs import RefResolver
from mockserver.validate.structure import Structure

_COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")


def iter_operation_id_issues(structure: Structure) -> Iterator[Finding]:
    """Every operationId is unique, callbacks and webhooks included."""
    first: dict[str, str] = {}
    for op in structure.operations:
        operation_id = op.value.get("operationId")
        if not isinstance(operation_id, str):
            continue
        if operation_id in first:
            yield Finding.at(
                "MS108",
                op.source,
                op.at("operationId"),
                f"operationId {operation_id!r} of {op.key} is already used by "
                f"{first[operation_id]}",
            )
        else:
            first[operation_id] = op.key


def iter_security_issues(structure: Structure) -> Iterator[Finding]:
    """Security requirements name declared schemes only."""
    data = structure.root.data
    if structure.dialect is Dialect.SWAGGER_2:
        schemes = data.get("securityDefinitions")
    else:
        components = data.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    declared = set(schemes) if isinstance(schemes, dict) else set()
    for op in structure.operations:
        requirements = op.value.get("security", data.get("security"))
        if not isinstance(requirements, list):
            continue
        for requirement in requirements:
            for name in requirement if isinstance(requirement, dict) else ():
                if name not in declared:
                    yield Finding.at(
                        "MS109",
                        op.source,
                        op.pointer,
                        f"{op.key}: security scheme {name!r} is not declared",
                    )


def iter_tag_issues(structure: Structure) -> Iterator[Finding]:
    """Each tag is declared once."""
    tags = structure.root.data.get("tags")
    seen: set[Any] = set()
    for index, tag in enumerate(tags if isinstance(tags, list) else ()):
        name = tag.get("name") if isinstance(tag, dict) else None
        if name in seen:
            yield Finding.at(
                "MS124",
                structure.root,
                join_pointer("/tags", index),
                f"tag {name!r} is declared twice",
                "merge the two declarations",
            )
        seen.add(name)


def iter_component_name_issues(structure: Structure) -> Iterator[Finding]:
    """3.0 component names use letters, digits, '.', '-' and '_' (3.1's meta-schema says so
    itself)."""
    components = structure.root.data.get("components")
    if structure.dialect is not Dialect.OPENAPI_3_0 or not isinstance(components, dict):
        return
    for kind, entries in components.items():
        if str(kind).startswith("x-") or not isinstance(entries, dict):
            continue
        for name in entries:
            if not _COMPONENT_NAME.match(str(name)):
                yield Finding.at(
                    "MS129",
                    structure.root,
                    join_pointer("/components", kind, name),
                    f"component name {name!r} may use only letters, digits, '.', '-' and '_'",
                    "rename it, and every $ref to it",
                )


def iter_link_issues(structure: Structure, resolver: RefResolver) -> Iterator[Finding]:
    """A link's operationId or operationRef names an operation that exists."""
    ids = {op.value.get("operationId") for op in structure.operations}
    for link in structure.links:
        operation_id = link.value.get("operationId")
        if isinstance(operation_id, str) and operation_id not in ids:
            yield Finding.at(
                "MS120",
                link.source,
                link.at("operationId"),
                f"the link names operationId {operation_id!r}, which no operation has",
                "use the operationId of an operation in this document",
            )
        ref = link.value.get("operationRef")
        if isinstance(ref, str) and not _is_operation(
            ref, link.source, link.at("operationRef"), resolver
        ):
            yield Finding.at(
                "MS120",
                link.source,
                link.at("operationRef"),
                f"the link's operationRef {ref!r} points at no operation",
                "point at an operation, e.g. '#/paths/~1pets~1{id}/get'",
            )


def _is_operation(ref: str, source: Any, pointer: str, resolver: RefResolver) -> bool:
    try:
        target = resolver.locate(ref, source, pointer)
    except MockserverError as error:
        return error.code == "MS103"  # remote: not ours to judge, reported elsewhere if at all
    return isinstance(target.value, dict) and target.pointer.rsplit("/", 1)[-1] in HTTP_METHODS
