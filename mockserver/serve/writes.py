"""The write behaviours: create, replace, update and delete, in the request's session.

A write never touches the fixture files: it stores the record it makes (or the id it
deletes) in the session's changes (:mod:`mockserver.serve.state`). Before that, the record
is checked against every schema its dataset is served under, so a write can never make a
later read invalid; a write that would is refused with the operation's own bad-request
status, naming the field.

A replace, update or delete reads the record, changes it and writes it back as one
compare-and-swap on the store: when another request (another worker, another host) wrote
the record in between, it reads again and applies its change on top, so an acknowledged
write is never lost. Where the document declares an ``If-Match`` header the client's tag
must match the record's (412 otherwise); where a response declares ``ETag`` it is sent.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mockserver.data.binding import json_media, served_schemas, success_response
from mockserver.data.dataset import Record, project
from mockserver.data.declaration import Dataset, Declaration, OperationBehaviour
from mockserver.data.generate import GenerationError, Hints, ValueGenerator, stable_seed
from mockserver.data.index import DatasetIndex
from mockserver.data.inference import SCOPE_FIELD
from mockserver.data.writes import (
    JSON_PATCH,
    PatchError,
    flagged_properties,
    id_rule,
    json_patch,
    largest_number,
    merge_patch,
)
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import InvalidRequest, Problem, Violation, invalid
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView, Views
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, Schema
from mockserver.spec.navigate import (
    child,
    declared_properties,
    deref,
    merge_all_of,
    schema_types,
)
from mockserver.spec.paths import template_variables

#: Tries at an id no record of the session has, before giving up with a 409.
ID_ATTEMPTS = 32
#: Tries at a compare-and-swap another write keeps beating, before giving up with a 409.
SWAP_ATTEMPTS = 64
NO_BODY: Any = object()


@dataclass(frozen=True)
class WriteResult:
    """A write's answer: the natural status, the body (or :data:`NO_BODY`), headers."""

    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Shape:
    """What the document says about one dataset's records, worked out once."""

    dataset: Dataset
    served: tuple[tuple[str, SchemaValidator, set[str] | None], ...]
    item: Schema | None  # the schema a record is fetched under
    required: frozenset[str]
    read_only: frozenset[str]
    write_only: frozenset[str]
    get: OperationBehaviour | None  # the get of one record, for Location


class Writer:
    """Runs the write behaviours of one API."""

    def __init__(
        self, declaration: Declaration, document: ApiDocument, views: Views, seed: int = 0
    ) -> None:
        self.declaration = declaration
        self.document = document
        self.views = views
        self.seed = seed
        self.generator = ValueGenerator(document.registry)
        self._validators: dict[str, SchemaValidator] = {}
        self._shapes: dict[str, _Shape] = {}

    def run(
        self,
        plan: OperationPlan,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
    ) -> WriteResult:
        """Apply the write ``behaviour`` describes; raises the problems it meets."""
        handler: Callable[
            [OperationPlan, OperationBehaviour, MockRequest, SessionView], WriteResult
        ] = {
            "create": self._create,
            "replace": self._replace,
            "update": self._update,
            "delete": self._delete,
        }[behaviour.behaviour]
        return handler(plan, behaviour, request, view)

    def served(self, dataset: str, record: Record) -> Record:
        """``record`` without what is never returned: ``writeOnly`` fields, the parent id
        a nested record keeps when its schema has no field for it."""
        hidden = self._shape(dataset).write_only
        if not hidden and SCOPE_FIELD not in record:
            return record
        return {k: v for k, v in record.items() if k not in hidden and k != SCOPE_FIELD}

    # -- the four writes ---------------------------------------------------------------

    def _create(
        self,
        plan: OperationPlan,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
    ) -> WriteResult:
        shape = self._shape(behaviour.dataset)
        index = view.index(behaviour.dataset)
        id_field = shape.dataset.id_field
        body = _object_body(request)
        record = {k: v for k, v in body.items() if k not in shape.read_only}
        if id_field in record and record[id_field] is not None:
            if str(record[id_field]) in index.by_id:
                raise Problem(409, f"{id_field} {record[id_field]!r} already exists")
        else:
            record[id_field] = self._new_id(shape, view, index)
        scope = self._parent(behaviour, request, view)
        if scope is not None:
            record[scope[0]] = scope[1]
        self._fill(record, shape, view)
        self._store(plan, shape, view, record)
        location = self._location(shape, request, record)
        return self._answer(plan, shape, record, 201, location)

    def _replace(
        self,
        plan: OperationPlan,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
    ) -> WriteResult:
        shape = self._shape(behaviour.dataset)
        body = {k: v for k, v in _object_body(request).items() if k not in shape.read_only}

        def replaced(existing: Record) -> Record:
            record = _keep_server_fields(dict(body), existing, shape)
            self._fill(record, shape, view)
            self._check(shape, record)
            return record

        _, record = self._rewrite(plan, behaviour, request, view, replaced)
        assert record is not None
        return self._answer(plan, shape, record, 200)

    def _update(
        self,
        plan: OperationPlan,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
    ) -> WriteResult:
        shape = self._shape(behaviour.dataset)

        def updated(existing: Record) -> Record:
            record = _keep_server_fields(_patched(existing, request), existing, shape)
            self._check(shape, record)
            return record

        _, record = self._rewrite(plan, behaviour, request, view, updated)
        assert record is not None
        return self._answer(plan, shape, record, 200)

    def _delete(
        self,
        plan: OperationPlan,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
    ) -> WriteResult:
        shape = self._shape(behaviour.dataset)
        existing, _ = self._rewrite(plan, behaviour, request, view, lambda _: None)
        return self._answer(plan, shape, existing, 204)

    # -- records -----------------------------------------------------------------------

    def _rewrite(
        self,
        plan: OperationPlan,
        behaviour: OperationBehaviour,
        request: MockRequest,
        view: SessionView,
        change: Callable[[Record], Record | None],
    ) -> tuple[Record, Record | None]:
        """Read the record the path names, ``change`` it (None: delete it) and write it
        back in one compare-and-swap, again on top of any write that came in between;
        (the record as it was, as it is now)."""
        shape = self._shape(behaviour.dataset)
        key = str(self._existing(behaviour, request, view)[shape.dataset.id_field])
        store, dataset = self.views.store, self.views.key(behaviour.dataset)
        base = self.views.base(behaviour.dataset).by_id.get(key)
        for _ in range(SWAP_ATTEMPTS):
            kept = store.read(view.session, dataset, key)
            existing = kept[1] if kept[0] else base
            if existing is None:  # deleted by a request that came first
                raise Problem(404, f"{shape.dataset.id_field} {key!r} was not found")
            self._check_tag(plan, request, existing)
            record = change(existing)
            if store.swap(view.session, dataset, key, kept, record) is not None:
                return existing, record
        raise Problem(409, f"{shape.dataset.id_field} {key!r} kept changing; try again")

    def _check_tag(self, plan: OperationPlan, request: MockRequest, existing: Record) -> None:
        """412 when the operation declares If-Match and the client's tag is not the
        record's."""
        if not any(
            p.location == "header" and p.name.lower() == "if-match" for p in plan.op.parameters
        ):
            return
        wanted = request.headers.get("if-match")
        if wanted is None or wanted.strip() == "*":
            return
        tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
        if etag(existing) not in tags:
            raise Problem(412, f"If-Match {wanted[:80]!r} is not the record's tag {etag(existing)}")

    def _existing(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> Record:
        """The record the item path names, in its parent's scope; 404 when there is none."""
        index = view.index(behaviour.dataset)
        name = behaviour.param or index.dataset.id_field
        wanted = request.value(name, "path")
        record = index.by_id.get(str(wanted))
        scope = self._parent(behaviour, request, view)
        if record is None or (scope and str(record.get(scope[0])) != str(scope[1])):
            raise Problem(404, f"{name} {wanted!r} was not found")
        return record

    def _parent(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> tuple[str, Any] | None:
        """(scope field, the parent's id from the path); 404 when the parent is gone."""
        dataset = self.declaration.datasets[behaviour.dataset]
        if not behaviour.scope or not dataset.scope_field:
            return None
        wanted = request.value(behaviour.scope, "path")
        if dataset.parent and str(wanted) not in view.index(dataset.parent).by_id:
            raise Problem(404, f"{behaviour.scope} {wanted!r} was not found")
        return dataset.scope_field, wanted

    def _new_id(self, shape: _Shape, view: SessionView, index: DatasetIndex) -> Any:
        """A fresh id, made the way the id's schema (or the declaration) says."""
        id_field = shape.dataset.id_field
        id_schema = child(shape.item, self.document.registry, id_field) if shape.item else None
        fixtures = self.views.base(shape.dataset.name)  # worked out once, not per session
        rule = shape.dataset.id_rule or fixtures.memo.get("id-rule")
        if rule is None:
            ids = (r.get(id_field) for r in fixtures.records)
            rule = fixtures.memo["id-rule"] = id_rule(id_schema, self.document.registry, ids)
        floor = fixtures.memo.get(("id-floor", rule))
        if floor is None:
            ids = (r.get(id_field) for r in fixtures.records)
            floor = largest_number(ids) if rule == "sequence" else 0
            fixtures.memo[("id-floor", rule)] = floor
        key = self.views.key(shape.dataset.name)
        for attempt in range(ID_ATTEMPTS):
            if attempt == 1 and rule == "sequence":  # a client chose ids: carry on above them
                floor = max(floor, largest_number(r.get(id_field) for r in index.records))
            number = self.views.store.next_id(view.session, key, floor)
            made = self._id_value(rule, id_schema, view.session, key, number)
            if made is not None and str(made) not in index.by_id:
                return made
        raise Problem(409, f"no free {id_field} could be made for a new record")

    def _id_value(
        self, rule: str, schema: Schema | None, session: str, key: str, number: int
    ) -> Any:
        digest = hashlib.sha256(f"{self.seed}/{session}/{key}/{number}".encode()).digest()
        if rule == "sequence":
            types = schema_types(schema, self.document.registry) if schema else frozenset()
            return str(number) if types and "integer" not in types else number
        if rule == "objectid":
            return digest.hex()[:24]
        if rule == "schema" and schema is not None:
            try:
                return self.generator.generate(schema, stable_seed(self.seed, key, number))
            except GenerationError:
                return None
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def _fill(self, record: Record, shape: _Shape, view: SessionView) -> None:
        """Fields the server fills: ``readOnly`` ones, and required ones the client left
        out (a schema may require more in responses than in requests)."""
        if shape.item is None:
            return
        key = record.get(shape.dataset.id_field)
        for name in sorted((shape.read_only | shape.required) - set(record)):
            schema = child(shape.item, self.document.registry, name)
            if schema is None:
                continue
            seed = stable_seed(self.seed, view.session, shape.dataset.name, key, name)
            try:
                record[name] = self.generator.generate(schema, seed)
            except GenerationError:
                continue  # the check names the field

    def _store(self, plan: OperationPlan, shape: _Shape, view: SessionView, record: Record) -> None:
        """Check ``record`` as every read serves it, then keep it in the session."""
        self._check(shape, record)
        key = str(record[shape.dataset.id_field])
        self.views.store.write(view.session, self.views.key(shape.dataset.name), key, record)

    def _check(self, shape: _Shape, record: Record) -> None:
        """Refuse ``record`` when a read would serve it invalid, naming the field."""
        served = self.served(shape.dataset.name, record)
        found: dict[tuple[str, str, str], list[str]] = {}
        for label, validator, names in shape.served:
            for v in validator.iter_violations(project(served, names)):
                found.setdefault((v.pointer, v.message, v.keyword), []).append(label)
        violations = [
            Violation("body", "", pointer, f"{message} (as served by {' and '.join(labels)})", kw)
            for (pointer, message, kw), labels in found.items()
        ]
        if violations:
            raise InvalidRequest(violations, "The record would not be valid when read back")

    # -- answers -----------------------------------------------------------------------

    def _answer(
        self,
        plan: OperationPlan,
        shape: _Shape,
        record: Record,
        natural: int,
        location: str | None = None,
    ) -> WriteResult:
        """The operation's success response, with the record as its body where the body
        describes one (else generated around the record's fields)."""
        choice = plan.choose(natural)
        response = plan.op.response_for(choice.status) if choice.status < 300 else None
        if response is None:  # no success declared: the status that fits, and a Warning
            warning = (("Warning", choice.warning),) if choice.warning else ()
            return WriteResult(choice.status, NO_BODY, warning)
        headers = tuple(
            ("Location", location)
            for h in response.headers
            if h.name.lower() == "location" and location is not None
        ) + tuple(("ETag", etag(record)) for h in response.headers if h.name.lower() == "etag")
        media = json_media(response)
        if not response.content or media is None:
            return WriteResult(choice.status, NO_BODY, headers)
        served = self.served(shape.dataset.name, record)
        if media.schema is None:
            return WriteResult(choice.status, served, headers)
        body = project(served, declared_properties(media.schema, self.document.registry))
        if not self._validator(media.schema).is_valid(body):
            seed = stable_seed(self.seed, plan.op.key, str(record.get(shape.dataset.id_field)))
            try:
                body = self.generator.generate(media.schema, seed, Hints(served))
            except GenerationError:
                raise Problem(
                    500, f"mockserver could not build a valid {media.name} body"
                ) from None
        return WriteResult(choice.status, body, headers)

    def _location(self, shape: _Shape, request: MockRequest, record: Record) -> str | None:
        """Where the new record can be fetched: the get's path, filled in."""
        get = shape.get
        op = self.document.operation(get.operation_id) if get else None
        if get is None or op is None:
            return None
        values = []
        for name in template_variables(op.path):
            if name == (get.param or shape.dataset.id_field):
                value = record.get(shape.dataset.id_field)
            elif name == get.scope and shape.dataset.scope_field:
                value = record.get(shape.dataset.scope_field)
            else:
                value = request.value(name, "path")
            values.append(quote(str(value), safe=""))
        path = op.path
        for name, value in zip(template_variables(op.path), values, strict=True):
            path = path.replace("{" + name + "}", value, 1)
        return request.raw.mount + path

    def _validator(self, schema: Schema) -> SchemaValidator:
        key = schema.uri or repr(schema.value)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(schema, self.document.registry)
        return self._validators[key]

    # -- what the document says ---------------------------------------------------------

    def _shape(self, dataset: str) -> _Shape:
        if dataset not in self._shapes:
            self._shapes[dataset] = _shape_of(self.declaration, self.document, dataset)
        return self._shapes[dataset]


def _shape_of(declaration: Declaration, document: ApiDocument, dataset: str) -> _Shape:
    registry = document.registry
    served = tuple(served_schemas(declaration, document, dataset))
    get = next(
        (
            b
            for b in declaration.operations.values()
            if b.behaviour == "get" and b.dataset == dataset
        ),
        None,
    )
    schemas = [schema for _, schema, _ in served]
    item = _get_schema(document, get) or (schemas[0] if schemas else None)
    required = {
        name
        for schema in schemas
        for name in (merge_all_of(deref(schema, registry), registry).value or {}).get(
            "required", []
        )
    }
    requests = list(_request_schemas(declaration, document, dataset))
    return _Shape(
        declaration.datasets[dataset],
        tuple((label, SchemaValidator(s, registry), names) for label, s, names in served),
        item,
        frozenset(required),
        flagged_properties([*schemas, *requests], registry, "readOnly"),
        flagged_properties([*schemas, *requests], registry, "writeOnly"),
        get,
    )


def _get_schema(document: ApiDocument, get: OperationBehaviour | None) -> Schema | None:
    op = document.operation(get.operation_id) if get else None
    media = json_media(success_response(op)) if op else None
    return media.schema if media else None


def _request_schemas(
    declaration: Declaration, document: ApiDocument, dataset: str
) -> Iterator[Schema]:
    """The request bodies of the dataset's writes (where readOnly and writeOnly are
    often declared)."""
    for behaviour in declaration.operations.values():
        op = document.operation(behaviour.operation_id)
        if behaviour.dataset != dataset or op is None or op.request_body is None:
            continue
        for media in op.request_body.content:
            if media.schema is not None and "json" in media.name and "patch" not in media.name:
                yield media.schema


def etag(record: Record) -> str:
    """The record's entity tag: a digest of its fields, in any order."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:20] + '"'


def _patched(existing: Record, request: MockRequest) -> Record:
    """``existing`` with the request's JSON Patch or Merge Patch applied."""
    try:
        if (request.media_type or "").lower() == JSON_PATCH:
            patched = json_patch(existing, request.body)
        else:
            patched = merge_patch(existing, request.body)
    except PatchError as error:
        raise InvalidRequest(
            (Violation("body", "", error.pointer, error.message, "patch"),),
            "The patch cannot be applied",
        ) from None
    if not isinstance(patched, dict):
        raise invalid("body", "", "the patched record must be an object", "type")
    return patched


def _object_body(request: MockRequest) -> Record:
    if request.body is None and not request.raw.body:  # an optional body left out: no fields
        return {}
    if not isinstance(request.body, dict):
        raise invalid("body", "", "the body must be an object", "type")
    return dict(request.body)


def _keep_server_fields(record: Record, existing: Record, shape: _Shape) -> Record:
    """``record`` with what the client may not change taken from ``existing``: the id, the
    parent's id and the ``readOnly`` fields."""
    kept = {shape.dataset.id_field, *shape.read_only}
    if shape.dataset.scope_field:
        kept.add(shape.dataset.scope_field)
    for name in kept:
        if name in existing:
            record[name] = existing[name]
        else:
            record.pop(name, None)
    return record
