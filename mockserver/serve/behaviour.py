"""What an operation does with its dataset: list, search, get, count, export, and writes.

The behaviours are generic; a fixture folder's declaration says which operation does
what, which parameters filter which record fields, and how pages are cut. Nothing here
knows any vendor. Every behaviour works on the dataset as the request's session sees it
(:mod:`mockserver.serve.sessions`); the writes are in :mod:`mockserver.serve.writes`.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from mockserver.data.binding import json_media, success_response
from mockserver.data.dataset import Record, project
from mockserver.data.declaration import (
    WRITE_BEHAVIOURS,
    Dataset,
    Declaration,
    OperationBehaviour,
)
from mockserver.data.filters import FilterValueError, filter_value, record_matcher
from mockserver.data.generate import GenerationError, ValueGenerator, stable_seed
from mockserver.data.index import DatasetIndex
from mockserver.data.records import epoch_ms, field_value, record_time
from mockserver.data.sorting import sort_keys, sort_value
from mockserver.data.templates import Facts, apply, put
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import InvalidRequest, Problem, Violation
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView, Views
from mockserver.serve.state import StateStore
from mockserver.serve.state.store import new_job
from mockserver.serve.writes import NO_BODY, Writer
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, Schema, SchemaRegistry
from mockserver.spec.navigate import at_pointer, child, declared_properties, deref, merge_all_of
from mockserver.spec.pointer import split_pointer
from mockserver.spec.sentinel import NOT_SENT

JOB_NAMESPACE = uuid.UUID("6f6b3c52-54a1-4c39-9d32-3a4d5b0d7e11")


@dataclass(frozen=True)
class BehaviourResult:
    """A successful behaviour's answer: a JSON value, or text with its media type."""

    status: int
    body: Any
    media_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the answer has no body (a delete's 204)."""
        return self.body is NO_BODY


@dataclass(frozen=True)
class _Page:
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


class BehaviourEngine:
    """Runs declared behaviours over one document's datasets."""

    def __init__(
        self,
        declaration: Declaration,
        document: ApiDocument,
        records: Mapping[str, list[Record]],
        state: StateStore,
        seed: int = 0,
    ) -> None:
        self.declaration = declaration
        self.document = document
        self.records = records  # the fixture records, as loaded
        self.state = state
        self.views = Views(document.name, declaration, records, state)
        self.writer = Writer(declaration, document, self.views, seed)
        self._projections: dict[str, set[str] | None] = {}
        self._fills: dict[tuple[str, str], dict[str, Any]] = {}  # envelope values, per operation
        self._generator: ValueGenerator | None = None
        for behaviour in declaration.operations.values():
            self._projections[behaviour.operation_id] = self._projection(behaviour)

    def view(self, request: MockRequest) -> SessionView:
        """The datasets as the request's session sees them now."""
        return self.views.view(request)

    def run(
        self, plan: OperationPlan, request: MockRequest, view: SessionView | None = None
    ) -> BehaviourResult:
        """The reply for ``request`` to the operation ``plan`` describes."""
        behaviour = plan.behaviour
        assert behaviour is not None
        view = view or self.view(request)
        if behaviour.kind in WRITE_BEHAVIOURS:
            result = self.writer.run(plan, behaviour, request, view)
            return BehaviourResult(result.status, result.body, None, result.headers)
        handler: Callable[[OperationBehaviour, MockRequest, SessionView], BehaviourResult] = {
            "list": self._list,
            "search": self._list,
            "get": self._get,
            "count": self._count,
            "export": self._export,
            "export-create": self._export_create,
            "export-status": self._export_status,
            "export-download": self._export_download,
        }[behaviour.kind]
        return handler(behaviour, request, view)

    # -- selection --------------------------------------------------------------------

    def _dataset(self, behaviour: OperationBehaviour) -> Dataset:
        return self.declaration.datasets[behaviour.dataset]

    def _scoped(
        self,
        behaviour: OperationBehaviour,
        request: MockRequest,
        records: list[Record],
        view: SessionView,
    ) -> list[Record]:
        index = view.index(behaviour.dataset)
        parent = index.dataset.parent
        if not behaviour.scope or not (index.scopes or parent):
            return records
        wanted = str(request.value(behaviour.scope, "path"))
        known = view.index(parent).by_id if parent else index.scope_values
        if wanted not in known:
            raise Problem(404, f"{behaviour.scope} {wanted!r} was not found")
        return [r for r in records if index.scopes.get(id(r)) == wanted]

    def _selected(
        self,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
        records: list[Record] | None = None,
    ) -> list[Record]:
        """The records passing the scope and every filter, in the order given."""
        index = view.index(behaviour.dataset)
        every = index.records if records is None else records
        scoped = self._scoped(behaviour, request, every, view)
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
                scoped = [r for r in scoped if matcher(r)]
        if violations:
            raise InvalidRequest(violations)
        return scoped

    # -- list -------------------------------------------------------------------------

    def _matching(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> tuple[list[Record], tuple[str, str]]:
        """The records the request selects, in the order it asks for, and that order."""
        ordered, sort = self._sorted(behaviour, request, view)
        return self._selected(behaviour, request, view, ordered), sort

    def _list(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        records, sort = self._matching(behaviour, request, view)
        page = self._page(behaviour, request, records, view)
        index = view.index(behaviour.dataset)
        items = [self._projected(behaviour, r, index) for r in page.records]
        facts = Facts(request, page=page.facts(), sort=sort)
        return BehaviourResult(200, self._envelope(behaviour, items, facts))

    def _sorted(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> tuple[list[Record], tuple[str, str]]:
        """Every record in the requested order, and (field as requested, direction) to echo."""
        index = view.index(behaviour.dataset)
        keys = sort_keys(behaviour.sort, request, index.dataset)
        unknown = [
            name
            for name, path, _ in keys
            if index.records and path.split(".")[0] not in index.fields
        ]
        if unknown:
            where = behaviour.sort.param or "sort"
            raise InvalidRequest(
                (Violation("query", where, "", f"cannot sort by {unknown[0]!r}", "enum"),)
            )
        ordered = index.ordered(tuple((path, direction) for _, path, direction in keys), sort_value)
        echo = (keys[0][0], keys[0][2]) if keys else ("", "")
        return ordered, echo

    def _projected(
        self, behaviour: OperationBehaviour, record: Record, index: DatasetIndex
    ) -> Record:
        """The record as the operation serves it (``writeOnly`` fields never), computed once
        per record of the index."""
        key = (behaviour.operation_id, id(record))
        served = index.memo.get(key)
        if served is None:
            names = self._projections[behaviour.operation_id]
            served = self.writer.served(behaviour.dataset, project(record, names))
            index.memo[key] = served
        return served

    def _page(
        self,
        behaviour: OperationBehaviour,
        request: MockRequest,
        records: list[Record],
        view: SessionView,
    ) -> _Page:
        paging = behaviour.paging
        total = len(records)
        self_url = _url(request, {})
        if paging is None:
            return _Page(records, total, 0, total, 0, None, self_url)
        requested = _int(request.value(paging.size_param)) if paging.size_param else None
        size = requested or paging.page_size
        number, offset = 0, 0
        if paging.style == "page":
            chosen = _int(request.value(paging.page_param)) if paging.page_param else None
            number = paging.first if chosen is None else chosen
            offset = max(number - paging.first, 0) * size
        elif paging.style == "offset":
            offset = (_int(request.value(paging.offset_param)) or 0) if paging.offset_param else 0
        chunk = records[offset : offset + size]
        next_url = self._next_url(
            behaviour, request, view, chunk, offset + size < total, number, offset, size
        )
        return _Page(chunk, total, number, size, offset, next_url, self_url)

    def _next_url(
        self,
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
            return _url(request, {paging.cursor_param: str(cursor)})
        if paging.style == "page" and paging.page_param:
            return _url(request, {paging.page_param: str(number + 1)})
        if paging.offset_param:
            return _url(request, {paging.offset_param: str(offset + size)})
        return None

    # -- get --------------------------------------------------------------------------

    def _get(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        index = view.index(behaviour.dataset)
        wanted = request.value(behaviour.param or index.dataset.id_field)
        record = index.by_id.get(str(wanted))
        found = self._scoped(behaviour, request, [record] if record is not None else [], view)
        if not found:
            name = behaviour.param or index.dataset.id_field
            raise Problem(404, f"{name} {wanted!r} was not found")
        body = self._projected(behaviour, found[0], index)
        return BehaviourResult(200, apply(behaviour.set, body, Facts(request)))

    # -- count ------------------------------------------------------------------------

    def _count(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        records = self._selected(behaviour, request, view)
        dataset = self._dataset(behaviour)
        spec = behaviour.buckets
        assert spec is not None
        times = [t for t in (record_time(r, dataset.time) for r in records) if t is not None]
        all_times = [
            t
            for t in (record_time(r, dataset.time) for r in view.index(behaviour.dataset).records)
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
        facts = Facts(
            request, count={"total": sum(b[spec.count] for b in buckets), "interval": interval}
        )
        body = self._envelope(behaviour, buckets, facts, pointer=spec.items)
        return BehaviourResult(200, body)

    # -- exports ----------------------------------------------------------------------

    def _export(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        ordered, _ = self._matching(behaviour, request, view)
        return self._exported(behaviour, ordered)

    def _export_create(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        ordered, _ = self._matching(behaviour, request, view)
        dataset = self._dataset(behaviour)
        ids = [str(r[dataset.id_field]) for r in ordered]
        job_id = str(uuid.uuid5(JOB_NAMESPACE, json.dumps([behaviour.dataset, ids])))
        kept = apply(behaviour.job, {}, Facts(request))  # what the declaration keeps with it
        spec = {**kept, "dataset": behaviour.dataset, "ids": ids}
        job = self.state.create_job(view.session, new_job(job_id, spec))
        facts = Facts(request, job=self._job_facts(job, request))
        return BehaviourResult(200, apply(behaviour.set, {}, facts))

    def _export_status(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        job = self._job(behaviour, request, view)
        facts = Facts(request, job=self._job_facts(job, request))
        return BehaviourResult(200, apply(behaviour.set, {}, facts))

    def _export_download(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        job = self._job(behaviour, request, view)
        by_id = view.index(job["dataset"]).by_id
        records = [by_id[i] for i in job["ids"] if i in by_id]
        return self._exported(behaviour, records, job["dataset"])

    def _exported(
        self, behaviour: OperationBehaviour, records: list[Record], dataset: str | None = None
    ) -> BehaviourResult:
        """The records as a CSV or JSON Lines file, without what is never returned."""
        served = [self.writer.served(dataset or behaviour.dataset, r) for r in records]
        if behaviour.format == "csv":
            return BehaviourResult(200, _csv(served, behaviour.columns), "text/csv")
        return BehaviourResult(200, _json_lines(served), "application/x-ndjson")

    def _job(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> Mapping[str, Any]:
        job_id = str(request.value(behaviour.param or "job_id"))
        job = self.state.get_job(view.session, job_id)
        if job is None:
            raise Problem(404, f"export job {job_id!r} was not found")
        return job

    def _job_facts(self, job: Mapping[str, Any], request: MockRequest) -> dict[str, Any]:
        download = next(
            (b for b in self.declaration.operations.values() if b.kind == "export-download"),
            None,
        )
        url = None
        if download is not None:
            op = self.document.operation(download.operation_id)
            if op is not None and download.param:
                path = op.path.replace("{" + download.param + "}", str(job["id"]))
                url = request.raw.mount + path
        return {**job, "count": len(job["ids"]), "download_url": url}

    # -- bodies -----------------------------------------------------------------------

    def _projection(self, behaviour: OperationBehaviour) -> set[str] | None:
        op = self.document.operation(behaviour.operation_id)
        media = json_media(success_response(op)) if op else None
        if media is None or media.schema is None:
            return None
        registry = self.document.registry
        if behaviour.kind == "get":
            return declared_properties(media.schema, registry)
        if behaviour.kind in ("list", "search"):
            array = at_pointer(media.schema, registry, behaviour.items)
            item = child(array, registry, "0") if array else None
            return declared_properties(item, registry) if item else None
        return None

    def _envelope(
        self,
        behaviour: OperationBehaviour,
        items: list[Any],
        facts: Facts,
        pointer: str | None = None,
    ) -> Any:
        where = behaviour.items if pointer is None else pointer
        if not where:
            return items
        key = (behaviour.operation_id, where)
        if key not in self._fills:
            self._fills[key] = self._envelope_fill(behaviour, where)
        body: dict[str, Any] = copy.deepcopy(self._fills[key])
        put(body, where, items)
        return apply(behaviour.set, body, facts)

    def _envelope_fill(self, behaviour: OperationBehaviour, where: str) -> dict[str, Any]:
        """Generated values for the envelope's required properties, worked out once.

        The items and the ``set`` templates say what they know; the rest of what the
        schema requires (links, counts, cursors) is generated, so the envelope stays
        valid. Of the generated value only the required parts are kept, and the objects a
        ``set`` pointer passes through, unless a smaller envelope would break the schema
        (``minProperties``, a ``oneOf``).
        """
        op = self.document.operation(behaviour.operation_id)
        media = json_media(success_response(op)) if op else None
        if media is None or media.schema is None:
            return {}
        registry = self.document.registry
        sample = self._sample(media.schema, (behaviour.operation_id, where))
        if not isinstance(sample, dict):
            return {}
        paths = [tuple(split_pointer(p)) for p in behaviour.set]
        for token in {p[0] for p in paths if len(p) > 1} - set(sample):
            container = child(media.schema, registry, token)
            value = self._sample(container, (behaviour.operation_id, token)) if container else None
            if value is not None:
                sample[token] = value
        tokens = split_pointer(where)
        items = _at(sample, tokens)
        skip = tokens[0] if len(tokens) == 1 else None
        validator = SchemaValidator(media.schema, registry)
        candidates = (_required_only(sample, media.schema, registry, paths), sample)
        for candidate in candidates:
            fill = {k: v for k, v in candidate.items() if k != skip}
            body = copy.deepcopy(fill)
            put(body, where, items if isinstance(items, list) else [])
            if validator.is_valid(body):
                return fill
        return {k: v for k, v in candidates[0].items() if k != skip}

    def _sample(self, schema: Schema, parts: tuple[str, ...]) -> Any:
        """A generated value for ``schema``, the same in every worker; ``None`` if none."""
        if self._generator is None:
            self._generator = ValueGenerator(self.document.registry)
        try:
            return self._generator.generate(schema, stable_seed("envelope", *parts))
        except GenerationError:
            return None


def _required_only(
    value: Any, schema: Schema, registry: SchemaRegistry, paths: Sequence[tuple[str, ...]] = ()
) -> Any:
    """``value`` with only the properties its schema requires or ``paths`` lead through."""
    schema = merge_all_of(deref(schema, registry), registry)
    node = schema.value
    if not isinstance(value, dict) or not isinstance(node, dict):
        return value
    required = set(node.get("required") or [])
    kept: dict[str, Any] = {}
    for name, item in value.items():
        below = [p[1:] for p in paths if p and p[0] == name]
        if name in required or below:
            sub = child(schema, registry, name)
            kept[name] = _required_only(item, sub, registry, below) if sub is not None else item
    return kept


def _at(value: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        value = value.get(token) if isinstance(value, dict) else None
    return value


def _url(request: MockRequest, replace_with: Mapping[str, str]) -> str:
    pairs = [(k, v) for k, v in request.query if k not in replace_with]
    pairs += list(replace_with.items())
    query = urlencode(pairs)
    return request.path + (f"?{query}" if query else "")


def _int(value: Any) -> int | None:
    if value is NOT_SENT or value is None or isinstance(value, bool):
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
