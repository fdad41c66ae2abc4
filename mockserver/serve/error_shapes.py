"""Errors shaped like the API's own documented errors.

A problem (status, title, detail, violations) is rendered into the error schema the
document declares for that status and operation, by recognising the fields such schemas
use (``message``, ``code``, ``type``, ``statusCode``, ``detail: [{loc, msg, type}]``…).
Fields it cannot recognise but the schema requires are generated (the author's examples
first); the result is checked against the schema. When the error response declares an
example (on its media type, or its schema's own ``example``/``examples``), that example is
the body, with the violation written into the fields that carry one (issue 17). A document
that declares nothing for a status gets RFC 7807 ``application/problem+json``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.data.generate import GenerationError, Hints, ValueGenerator
from mockserver.serve.answer import Answer
from mockserver.serve.encoding import dumps
from mockserver.serve.problems import Problem, Violation, reason_phrase
from mockserver.serve.xml import is_xml, to_xml
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.media import concrete
from mockserver.spec.model import ApiDocument, Dialect, MediaType, Operation, Schema
from mockserver.spec.navigate import child, declared_properties, deref, schema_types

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

    def render(self, op: Operation | None, problem: Problem, status: int) -> Answer:
        """The problem, answered with ``status``, as the document declares errors for
        ``op`` and that status."""
        media = _declared_error_media(op, status)
        if media is None and self.document.dialect is Dialect.SWAGGER_2:
            media = _produced(op)  # 2.0's produces applies to every status, declared or not
        if status in NO_BODY or (media is None and status < 400):
            # an operation that declares no error answers with what it declares: a body
            # only where it declares one (the Warning header says what was refused)
            return Answer(status, None, b"", problem.headers)
        if media is None:
            return problem_json(problem, status)
        body = self._declared(media, problem, status)
        if body is None and media.schema is not None:
            body = self._shaped(media.schema, problem, status)
        if body is None:  # no schema, or one nothing valid fits: the problem's own fields
            body = problem_fields(problem, status)
        name = concrete(media.name)  # a declared range (*/*) is answered as JSON
        if "json" in name:
            return Answer(status, name, dumps(body), problem.headers)
        if is_xml(name):
            xml = to_xml(body, media.schema, self.document.registry, default_root="error")
            return Answer(status, name, xml, problem.headers)
        return Answer(status, name, problem.message.encode(), problem.headers)

    def _declared(self, media: MediaType, problem: Problem, status: int) -> Any:
        """The author's own error: the media type's first example, else the schema's own
        ``example``/``examples``, with the violation written where the schema has a place
        for it (message, violations, status); ``None`` when there is none, or none valid."""
        authored = [e.value for e in media.examples]
        if media.schema is not None:
            authored.extend(_authored(deref(media.schema, self.document.registry).value))
        if not authored:
            return None
        form = self._form(media.schema) if media.schema is not None else _Form((), ())
        fill = {f.name: self._value(f, problem, status) for f in form.fields if f.role in _FILLED}
        validator = self._validator(media.schema) if media.schema is not None else None
        for value in authored:
            body = {**value, **fill} if isinstance(value, dict) else value
            if validator is None or validator.is_valid(body):
                return body
        return None

    def _shaped(self, schema: Schema, problem: Problem, status: int) -> Any:
        validator = self._validator(schema)
        form = self._form(schema)
        seed = status
        candidates: list[Callable[[], Any]] = []
        if form.fields:
            fields = {f.name: self._value(f, problem, status) for f in form.fields}
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

    def _value(self, field: _Field, problem: Problem, status: int) -> Any:
        role = field.role
        if role == "violations":
            shown = problem.violations or (Violation("request", "", "", problem.detail),)
            return [_violation_item(v, field.item) for v in shown]
        if role == "messages":
            return [v.describe() for v in problem.violations] or [problem.detail]
        if role == "status":
            return status
        if role == "title":
            return reason_phrase(status)
        if role == "code":
            assert field.schema is not None
            return self._code(status, field.name.lower(), field.schema)
        return problem.message

    def _code(self, status: int, key: str, schema: Schema) -> str:
        declared = deref(schema, self.document.registry).value
        enum = declared.get("enum") if isinstance(declared, dict) else None
        if status in self.codes:
            return self.codes[status]
        phrase = reason_phrase(status)
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
                self._generated[key] = self.generator.generate(sub, seed, examples=True)
            values[name] = self._generated[key]
        return values

    def _validator(self, schema: Schema) -> SchemaValidator:
        key = schema.uri or repr(schema.value)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(schema, self.document.registry)
        return self._validators[key]


#: The roles a declared error example gets from the problem; its own code and title stay.
_FILLED = frozenset({"violations", "messages", "message", "status"})


def _authored(node: Any) -> list[Any]:
    """A schema's own example values: ``example``, then ``examples`` (a list)."""
    if not isinstance(node, dict):
        return []
    found = [node["example"]] if "example" in node else []
    listed = node.get("examples")
    return found + (list(listed) if isinstance(listed, list) else [])


#: Statuses HTTP sends without a body.
NO_BODY = frozenset({204, 304})


def problem_json(problem: Problem, status: int) -> Answer:
    """RFC 7807 ``application/problem+json``, listing every violation under ``errors``."""
    return Answer(status, PROBLEM_JSON, dumps(problem_fields(problem, status)), problem.headers)


def problem_fields(problem: Problem, status: int) -> dict[str, Any]:
    """The RFC 7807 fields of a problem, every violation under ``errors``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": reason_phrase(status),
        "status": status,
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
    return body


def _declared_error_media(op: Operation | None, status: int) -> MediaType | None:
    if op is None:
        return None
    response = op.response_for(status)
    if response is None:
        return None
    # the error comes in a media type the document declares for it: JSON first, then XML,
    # then any other (as text); a response declaring no content gets RFC 7807
    ranked = sorted(
        response.content, key=lambda m: 0 if "json" in m.name else 1 if is_xml(m.name) else 2
    )
    return ranked[0] if ranked else None


def _produced(op: Operation | None) -> MediaType | None:
    """A Swagger 2.0 operation's produced media type for a status it does not declare (its
    responses all carry ``produces``), JSON first, without another response's schema."""
    names = {m.name: None for r in (op.responses if op else ()) for m in r.content}
    ranked = sorted(names, key=lambda n: 0 if "json" in n else 1 if is_xml(n) else 2)
    return MediaType(ranked[0], None) if ranked else None


def _priority(name: str) -> tuple[int, str]:
    """Message fields first, so a later ``error`` field knows to hold the title."""
    return (0 if name.lower() in _MESSAGE else 1, name)
