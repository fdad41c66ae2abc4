"""The list and search behaviours: the selected records in order, one page of them, in the
operation's envelope, with the links to the next page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.data.dataset import Record
from mockserver.data.declaration import OperationBehaviour
from mockserver.data.templates import Facts
from mockserver.serve.behaviour.bodies import Bodies
from mockserver.serve.behaviour.query import int_value, url_with
from mockserver.serve.behaviour.result import BehaviourResult
from mockserver.serve.behaviour.selection import matching
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView


@dataclass(frozen=True)
class Page:
    """One page of a list, and what its templates may say of it."""

    records: list[Record]
    total: int
    number: int
    size: int
    offset: int
    next_url: str | None
    self_url: str

    def facts(self) -> dict[str, Any]:
        """What ``$page.*`` templates read."""
        return {
            "count": len(self.records),
            "total": self.total,
            "number": self.number,
            "size": self.size,
            "offset": self.offset,
            "from": self.offset + 1 if self.records else 0,
            "to": self.offset + len(self.records),
            "next": self.next_url,
            "self": self.self_url,
        }


def list_records(
    bodies: Bodies, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
) -> BehaviourResult:
    """One page of the records the request selects, in its envelope."""
    records, sort = matching(behaviour, request, view)
    page = _page(behaviour, request, records, view)
    index = view.index(behaviour.dataset)
    items = [bodies.projected(behaviour, r, index) for r in page.records]
    facts = Facts(request, page=page.facts(), sort=sort)
    return BehaviourResult(200, bodies.envelope(behaviour, items, facts))


def _page(
    behaviour: OperationBehaviour,
    request: MockRequest,
    records: list[Record],
    view: SessionView,
) -> Page:
    paging = behaviour.paging
    total = len(records)
    self_url = url_with(request, {})
    if paging is None:
        return Page(records, total, 0, total, 0, None, self_url)
    requested = int_value(request.value(paging.size_param)) if paging.size_param else None
    size = requested or paging.page_size
    number, offset = 0, 0
    if paging.style == "page":
        chosen = int_value(request.value(paging.page_param)) if paging.page_param else None
        number = paging.first if chosen is None else chosen
        offset = max(number - paging.first, 0) * size
    elif paging.style == "offset":
        offset = (int_value(request.value(paging.offset_param)) or 0) if paging.offset_param else 0
    chunk = records[offset : offset + size]
    next_url = _next_url(
        behaviour, request, view, chunk, offset + size < total, number, offset, size
    )
    return Page(chunk, total, number, size, offset, next_url, self_url)


def _next_url(
    behaviour: OperationBehaviour,
    request: MockRequest,
    view: SessionView,
    chunk: list[Record],
    more: bool,
    number: int,
    offset: int,
    size: int,
) -> str | None:
    paging = behaviour.paging
    if paging is None or not more or not chunk:
        return None
    if paging.style == "cursor" and paging.cursor_param:
        index = view.index(behaviour.dataset)
        last = index.time_of(chunk[-1]) if index.dataset.time else None
        cursor = last if last is not None else chunk[-1].get(index.dataset.id_field)
        return url_with(request, {paging.cursor_param: str(cursor)})
    if paging.style == "page" and paging.page_param:
        return url_with(request, {paging.page_param: str(number + 1)})
    if paging.offset_param:
        return url_with(request, {paging.offset_param: str(offset + size)})
    return None
