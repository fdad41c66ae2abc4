"""What an operation does with its dataset: list, search, get, count, export.

The behaviours are generic; a fixture folder's declaration says which operation does
what, which parameters filter which record fields, and how pages are cut. Nothing here
knows any vendor.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from mockserver.data.binding import json_media, success_response
from mockserver.data.dataset import Record, project
from mockserver.data.declaration import Dataset, Declaration, Filter, OperationBehaviour
from mockserver.data.index import DatasetIndex
from mockserver.data.records import epoch_ms, field_value, field_values, record_time
from mockserver.serve.error_shapes import Problem, Violation
from mockserver.serve.jobs import JobStore
from mockserver.serve.plan import OperationPlan
from mockserver.serve.request import MockRequest
from mockserver.spec.model import ApiDocument
from mockserver.spec.navigate import at_pointer, child, declared_properties
from mockserver.spec.params import MISSING
from mockserver.spec.pointer import resolve_pointer, split_pointer

ABSENT: Any = object()
JOB_NAMESPACE = uuid.UUID("6f6b3c52-54a1-4c39-9d32-3a4d5b0d7e11")


@dataclass(frozen=True)
class Reply:
    """A successful behaviour result: a JSON value, or text with its media type."""

    status: int
    body: Any
    media_type: str | None = None


@dataclass(frozen=True)
class _Page:
    records: list[Record]
    total: int
    number: int
    size: int
    offset: int
    next_url: str | None
    self_url: str


@dataclass
class _Context:
    """Values the ``set`` expressions of a declaration may read."""

    request: MockRequest
    page: _Page | None = None
    sort: tuple[str, str] = ("", "")
    job: Mapping[str, Any] = field(default_factory=dict)
    count: Mapping[str, Any] = field(default_factory=dict)


class BehaviourEngine:
    """Runs declared behaviours over one document's datasets."""

    def __init__(
        self,
        declaration: Declaration,
        document: ApiDocument,
        records: Mapping[str, list[Record]],
        jobs: JobStore,
    ) -> None:
        self.declaration = declaration
        self.document = document
        self.records = records
        self.jobs = jobs
        self._projections: dict[str, set[str] | None] = {}
        self._indexes: dict[str, DatasetIndex] = {}
        self._served: dict[tuple[str, int], Record] = {}
        for behaviour in declaration.operations.values():
            self._projections[behaviour.operation_id] = self._projection(behaviour)

    def run(self, plan: OperationPlan, request: MockRequest) -> Reply | Problem:
        """The reply for ``request`` to the operation ``plan`` describes."""
        behaviour = plan.behaviour
        assert behaviour is not None
        handler: Callable[[OperationBehaviour, MockRequest], Reply | Problem] = {
            "list": self._list,
            "search": self._list,
            "get": self._get,
            "count": self._count,
            "export": self._export,
            "export-create": self._export_create,
            "export-status": self._export_status,
            "export-download": self._export_download,
        }[behaviour.behaviour]
        return handler(behaviour, request)

    # -- selection --------------------------------------------------------------------

    def _dataset(self, behaviour: OperationBehaviour) -> Dataset:
        return self.declaration.datasets[behaviour.dataset]

    def _index(self, name: str) -> DatasetIndex:
        if name not in self._indexes:
            self._indexes[name] = DatasetIndex(self.declaration.datasets[name], self.records[name])
        return self._indexes[name]

    def _scoped(
        self, behaviour: OperationBehaviour, request: MockRequest, records: list[Record]
    ) -> list[Record] | Problem:
        index = self._index(behaviour.dataset)
        if not behaviour.scope or not index.scopes:
            return records
        wanted = str(request.value(behaviour.scope, "path"))
        if wanted not in index.scope_values:
            return Problem(404, f"{behaviour.scope} {wanted!r} was not found")
        return [r for r in records if index.scopes.get(id(r)) == wanted]

    def _selected(
        self,
        behaviour: OperationBehaviour,
        request: MockRequest,
        records: list[Record] | None = None,
    ) -> list[Record] | Problem:
        """The records passing the scope and every filter, in the order given."""
        index = self._index(behaviour.dataset)
        scoped = self._scoped(behaviour, request, index.records if records is None else records)
        if isinstance(scoped, Problem):
            return scoped
        violations: list[Violation] = []
        for flt in behaviour.filters:
            value = filter_value(flt, request)
            if value is MISSING or value is None or value == []:
                continue
            matcher = record_matcher(flt, value, index.dataset, request, violations, index.time_of)
            if matcher is not None:
                scoped = [r for r in scoped if matcher(r)]
        if violations:
            return Problem(400, "The request does not match the API description", tuple(violations))
        return scoped

    # -- list -------------------------------------------------------------------------

    def _matching(
        self, behaviour: OperationBehaviour, request: MockRequest
    ) -> tuple[list[Record] | Problem, tuple[str, str]]:
        """The records the request selects, in the order it asks for, and that order."""
        ordered, sort = self._sorted(behaviour, request)
        if isinstance(ordered, Problem):
            return ordered, sort
        return self._selected(behaviour, request, ordered), sort

    def _list(self, behaviour: OperationBehaviour, request: MockRequest) -> Reply | Problem:
        records, sort = self._matching(behaviour, request)
        if isinstance(records, Problem):
            return records
        page = self._page(behaviour, request, records)
        items = [self._projected(behaviour, r) for r in page.records]
        context = _Context(request, page=page, sort=sort)
        return Reply(200, self._envelope(behaviour, items, context))

    def _sorted(
        self, behaviour: OperationBehaviour, request: MockRequest
    ) -> tuple[list[Record] | Problem, tuple[str, str]]:
        """Every record in the requested order, and (field as requested, direction) to echo."""
        index = self._index(behaviour.dataset)
        keys = sort_keys(behaviour.sort, request, index.dataset)
        unknown = [
            name
            for name, path, _ in keys
            if index.records and path.split(".")[0] not in index.fields
        ]
        if unknown:
            violation = Violation(
                "query",
                behaviour.sort.param or "sort",
                "",
                f"cannot sort by {unknown[0]!r}",
                "enum",
            )
            problem = Problem(400, "The request does not match the API description", (violation,))
            return problem, ("", "")
        ordered = index.ordered(tuple((path, direction) for _, path, direction in keys), sort_value)
        echo = (keys[0][0], keys[0][2]) if keys else ("", "")
        return ordered, echo

    def _projected(self, behaviour: OperationBehaviour, record: Record) -> Record:
        """The record as the operation serves it, computed once per record."""
        key = (behaviour.operation_id, id(record))
        if key not in self._served:
            self._served[key] = project(record, self._projections[behaviour.operation_id])
        return self._served[key]

    def _page(
        self, behaviour: OperationBehaviour, request: MockRequest, records: list[Record]
    ) -> _Page:
        paging = behaviour.paging
        total = len(records)
        self_url = _url(request, {})
        if paging is None:
            return _Page(records, total, 0, total, 0, None, self_url)
        requested = _int(request.value(paging.size_param)) if paging.size_param else None
        size = requested or paging.default_size or 20
        number, offset = 0, 0
        if paging.style == "page":
            chosen = _int(request.value(paging.page_param)) if paging.page_param else None
            number = paging.first if chosen is None else chosen
            offset = max(number - paging.first, 0) * size
        elif paging.style == "offset":
            offset = (_int(request.value(paging.offset_param)) or 0) if paging.offset_param else 0
        chunk = records[offset : offset + size]
        next_url = self._next_url(
            behaviour, request, chunk, offset + size < total, number, offset, size
        )
        return _Page(chunk, total, number, size, offset, next_url, self_url)

    def _next_url(
        self,
        behaviour: OperationBehaviour,
        request: MockRequest,
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
            index = self._index(behaviour.dataset)
            last = index.time_of(chunk[-1]) if index.dataset.time else None
            cursor = last if last is not None else chunk[-1].get(index.dataset.id_field)
            return _url(request, {paging.cursor_param: str(cursor)})
        if paging.style == "page" and paging.page_param:
            return _url(request, {paging.page_param: str(number + 1)})
        if paging.offset_param:
            return _url(request, {paging.offset_param: str(offset + size)})
        return None

    # -- get --------------------------------------------------------------------------

    def _get(self, behaviour: OperationBehaviour, request: MockRequest) -> Reply | Problem:
        index = self._index(behaviour.dataset)
        wanted = request.value(behaviour.param or index.dataset.id_field)
        record = index.by_id.get(str(wanted))
        found = self._scoped(behaviour, request, [record] if record is not None else [])
        if isinstance(found, Problem):
            return found
        if not found:
            name = behaviour.param or index.dataset.id_field
            return Problem(404, f"{name} {wanted!r} was not found")
        body = self._projected(behaviour, found[0])
        return Reply(200, self._apply_set(behaviour, body, _Context(request)))

    # -- count ------------------------------------------------------------------------

    def _count(self, behaviour: OperationBehaviour, request: MockRequest) -> Reply | Problem:
        records = self._selected(behaviour, request)
        if isinstance(records, Problem):
            return records
        dataset = self._dataset(behaviour)
        spec = behaviour.buckets
        assert spec is not None
        times = [t for t in (record_time(r, dataset.time) for r in records) if t is not None]
        all_times = [
            t
            for t in (record_time(r, dataset.time) for r in self.records[behaviour.dataset])
            if t is not None
        ]
        start = _int(request.value(spec.start)) if spec.start else None
        end = _int(request.value(spec.end)) if spec.end else None
        start = min(times, default=0) if start is None else start
        end = (max(all_times, default=start) + 1) if end is None else end
        count = _int(request.value(spec.param)) if spec.param else None
        count = max(count or spec.default, 1)
        interval = max(math.ceil(max(end - start, 1) / count), 1)
        buckets = [{spec.timestamp: start + i * interval, spec.count: 0} for i in range(count)]
        for moment in times:
            index = (moment - start) // interval
            if 0 <= index < count:
                buckets[index][spec.count] += 1
        context = _Context(
            request, count={"total": sum(b[spec.count] for b in buckets), "interval": interval}
        )
        body = self._envelope(behaviour, buckets, context, pointer=spec.items)
        return Reply(200, body)

    # -- exports ----------------------------------------------------------------------

    def _export(self, behaviour: OperationBehaviour, request: MockRequest) -> Reply | Problem:
        ordered, _ = self._matching(behaviour, request)
        if isinstance(ordered, Problem):
            return ordered
        if behaviour.format == "csv":
            return Reply(200, _csv(ordered, behaviour.columns), "text/csv")
        return Reply(200, _json_lines(ordered), "application/x-ndjson")

    def _export_create(
        self, behaviour: OperationBehaviour, request: MockRequest
    ) -> Reply | Problem:
        ordered, _ = self._matching(behaviour, request)
        if isinstance(ordered, Problem):
            return ordered
        dataset = self._dataset(behaviour)
        ids = [str(r[dataset.id_field]) for r in ordered]
        job_id = str(uuid.uuid5(JOB_NAMESPACE, json.dumps([behaviour.dataset, ids])))
        job = self.jobs.create(
            job_id,
            {
                "dataset": behaviour.dataset,
                "ids": ids,
                "org": request.headers.get("x-org-name", ""),
            },
        )
        context = _Context(request, job=self._job_facts(job, request))
        return Reply(200, self._apply_set(behaviour, {}, context))

    def _export_status(
        self, behaviour: OperationBehaviour, request: MockRequest
    ) -> Reply | Problem:
        job = self._job(behaviour, request)
        if isinstance(job, Problem):
            return job
        context = _Context(request, job=self._job_facts(job, request))
        return Reply(200, self._apply_set(behaviour, {}, context))

    def _export_download(
        self, behaviour: OperationBehaviour, request: MockRequest
    ) -> Reply | Problem:
        job = self._job(behaviour, request)
        if isinstance(job, Problem):
            return job
        dataset = self.declaration.datasets[job["dataset"]]
        by_id = {str(r[dataset.id_field]): r for r in self.records[job["dataset"]]}
        records = [by_id[i] for i in job["ids"] if i in by_id]
        if behaviour.format == "csv":
            return Reply(200, _csv(records, behaviour.columns), "text/csv")
        return Reply(200, _json_lines(records), "application/x-ndjson")

    def _job(
        self, behaviour: OperationBehaviour, request: MockRequest
    ) -> Mapping[str, Any] | Problem:
        job_id = str(request.value(behaviour.param or "job_id"))
        job = self.jobs.get(job_id)
        if job is None:
            return Problem(404, f"export job {job_id!r} was not found")
        return job

    def _job_facts(self, job: Mapping[str, Any], request: MockRequest) -> dict[str, Any]:
        download = next(
            (b for b in self.declaration.operations.values() if b.behaviour == "export-download"),
            None,
        )
        url = None
        if download is not None:
            op = self.document.operation(download.operation_id)
            if op is not None and download.param:
                path = op.path.replace("{" + download.param + "}", str(job["id"]))
                url = request.raw.mount + path
        org = str(uuid.uuid5(JOB_NAMESPACE, "org:" + str(job.get("org", ""))))
        return {**job, "count": len(job["ids"]), "download_url": url, "org_id": org}

    # -- bodies -----------------------------------------------------------------------

    def _projection(self, behaviour: OperationBehaviour) -> set[str] | None:
        op = self.document.operation(behaviour.operation_id)
        media = json_media(success_response(op)) if op else None
        if media is None or media.schema is None:
            return None
        registry = self.document.registry
        if behaviour.behaviour == "get":
            return declared_properties(media.schema, registry)
        if behaviour.behaviour in ("list", "search"):
            array = at_pointer(media.schema, registry, behaviour.items)
            item = child(array, registry, "0") if array else None
            return declared_properties(item, registry) if item else None
        return None

    def _envelope(
        self,
        behaviour: OperationBehaviour,
        items: list[Any],
        context: _Context,
        pointer: str | None = None,
    ) -> Any:
        where = behaviour.items if pointer is None else pointer
        if not where:
            return items
        body: dict[str, Any] = {}
        _put(body, where, items)
        return self._apply_set(behaviour, body, context)

    def _apply_set(self, behaviour: OperationBehaviour, body: Any, context: _Context) -> Any:
        for pointer, template in behaviour.set.items():
            value = _evaluate(template, context)
            if value is not ABSENT:
                _put(body, pointer, value)
        return body


# -- filters --------------------------------------------------------------------------


def record_matcher(
    flt: Filter,
    value: Any,
    dataset: Dataset,
    request: MockRequest,
    violations: list[Violation],
    time_of: Callable[[Record], int | None] | None = None,
) -> Callable[[Record], bool] | None:
    """A predicate keeping the records ``flt`` lets through for ``value``; None when the
    value filters nothing. Problems with the value are appended to ``violations``."""
    time_field = dataset.time.field if dataset.time else None
    if flt.op in ("lt", "lte", "gt", "gte", "eq") and flt.field == time_field:
        return _time_matcher(flt.op, value, time_of or (lambda r: record_time(r, dataset.time)))
    ops: dict[str, Callable[[], Callable[[Record], bool] | None]] = {
        "eq": lambda: lambda r: any(_same(v, value) for v in field_values(r, flt.field or "")),
        "in": lambda: lambda r: any(
            _same(v, w) for v in field_values(r, flt.field or "") for w in _listed(value)
        ),
        "lt": lambda: _compare(flt, value, lambda a, b: a < b),
        "lte": lambda: _compare(flt, value, lambda a, b: a <= b),
        "gt": lambda: _compare(flt, value, lambda a, b: a > b),
        "gte": lambda: _compare(flt, value, lambda a, b: a >= b),
        "search": lambda: _search(flt, value, dataset),
        "contains": lambda: _search(flt, value, dataset),
        "glob": lambda: lambda r: any(
            _glob(v, p) for v in field_values(r, flt.field or "") for p in _listed(value)
        ),
        "object-match": lambda: _object_match(flt, value),
        "column-values": lambda: _column_values(flt, value, request, violations),
        "statements": lambda: _statements(flt, value),
    }
    return ops[flt.op]()


def filter_value(flt: Filter, request: MockRequest) -> Any:
    """The value a filter reads from the request (a parameter, or a body field)."""
    if flt.param:
        return request.value(flt.param)
    try:
        return resolve_pointer(request.body, flt.body or "")
    except (LookupError, TypeError):
        return MISSING


def _same(a: Any, b: Any) -> bool:
    return a == b or str(a) == str(b)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _time_matcher(
    op: str, value: Any, time_of: Callable[[Record], int | None]
) -> Callable[[Record], bool]:
    bound = epoch_ms(value)
    compare: Callable[[int, int], bool] = {
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "eq": lambda a, b: a == b,
    }[op]

    def match(record: Record) -> bool:
        moment = time_of(record)
        return moment is not None and bound is not None and compare(moment, bound)

    return match


def _compare(
    flt: Filter, value: Any, compare: Callable[[Any, Any], bool]
) -> Callable[[Record], bool]:
    def match(record: Record) -> bool:
        for candidate in field_values(record, flt.field or ""):
            try:
                if compare(candidate, value):
                    return True
            except TypeError:
                if compare(str(candidate), str(value)):
                    return True
        return False

    return match


def _search(flt: Filter, value: Any, dataset: Dataset) -> Callable[[Record], bool]:
    fields = flt.fields if isinstance(flt.fields, list) else [flt.field] if flt.field else []
    needle = str(value) if flt.case_sensitive else str(value).lower()

    def match(record: Record) -> bool:
        for path in fields:
            for candidate in field_values(record, path):
                text = str(candidate) if flt.case_sensitive else str(candidate).lower()
                if needle in text:
                    return True
        return False

    return match


def _glob(value: Any, pattern: Any) -> bool:
    name, _, tags = str(pattern).partition(";")
    value_name, _, value_tags = str(value).partition(";")
    if not fnmatch.fnmatchcase(value_name, name):
        return False
    wanted = {t for t in tags.split(",") if t}
    return wanted <= set(value_tags.split(",")) if wanted else True


def _object_match(flt: Filter, value: Any) -> Callable[[Record], bool] | None:
    """``{actor: [{id: x, type: User}], responseCode: [200]}`` against mapped record fields."""
    if not isinstance(value, dict) or not isinstance(flt.fields, dict):
        return None
    mapping: Mapping[str, Any] = flt.fields

    def matches_one(record: Record, key: str, wanted: Any) -> bool:
        target = mapping.get(key)
        if isinstance(target, dict) and isinstance(wanted, dict):
            return all(
                _same(field_value(record, target[k]), v) for k, v in wanted.items() if k in target
            )
        if isinstance(target, str):
            return any(_same(v, wanted) for v in field_values(record, target))
        return True

    def match(record: Record) -> bool:
        return all(
            any(matches_one(record, key, w) for w in _listed(wanted))
            for key, wanted in value.items()
            if key in mapping and wanted not in ([], {})
        )

    return match


def _column_values(
    flt: Filter, value: Any, request: MockRequest, violations: list[Violation]
) -> Callable[[Record], bool] | None:
    """``q=column:v1,v2`` (repeatable), combined with or/and."""
    allowed = set(flt.fields) if isinstance(flt.fields, list) else None
    clauses: list[tuple[str, list[str]]] = []
    for entry in _listed(value):
        column, sep, values = str(entry).partition(":")
        if not sep or not column or (allowed is not None and column not in allowed):
            source = flt.param or "q"
            violations.append(
                Violation(
                    "query" if flt.param else "body",
                    source,
                    "",
                    f"{entry!r} is not 'column:value[,value]' with a known column",
                    "value_error",
                )
            )
            continue
        clauses.append((column, [v.lower() for v in values.split(",") if v]))
    combine = _combine(flt, request)

    def clause_matches(record: Record, column: str, needles: list[str]) -> bool:
        return any(n in str(v).lower() for v in field_values(record, column) for n in needles)

    def match(record: Record) -> bool:
        results = (clause_matches(record, c, n) for c, n in clauses)
        return all(results) if combine == "and" else any(results)

    return match if clauses else None


def _combine(flt: Filter, request: MockRequest) -> str:
    if flt.combine_param:
        chosen = request.value(flt.combine_param)
    elif flt.combine_body is not None:
        try:
            chosen = resolve_pointer(request.body, flt.combine_body)
        except (LookupError, TypeError):
            chosen = MISSING
    else:
        chosen = MISSING
    return str(chosen).lower() if chosen is not MISSING and chosen is not None else "or"


def _statements(flt: Filter, value: Any) -> Callable[[Record], bool] | None:
    """Policy statements: allow when an allow statement matches and no deny statement does."""
    if not isinstance(value, list) or not value:
        return None
    fields: Mapping[str, str] = flt.fields if isinstance(flt.fields, dict) else {}

    def statement_matches(record: Record, statement: Mapping[str, Any]) -> bool:
        resources = field_values(record, fields.get("resources", ""))
        actions = field_values(record, fields.get("actions", ""))
        return _patterns_hit(statement, "resources", "notResources", resources) and _patterns_hit(
            statement, "actions", "notActions", actions
        )

    def match(record: Record) -> bool:
        effects = [s.get("effect") for s in value if statement_matches(record, s)]
        return "allow" in effects and "deny" not in effects

    return match


def _patterns_hit(
    statement: Mapping[str, Any], key: str, negated: str, values: Sequence[Any]
) -> bool:
    if statement.get(key):
        return any(_glob(v, p) for v in values for p in statement[key])
    if statement.get(negated):
        return not any(_glob(v, p) for v in values for p in statement[negated])
    return True


# -- sorting --------------------------------------------------------------------------


def sort_keys(sort: Any, request: MockRequest, dataset: Dataset) -> list[tuple[str, str, str]]:
    """(name as requested, record field, direction) for each sort key, most significant first."""
    if sort.syntax == "signed-list":
        raw = request.value(sort.param) if sort.param else MISSING
        text = str(raw) if raw not in (MISSING, None, "") else (sort.default or "")
        keys = []
        for part in (p.strip() for p in text.split(",") if p.strip()):
            name = part.lstrip("-+")
            keys.append(
                (name, sort.fields.get(name, name), "desc" if part.startswith("-") else "asc")
            )
        return keys
    chosen = request.value(sort.param) if sort.param else MISSING
    name = str(chosen) if chosen not in (MISSING, None, "") else sort.default
    if not name:
        name = dataset.time.field if dataset.time else dataset.id_field
    direction = request.value(sort.direction_param) if sort.direction_param else MISSING
    direction = (
        str(direction).lower() if direction not in (MISSING, None, "") else sort.default_direction
    )
    return [(name, sort.fields.get(name, name), "asc" if direction == "asc" else "desc")]


def sort_key(path: str, dataset: Dataset) -> Callable[[Record], Any]:
    def key(record: Record) -> Any:
        return sort_value(field_value(record, path), path, dataset)

    return key


def sort_value(value: Any, key: str, dataset: Dataset) -> Any:
    if dataset.time and key == dataset.time.field:
        return (0, epoch_ms(value, dataset.time.format) or 0, "")
    if isinstance(value, bool):
        return (1, int(value), "")
    if isinstance(value, int | float):
        return (1, value, "")
    return (2, 0, str(value).lower())


# -- bodies ---------------------------------------------------------------------------


def _evaluate(template: Any, context: _Context) -> Any:
    if isinstance(template, dict):
        values = {k: _evaluate(v, context) for k, v in template.items()}
        return ABSENT if ABSENT in values.values() else values
    if not isinstance(template, str) or not template.startswith("$"):
        return template
    if template.startswith("$$"):
        return template[1:]
    return _expression(template[1:], context)


def _expression(name: str, context: _Context) -> Any:
    head, _, rest = name.partition(".")
    page = context.page
    if head == "page" and page is not None:
        values = {
            "count": len(page.records),
            "total": page.total,
            "number": page.number,
            "size": page.size,
            "offset": page.offset,
            "from": page.offset + 1 if page.records else 0,
            "to": page.offset + len(page.records),
            "next": page.next_url,
            "self": page.self_url,
        }
        value = values.get(rest, ABSENT)
        return ABSENT if value is None else value
    if head == "sort":
        return context.sort[0] if rest == "field" else context.sort[1]
    if head == "request":
        location, _, param = rest.partition(".")
        value = context.request.value(param, location)
        return ABSENT if value is MISSING else value
    if head in ("job", "count"):
        facts = context.job if head == "job" else context.count
        value = facts.get(rest, ABSENT)
        return ABSENT if value is None else value
    return ABSENT


def _put(body: dict[str, Any], pointer: str, value: Any) -> None:
    tokens = split_pointer(pointer)
    node = body
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
    node[tokens[-1]] = value


def _url(request: MockRequest, replace_with: Mapping[str, str]) -> str:
    pairs = [(k, v) for k, v in request.query if k not in replace_with]
    pairs += list(replace_with.items())
    query = urlencode(pairs)
    return request.path + (f"?{query}" if query else "")


def _int(value: Any) -> int | None:
    if value is MISSING or value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return epoch_ms(value)


def _csv(records: Iterable[Record], columns: Sequence[str]) -> str:
    records = list(records)
    columns = list(columns) or sorted({k for r in records for k in r})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(field_value(record, c)) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _json_lines(records: Iterable[Record]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
