"""Which records a request selects: its scope (a parent's id in the path), its filters, and
the order it asks for."""

from __future__ import annotations

from mockserver.data.dataset import Record
from mockserver.data.declaration import OperationBehaviour
from mockserver.data.filters import FilterValueError, filter_value, record_matcher
from mockserver.data.sorting import sort_keys, sort_value
from mockserver.serve.problems import InvalidRequest, Problem, Violation
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView
from mockserver.spec.sentinel import NOT_SENT


def scoped(
    behaviour: OperationBehaviour,
    request: MockRequest,
    records: list[Record],
    view: SessionView,
) -> list[Record]:
    """The records under the parent the request's path names; raises 404 if it is unknown."""
    index = view.index(behaviour.dataset)
    parent = index.dataset.parent
    if not behaviour.scope or not (index.scopes or parent):
        return records
    wanted = str(request.value(behaviour.scope, "path"))
    known = view.index(parent).by_id if parent else index.scope_values
    if wanted not in known:
        raise Problem(404, f"{behaviour.scope} {wanted!r} was not found")
    return [r for r in records if index.scopes.get(id(r)) == wanted]


def selected(
    behaviour: OperationBehaviour,
    request: MockRequest,
    view: SessionView,
    records: list[Record] | None = None,
) -> list[Record]:
    """The records passing the scope and every filter, in the order given."""
    index = view.index(behaviour.dataset)
    every = index.records if records is None else records
    found = scoped(behaviour, request, every, view)
    violations: list[Violation] = []
    for flt in behaviour.filters:
        value = filter_value(flt, request)
        if isinstance(value, list):
            value = [v for v in value if v != ""]
        if value is NOT_SENT or value is None or value in ([], ""):
            continue  # an empty search filters nothing
        try:
            matcher = record_matcher(flt, value, index.dataset, request, index.time_of)
        except FilterValueError as bad:
            violations.append(Violation(bad.location, bad.name, "", bad.message, "value_error"))
            continue
        if matcher is not None:
            found = [r for r in found if matcher(r)]
    if violations:
        raise InvalidRequest(violations)
    return found


def matching(
    behaviour: OperationBehaviour, request: MockRequest, view: SessionView
) -> tuple[list[Record], tuple[str, str]]:
    """The records the request selects, in the order it asks for, and that order."""
    ordered, sort = in_order(behaviour, request, view)
    return selected(behaviour, request, view, ordered), sort


def in_order(
    behaviour: OperationBehaviour, request: MockRequest, view: SessionView
) -> tuple[list[Record], tuple[str, str]]:
    """Every record in the requested order, and (field as requested, direction) to echo."""
    index = view.index(behaviour.dataset)
    keys = sort_keys(behaviour.sort, request, index.dataset)
    unknown = [
        name for name, path, _ in keys if index.records and path.split(".")[0] not in index.fields
    ]
    if unknown:
        where = behaviour.sort.param or "sort"
        raise InvalidRequest(
            (Violation("query", where, "", f"cannot sort by {unknown[0]!r}", "enum"),)
        )
    ordered = index.ordered(tuple((path, direction) for _, path, direction in keys), sort_value)
    echo = (keys[0][0], keys[0][2]) if keys else ("", "")
    return ordered, echo
