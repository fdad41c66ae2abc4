"""Errors shaped like the API's own documented errors.

A problem (status, title, detail, violations) is rendered into the error schema the
document declares for that status and operation, by recognising the fields such schemas
use (``message``, ``code``, ``type``, ``statusCode``, ``detail: [{loc, msg, type}]``…).
Fields it cannot recognise but the schema requires are generated; the result is checked
against the schema. A document that declares nothing for a status gets RFC 7807
``application/problem+json``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from mockserver.data.generate import GenerationError, Hints, ValueGenerator
from mockserver.serve.encoding import dumps
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, MediaType, Operation, Schema
from mockserver.spec.navigate import child, declared_properties, deref, schema_types
from mockserver.spec.pointer import split_pointer

PROBLEM_JSON = "application/problem+json"

_MESSAGE = (
    "message",
    "msg",
    "detail",
    "details",
    "description",
    "error_description",
    "errormessage",
    "error_message",
    "reason",
)
_TITLE = ("title", "error", "reasonphrase", "reason_phrase")
_CODE = ("code", "type", "errorcode", "error_code", "kind", "errortype", "error_type")
_STATUS = ("status", "statuscode", "status_code", "httpstatus", "http_status", "code")
_LOCATION = ("loc", "location", "path", "field", "param", "pointer", "source")


@dataclass(frozen=True)
class Violation:
    """One thing wrong with a request."""

    location: str  # query, path, header, cookie, body, request
    name: str  # the parameter (empty for the body)
    pointer: str  # inside the value
    message: str
    kind: str = "invalid"  # "missing", or the schema keyword that failed

    def describe(self) -> str:
        """``query parameter 'limit': 25 is greater than the maximum of 20``."""
        if self.location == "body":
            where = f"body at {self.pointer}" if self.pointer else "body"
        elif self.location in ("request", ""):
            where = "request"
        else:
            where = f"{self.location} parameter {self.name!r}"
            where += f" at {self.pointer}" if self.pointer else ""
        return f"{where}: {self.message}"

    @property
    def loc(self) -> list[str | int]:
        """FastAPI-style location: ``["query", "limit"]``, ``["body", "items", 0]``."""
        parts: list[str | int] = [self.location]
        parts += [self.name] if self.name else []
        parts += [int(t) if t.isdigit() else t for t in split_pointer(self.pointer)]
        return parts


@dataclass(frozen=True)
class Problem:
    """An HTTP problem to report to the client."""

    status: int
    detail: str
    violations: tuple[Violation, ...] = ()

    @property
    def title(self) -> str:
        """The reason phrase, ``Not Found``."""
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Error"

    @property
    def message(self) -> str:
        """The detail followed by every violation."""
        if not self.violations:
            return self.detail
        return f"{self.detail}: " + "; ".join(v.describe() for v in self.violations)


@dataclass(frozen=True)
class RenderedError:
    """A problem as bytes on the wire."""

    status: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class _Field:
    """A recognised field of an error schema and what it carries."""

    name: str
    role: str  # violations | messages | status | message | title | code
    item: tuple[tuple[str, str], ...] = ()  # violations: (property, loc | message | kind)
    schema: Schema | None = None  # code: the field's schema, for its enum


@dataclass(frozen=True)
class _Form:
    """How to fill one error schema."""

    fields: tuple[_Field, ...]
    rest: tuple[tuple[str, Schema | None], ...]  # required fields no role covers


def _item_role(prop: str) -> str:
    key = prop.lower()
    if key in _LOCATION:
        return "loc"
    if key in _MESSAGE:
        return "message"
    return "kind" if key in _CODE else ""


def _violation_item(violation: Violation, roles: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for prop, role in roles:
        if role == "loc":
            item[prop] = violation.loc
        elif role == "message":
            item[prop] = (
                violation.describe() if violation.location == "request" else violation.message
            )
        else:
            item[prop] = violation.kind
    return item


class ErrorShaper:
    """Renders problems in one document's own error shapes."""

    def __init__(
        self,
        document: ApiDocument,
        generator: ValueGenerator,
        codes: Mapping[int, str] | None = None,
    ) -> None:
        self.document = document
        self.generator = generator
        self.codes = dict(codes or {})
        self._validators: dict[str, SchemaValidator] = {}
        self._forms: dict[str, _Form] = {}
        self._generated: dict[tuple[str, int], Any] = {}

    def render(self, op: Operation | None, problem: Problem) -> RenderedError:
        """The problem as the document declares errors for ``op`` and the status."""
        media = _declared_error_media(op, problem.status)
        if media is None or media.schema is None:
            return self._problem_json(problem)
        body = self._shaped(media.schema, problem)
        if body is None:
            return self._problem_json(problem)
        return RenderedError(problem.status, media.name, dumps(body))

    def _shaped(self, schema: Schema, problem: Problem) -> Any:
        validator = self._validator(schema)
        form = self._form(schema)
        seed = problem.status
        candidates: list[Callable[[], Any]] = []
        if form.fields:
            fields = {f.name: self._value(f, problem) for f in form.fields}
            candidates.append(lambda: {**fields, **self._rest(form, seed)})
            candidates.append(lambda: self.generator.generate(schema, seed, Hints(fields)))
        candidates.append(lambda: self.generator.generate(schema, seed))
        for make in candidates:
            try:
                body = make()
            except GenerationError:
                continue
            if validator.is_valid(body):
                return body
        return None

    def _form(self, schema: Schema) -> _Form:
        """Which fields of an error schema carry what: worked out once per schema."""
        key = schema.uri or repr(schema.value)
        if key not in self._forms:
            self._forms[key] = self._recognise(schema)
        return self._forms[key]

    def _recognise(self, schema: Schema) -> _Form:
        registry = self.document.registry
        fields: list[_Field] = []
        has_message = False
        for name in sorted(declared_properties(schema, registry) or (), key=_priority):
            sub = child(schema, registry, name)
            field = self._role(name, sub, has_message) if sub is not None else None
            if field is not None:
                fields.append(field)
                has_message = has_message or field.role == "message"
        recognised = {f.name for f in fields}
        required = deref(schema, registry).value.get("required") or []
        rest = tuple((n, child(schema, registry, n)) for n in required if n not in recognised)
        return _Form(tuple(fields), rest)

    def _role(self, name: str, sub: Schema, has_message: bool) -> _Field | None:
        registry = self.document.registry
        types = schema_types(sub, registry)
        key = name.lower()
        if "array" in types:
            items = child(sub, registry, "0")
            item_props = declared_properties(items, registry) if items else None
            if item_props:
                return _Field(
                    name,
                    "violations",
                    tuple(sorted((p, _item_role(p)) for p in item_props if _item_role(p))),
                )
            if key in _MESSAGE or key in ("errors", "messages"):
                return _Field(name, "messages")
            return None
        if types & {"integer", "number"} and key in _STATUS:
            return _Field(name, "status")
        if "string" not in types and types:
            return None
        if key in _MESSAGE:
            return _Field(name, "message")
        if key in _TITLE and has_message:
            return _Field(name, "title")
        if key in _CODE:
            return _Field(name, "code", schema=sub)
        if key in _TITLE:
            return _Field(name, "message")
        return None

    def _value(self, field: _Field, problem: Problem) -> Any:
        role = field.role
        if role == "violations":
            shown = problem.violations or (Violation("request", "", "", problem.detail),)
            return [_violation_item(v, field.item) for v in shown]
        if role == "messages":
            return [v.describe() for v in problem.violations] or [problem.detail]
        if role == "status":
            return problem.status
        if role == "title":
            return problem.title
        if role == "code":
            assert field.schema is not None
            return self._code(problem.status, field.name.lower(), field.schema)
        return problem.message

    def _code(self, status: int, key: str, schema: Schema) -> str:
        declared = deref(schema, self.document.registry).value
        enum = declared.get("enum") if isinstance(declared, dict) else None
        if status in self.codes:
            return self.codes[status]
        phrase = Problem(status, "").title
        token = (
            re.sub(r"[^A-Za-z]", "", phrase.title())
            if key == "type"
            else re.sub(r"[^a-z]+", "_", phrase.lower()).strip("_")
        )
        if enum:
            return str(next((e for e in enum if str(e).lower() == token.lower()), enum[0]))
        return token

    def _rest(self, form: _Form, seed: int) -> dict[str, Any]:
        """Required fields no role covers, generated once per status."""
        values = {}
        for name, sub in form.rest:
            if sub is None:
                raise GenerationError(f"no schema for required field {name}")
            key = (sub.uri or repr(sub.value), seed)
            if key not in self._generated:
                self._generated[key] = self.generator.generate(sub, seed)
            values[name] = self._generated[key]
        return values

    def _validator(self, schema: Schema) -> SchemaValidator:
        key = schema.uri or repr(schema.value)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(schema, self.document.registry)
        return self._validators[key]

    def _problem_json(self, problem: Problem) -> RenderedError:
        return problem_json(problem)


def problem_json(problem: Problem) -> RenderedError:
    """RFC 7807 ``application/problem+json``, listing every violation under ``errors``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.message,
    }
    if problem.violations:
        body["errors"] = [
            {
                "location": v.location,
                "name": v.name,
                "pointer": v.pointer,
                "message": v.message,
                "kind": v.kind,
            }
            for v in problem.violations
        ]
    return RenderedError(problem.status, PROBLEM_JSON, dumps(body))


def _declared_error_media(op: Operation | None, status: int) -> MediaType | None:
    if op is None:
        return None
    response = op.response_for(status)
    if response is None:
        return None
    return next((m for m in response.content if "json" in m.name), None)


def _priority(name: str) -> tuple[int, str]:
    """Message fields first, so a later ``error`` field knows to hold the title."""
    return (0 if name.lower() in _MESSAGE else 1, name)
