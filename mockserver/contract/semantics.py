"""Semantic properties of the audit-log contracts, derived from behaviour declarations.

A declaration says which parameter filters which field, how pages are cut and sorted, and
which operation fetches one record; these checks hold any server (the mock or a real
provider) to those meanings. Each expectation comes from the declaration, the typed values
the contract drew for the request, and the response, read by :mod:`.oracle`: nothing of
the server's own code judges the server. Only ``dataset_agreement`` needs the mock's own
records, so it is skipped against a real provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from mockserver.contract import oracle
from mockserver.contract.checks import Failure, Reply
from mockserver.data.dataset import Record
from mockserver.data.declaration import (
    SEMANTIC_CHECKS,
    Dataset,
    Declaration,
    Filter,
    OperationBehaviour,
)
from mockserver.generation.serialize import Drawn, WireRequest, text
from mockserver.spec.model import Operation
from mockserver.spec.pointer import resolve_pointer

LIST_CHECKS = SEMANTIC_CHECKS
GET_CHECKS = ("determinism",)
STATEFUL = ("paging_completeness", "list_get_agreement", "dataset_agreement")
MOCK_ONLY = ("dataset_agreement",)
MAX_PAGES = 80
MAX_GETS = 5
MAX_SORTED = 200  # entries compared pairwise for sort_order

Send = Callable[[WireRequest], Reply]


@dataclass(frozen=True)
class SemanticContext:
    """What the semantic checks of one operation need."""

    op: Operation
    behaviour: OperationBehaviour
    declaration: Declaration
    mount: str
    base_url: str
    records: Mapping[str, list[Record]] | None  # the mock's data; None against a provider
    get: tuple[Operation, OperationBehaviour] | None  # the get of the same dataset

    @property
    def dataset(self) -> Dataset:
        """The dataset the operation serves."""
        return self.declaration.datasets[self.behaviour.dataset]


def applicable(behaviour: OperationBehaviour, in_process: bool) -> tuple[str, ...]:
    """The semantic checks to run for an operation."""
    default = (
        LIST_CHECKS
        if behaviour.kind in ("list", "search")
        else (GET_CHECKS if behaviour.kind == "get" else ())
    )
    chosen = behaviour.checks if behaviour.checks is not None else default
    return tuple(c for c in chosen if in_process or c not in MOCK_ONLY)


def run_semantics(
    names: tuple[str, ...], context: SemanticContext, request: WireRequest, reply: Reply, send: Send
) -> list[Failure]:
    """The named semantic checks on one successful exchange of a generated request."""
    if not 200 <= reply.status < 300 or request.drawn is None:
        return []
    try:
        body = reply.json()
    except ValueError:
        return []
    failures: list[Failure] = []
    for name in names:
        failures.extend(_CHECKS[name](context, request, request.drawn, body, send))
    return failures


# -- the checks -------------------------------------------------------------------------


def filter_soundness(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """Every entry returned satisfies every filter sent."""
    items = _items(context, body)
    for flt, value, matcher in _matchers(context, drawn):
        for index, item in enumerate(items):
            if matcher is not None and _checkable(flt, item) and not matcher(item):
                name = flt.param or f"body {flt.body}"
                return [
                    Failure(
                        "filter_soundness",
                        f"entry {index} does not satisfy {name}={value!r} ({flt.op} on "
                        f"{flt.field or flt.fields})",
                        f"only entries matching {name}",
                        _short(item),
                    )
                ]
    return []


def page_limits(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """No page holds more entries than the size asked for (or the documented default)."""
    size = _page_size(context, drawn)
    items = _items(context, body)
    if size is not None and len(items) > size:
        return [
            Failure(
                "page_limits",
                f"{len(items)} entries on a page of {size}",
                f"at most {size}",
                str(len(items)),
            )
        ]
    return []


def sort_order(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """Entries come in the order asked for."""
    keys = oracle.sort_keys(context.behaviour.sort, drawn)
    if not keys:
        return []
    items = _items(context, body)[:MAX_SORTED]
    found = oracle.misordered(items, keys, context.dataset)
    if found is None:
        return []
    earlier, later, key = found
    return [
        Failure(
            "sort_order",
            f"entries {earlier} and {later} are out of {key.direction} order by {key.name}",
            f"{key.direction} by {key.name}",
            f"{oracle.first_value(items[earlier], key.path)!r} then "
            f"{oracle.first_value(items[later], key.path)!r}",
        )
    ]


def paging_completeness(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """Walking every page returns each matching entry exactly once, and totals agree."""
    pages = _walk(context, wire, drawn, send)
    if isinstance(pages, Failure):
        return [pages]
    ids = [_item_id(context, item) for page in pages for item in _items(context, page)]
    repeated = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if repeated:
        return [
            Failure(
                "paging_completeness",
                f"entry {repeated[0]!r} appears on more than one page",
                "each entry once",
                f"{len(ids)} entries, {len(set(ids))} distinct",
            )
        ]
    total = _total(context, pages[0])
    if total is not None and total != len(ids):
        return [
            Failure(
                "paging_completeness",
                f"the pages hold {len(ids)} entries but the total says {total}",
                str(total),
                str(len(ids)),
            )
        ]
    return []


def list_get_agreement(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """Every listed entry can be fetched by its id, and the fetch shows the same fields."""
    if context.get is None:
        return []
    get_op, get_behaviour = context.get
    for item in _items(context, body)[:MAX_GETS]:
        path = get_op.path
        identifier = item.get(context.dataset.id_field)
        if identifier is None or not get_behaviour.param:
            continue
        path = path.replace("{" + get_behaviour.param + "}", _quote(identifier))
        for (location, name), value in drawn.params.items():  # the scope, e.g. the org id
            if location == "path":
                path = path.replace("{" + name + "}", _quote(text(value)))
        reply = send(WireRequest("get", context.mount + path, (), _auth_headers(wire)))
        if reply.status != 200:
            return [
                Failure(
                    "list_get_agreement",
                    f"listed entry {identifier!r} could not be fetched: {reply.status}",
                    "200",
                    str(reply.status),
                )
            ]
        detail = reply.json()
        different = [k for k in item if detail.get(k) != item[k]]
        if different:
            key = different[0]
            return [
                Failure(
                    "list_get_agreement",
                    f"entry {identifier!r}: {key} differs between the list and the get",
                    _short(item.get(key)),
                    _short(detail.get(key)),
                )
            ]
    return []


def determinism(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """The same request twice gives the same body."""
    again = send(wire)
    try:
        second = again.json()
    except ValueError:
        second = None
    if again.status != 200 or second != body:
        return [
            Failure(
                "determinism",
                "the same request gave a different answer",
                _short(body),
                _short(second),
            )
        ]
    return []


def dataset_agreement(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, body: Any, send: Send
) -> list[Failure]:
    """(Mock only) the total counts exactly the dataset records the filters select."""
    if context.records is None:
        return []
    total = _total(context, body)
    if total is None:
        return []
    records = context.records[context.behaviour.dataset]
    dataset = context.dataset
    if context.behaviour.scope and dataset.scope_field:
        scope = oracle.text(drawn.param(context.behaviour.scope, "path"))
        field = dataset.scope_field
        records = [r for r in records if oracle.text(oracle.first_value(r, field)) == scope]
    for _, _, matcher in _matchers(context, drawn):
        if matcher is None:
            return []  # a filter the declaration does not settle: the count is unknown
        records = [r for r in records if matcher(r)]
    if total != len(records):
        return [
            Failure(
                "dataset_agreement",
                f"the total is {total} but {len(records)} records match",
                str(len(records)),
                str(total),
            )
        ]
    return []


_CHECKS: dict[str, Callable[..., list[Failure]]] = {
    "filter_soundness": filter_soundness,
    "page_limits": page_limits,
    "sort_order": sort_order,
    "paging_completeness": paging_completeness,
    "list_get_agreement": list_get_agreement,
    "determinism": determinism,
    "dataset_agreement": dataset_agreement,
}


# -- helpers ----------------------------------------------------------------------------


def _items(context: SemanticContext, body: Any) -> list[dict[str, Any]]:
    try:
        found = resolve_pointer(body, context.behaviour.items)
    except (LookupError, TypeError):
        return []
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _matchers(
    context: SemanticContext, drawn: Drawn
) -> Iterator[tuple[Filter, Any, oracle.Predicate | None]]:
    """(filter, value sent, predicate or None when not judged) for every filter sent."""
    for flt in context.behaviour.filters:
        value = oracle.filter_value(flt, drawn)
        if oracle.is_sent(value):
            yield flt, value, oracle.predicate(flt, value, context.dataset, drawn)


def _checkable(flt: Any, item: dict[str, Any]) -> bool:
    """Whether the entry carries the fields the filter reads (lists may project them away)."""
    if flt.op in ("object-match", "statements", "column-values"):
        fields = flt.fields.values() if isinstance(flt.fields, dict) else (flt.fields or [])
        paths = [p for f in fields for p in (f.values() if isinstance(f, dict) else [f])]
        return all(oracle.field_values(item, p) or p.split(".")[0] in item for p in paths)
    if flt.op in ("search", "contains") and isinstance(flt.fields, list):
        return all(f.split(".")[0] in item for f in flt.fields)
    return bool(flt.field) and flt.field.split(".")[0] in item


def _page_size(context: SemanticContext, drawn: Drawn) -> int | None:
    paging = context.behaviour.paging
    return None if paging is None else oracle.page_size(paging, drawn)


def _pointer_of(context: SemanticContext, expression: str) -> str | None:
    """Where the declaration writes ``expression`` (``$page.next``) in the body."""
    for pointer, template in context.behaviour.set.items():
        if template == expression:
            return pointer
        if isinstance(template, dict):
            for key, value in template.items():
                if value == expression:
                    return f"{pointer}/{key}"
    return None


def _total(context: SemanticContext, body: Any) -> int | None:
    pointer = _pointer_of(context, "$page.total")
    if pointer is None:
        return None
    try:
        value = resolve_pointer(body, pointer)
    except (LookupError, TypeError):
        return None
    return value if isinstance(value, int) else None


def _walk(
    context: SemanticContext, wire: WireRequest, drawn: Drawn, send: Send
) -> list[Any] | Failure:
    """Every page for the request's filters, from the first."""
    paging = context.behaviour.paging
    if paging is None:
        reply = send(wire)
        return [reply.json()] if reply.status == 200 else []
    size = _page_size(context, drawn) or oracle.DEFAULT_PAGE_SIZE
    drop = {p for p in (paging.page_param, paging.offset_param, paging.cursor_param) if p}
    base = [(k, v) for k, v in wire.query if k not in drop]
    pages: list[Any] = []
    next_pointer = _pointer_of(context, "$page.next")
    current = WireRequest(wire.method, wire.path, tuple(base), wire.headers, wire.body)
    if paging.style == "page" and paging.page_param:
        current = _with_query(current, {paging.page_param: str(paging.first)})
    for number in range(MAX_PAGES):
        reply = send(current)
        if reply.status != 200:
            return Failure(
                "paging_completeness",
                f"page {number + 1} was answered {reply.status}",
                "200",
                str(reply.status),
            )
        page = reply.json()
        pages.append(page)
        items = _items(context, page)
        following = _following(context, current, page, items, size, next_pointer, number)
        if following is None:
            return pages
        current = following
    return Failure(
        "paging_completeness",
        f"paging did not end after {MAX_PAGES} pages",
        "a last page",
        f"{MAX_PAGES}+ pages",
    )


def _following(
    context: SemanticContext,
    current: WireRequest,
    page: Any,
    items: list[Any],
    size: int,
    next_pointer: str | None,
    number: int,
) -> WireRequest | None:
    paging = context.behaviour.paging
    assert paging is not None
    if next_pointer is not None:
        try:
            href = resolve_pointer(page, next_pointer)
        except (LookupError, TypeError):
            return None
        return _from_link(context, current, str(href))
    if not items or len(items) < size:
        return None
    if paging.style == "page" and paging.page_param:
        return _with_query(current, {paging.page_param: str(paging.first + number + 1)})
    if paging.style == "offset" and paging.offset_param:
        return _with_query(current, {paging.offset_param: str((number + 1) * size)})
    return None


def _from_link(context: SemanticContext, current: WireRequest, href: str) -> WireRequest:
    absolute = urljoin(context.base_url.rstrip("/") + "/", href)
    parts = urlsplit(absolute)
    base_path = urlsplit(context.base_url).path.rstrip("/")
    path = parts.path[len(base_path) :] if parts.path.startswith(base_path) else parts.path
    return WireRequest(
        current.method,
        path,
        tuple(parse_qsl(parts.query, keep_blank_values=True)),
        current.headers,
        current.body,
    )


def _with_query(request: WireRequest, values: Mapping[str, str]) -> WireRequest:
    query = tuple((k, v) for k, v in request.query if k not in values) + tuple(values.items())
    return WireRequest(request.method, request.path, query, request.headers, request.body)


def _item_id(context: SemanticContext, item: dict[str, Any]) -> Any:
    return item.get(context.dataset.id_field, repr(sorted(item.items()))[:200])


def _auth_headers(wire: WireRequest) -> dict[str, str]:
    return {k: v for k, v in wire.headers.items() if k.lower() not in ("content-type",)}


def _quote(value: Any) -> str:
    return quote(str(value), safe="")


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
