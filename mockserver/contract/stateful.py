"""The stateful phase: writes must stick, for documents whose declaration has a create.

Each case creates a record (a valid create request drawn from the document, in a session
of its own), then checks what any client of a CRUD API relies on:

* ``create_get_agreement``: the get of the new record answers 200 and agrees with what the
  create returned, field for field;
* ``list_after_create``: the list (in the same parent, walking its pages) contains it;
* ``delete_then_not_found``: after the delete answers 2xx, the get answers 404.

Only the document, the declaration and the responses are consulted, never the mock's own
code. Requests carry ``X-Mock-Session`` so that parallel cases, and the other phases, do
not see each other's writes (a provider ignores the header). Writes of the other phases
go to a scratch session (:func:`isolate`), so their reads keep seeing the fixture data.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from mockserver.contract.checks import Failure, Reply
from mockserver.data.declaration import Declaration, OperationBehaviour
from mockserver.generation.requests import RequestFactory
from mockserver.generation.serialize import WireRequest, build_request
from mockserver.spec.model import ApiDocument, Operation
from mockserver.spec.paths import template_pattern, template_variables
from mockserver.spec.pointer import split_pointer

STATEFUL_CHECKS = ("create_get_agreement", "list_after_create", "delete_then_not_found")
SESSION_HEADER = "X-Mock-Session"
#: The session the other phases' writes go to.
SCRATCH_SESSION = "contract-scratch"
MAX_PAGES = 50
_counter = itertools.count()


def isolate(request: WireRequest) -> WireRequest:
    """A write sent by the other phases, moved to the scratch session."""
    if request.method.lower() in ("get", "head", "options") or SESSION_HEADER in request.headers:
        return request
    return replace(request, headers={**request.headers, SESSION_HEADER: SCRATCH_SESSION})


@dataclass(frozen=True)
class _Crud:
    """The operations on one dataset, as the declaration binds them."""

    create: Operation
    id_field: str
    get: tuple[Operation, OperationBehaviour] | None
    listing: tuple[Operation, OperationBehaviour] | None
    delete: tuple[Operation, OperationBehaviour] | None


class _Broken(Exception):
    def __init__(self, failure: Failure, request: WireRequest) -> None:
        super().__init__(failure.check)
        self.failure = failure
        self.request = request


@dataclass
class StatefulPhase:
    """Create-then-read walks for the create operations of one document."""

    document: ApiDocument
    declaration: Declaration
    factory: RequestFactory
    mount: str
    send: Callable[[WireRequest], Reply]

    def run(
        self,
        op: Operation,
        behaviour: OperationBehaviour,
        examples: int,
        seed: int,
        derandomize: bool,
    ) -> tuple[set[str], Failure | None, WireRequest | None]:
        """(checks run, the first failure, its minimal create request)."""
        crud = self._crud(op, behaviour)
        ran = {
            check
            for check, needed in zip(
                STATEFUL_CHECKS, (crud.get, crud.listing, crud.delete and crud.get), strict=True
            )
            if needed
        }
        if not ran:
            return set(), None, None

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=derandomize,
            report_multiple_bugs=False,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(self.factory.valid(op))
        def walk(create: WireRequest) -> None:
            failure = self._walk(crud, create)
            if failure is not None:
                raise _Broken(failure, create)

        if not derandomize:
            walk = hypothesis_seed(seed)(walk)
        try:
            walk()
        except _Broken as broken:
            return ran, broken.failure, broken.request
        return ran, None, None

    # -- one case ------------------------------------------------------------------------

    def _walk(self, crud: _Crud, create: WireRequest) -> Failure | None:
        session = {SESSION_HEADER: f"contract-{next(_counter)}"}
        create = replace(create, headers={**create.headers, **session})
        made = self.send(create)
        record = _json(made)
        if not 200 <= made.status < 300 or not isinstance(record, dict):
            return None  # refused: the other phases judge whether it should have been
        parents = _variables(crud.create.path, create.path[len(self.mount) :])
        key = record.get(crud.id_field)
        if key is None:
            key = _last_segment(made.headers.get("location"))
        if key is None:
            return None
        return next(
            (
                f
                for f in (
                    self._agrees(crud, record, parents, key, session),
                    self._listed(crud, record, parents, key, session),
                    self._deleted(crud, parents, key, session),
                )
                if f is not None
            ),
            None,
        )

    def _agrees(
        self, crud: _Crud, record: dict[str, Any], parents: list[str], key: Any, session: Any
    ) -> Failure | None:
        if crud.get is None:
            return None
        got = self._item(crud.get[0], parents, key, "get", session)
        body = _json(got)
        if got.status != 200 or not isinstance(body, dict):
            return Failure(
                "create_get_agreement",
                f"the record just created ({crud.id_field} {key!r}) cannot be fetched",
                "200 with the record",
                f"{got.status}",
            )
        differ = sorted(k for k in record.keys() & body.keys() if record[k] != body[k])
        if differ:
            return Failure(
                "create_get_agreement",
                f"the get disagrees with the create on {', '.join(differ)}",
                json.dumps({k: record[k] for k in differ})[:300],
                json.dumps({k: body[k] for k in differ})[:300],
            )
        return None

    def _listed(
        self, crud: _Crud, record: dict[str, Any], parents: list[str], key: Any, session: Any
    ) -> Failure | None:
        if crud.listing is None:
            return None
        op, behaviour = crud.listing
        seen = 0
        for items in self._pages(op, behaviour, record, parents, session):
            seen += len(items)
            if any(isinstance(i, dict) and i.get(crud.id_field) == key for i in items):
                return None
        return Failure(
            "list_after_create",
            f"the list does not contain the record just created ({crud.id_field} {key!r})",
            "the new record among the items",
            f"{seen} items without it",
        )

    def _deleted(self, crud: _Crud, parents: list[str], key: Any, session: Any) -> Failure | None:
        if crud.delete is None or crud.get is None:
            return None
        deleted = self._item(crud.delete[0], parents, key, "delete", session)
        if not 200 <= deleted.status < 300:
            return None  # refused: the other phases judge that
        got = self._item(crud.get[0], parents, key, "get", session)
        if got.status != 404:
            return Failure(
                "delete_then_not_found",
                f"{crud.id_field} {key!r} was deleted, yet its get answers {got.status}",
                "404",
                str(got.status),
            )
        return None

    # -- requests ------------------------------------------------------------------------

    def _item(
        self, op: Operation, parents: list[str], key: Any, method: str, session: Any
    ) -> Reply:
        values = _path_values(op, [*parents, str(key)])
        headers = {**self.factory.credentials(op), **self.factory.extra_headers, **session}
        return self.send(build_request(op, self.mount, values, headers))

    def _pages(
        self,
        op: Operation,
        behaviour: OperationBehaviour,
        record: dict[str, Any],
        parents: list[str],
        session: Any,
    ) -> Iterator[list[Any]]:
        """The items of each page of the list, in the new record's parent, filtered only
        where the list requires a filter (by the new record's own values)."""
        values = _path_values(op, parents)
        for flt in behaviour.filters:
            param = op.parameter("query", flt.param or "")
            if param is not None and param.required and flt.field in record:
                value = record[flt.field]
                values[("query", param.name)] = [value] if flt.op == "in" else value
        paging = behaviour.paging
        size = 100
        if paging and paging.size_param:
            values[("query", paging.size_param)] = size = _largest(op, paging.size_param)
        headers = {**self.factory.credentials(op), **self.factory.extra_headers, **session}
        for page in range(MAX_PAGES):
            if paging and paging.style == "page" and paging.page_param:
                values[("query", paging.page_param)] = paging.first + page
            elif paging and paging.style == "offset" and paging.offset_param:
                values[("query", paging.offset_param)] = page * size
            elif page:
                return
            reply = self.send(build_request(op, self.mount, values, headers))
            items = _at(_json(reply), behaviour.items)
            if reply.status != 200 or not isinstance(items, list):
                return
            yield items
            if not items:
                return

    def _crud(self, op: Operation, behaviour: OperationBehaviour) -> _Crud:
        def bound(kind: str) -> tuple[Operation, OperationBehaviour] | None:
            for other in self.declaration.operations.values():
                found = self.document.operation(other.operation_id)
                if other.kind == kind and other.dataset == behaviour.dataset and found:
                    return found, other
            return None

        dataset = self.declaration.datasets[behaviour.dataset]
        listing = bound("list") or bound("search")
        return _Crud(op, dataset.id_field, bound("get"), listing, bound("delete"))


def _variables(template: str, path: str) -> list[str]:
    match = template_pattern(template).fullmatch(path)
    return [unquote(v) for v in match.groups()] if match else []


def _path_values(op: Operation, values: list[str]) -> dict[tuple[str, str], Any]:
    """The operation's path variables, filled in order (names may differ between paths)."""
    names = template_variables(op.path)
    typed: dict[tuple[str, str], Any] = {}
    for name, value in zip(names, values[-len(names) :] if names else [], strict=False):
        param = op.parameter("path", name)
        schema = param.schema.value if param is not None and param.schema is not None else {}
        wanted = schema.get("type") if isinstance(schema, dict) else None
        typed[("path", name)] = int(value) if wanted == "integer" and _integer(value) else value
    return typed


def _largest(op: Operation, name: str) -> int:
    param = op.parameter("query", name)
    schema = param.schema.value if param is not None and param.schema is not None else {}
    maximum = schema.get("maximum") if isinstance(schema, dict) else None
    return int(maximum) if isinstance(maximum, int | float) and maximum < 1000 else 100


def _integer(text: str) -> bool:
    return re.fullmatch(r"-?\d+", text) is not None


def _json(reply: Reply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def _at(body: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        body = body.get(token) if isinstance(body, Mapping) else None
    return body


def _last_segment(location: str | None) -> str | None:
    return unquote(location.rstrip("/").rsplit("/", 1)[-1]) if location else None
