"""Errors shaped like the API's own documented errors.

A problem (status, title, detail, violations) is rendered into the error schema the
document declares for that status and operation, by recognising the fields such schemas
use (``message``, ``code``, ``type``, ``statusCode``, ``detail: [{loc, msg, type}]``…).
Fields it cannot recognise but the schema requires are generated; the result is checked
against the schema. A document that declares nothing for a status gets RFC 7807
``application/problem+json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from mockserver.data.generate import GenerationError, Hints, ValueGenerator
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

    def render(self, op: Operation | None, problem: Problem) -> RenderedError:
        """The problem as the document declares errors for ``op`` and the status."""
        media = _declared_error_media(op, problem.status)
        if media is None or media.schema is None:
            return self._problem_json(problem)
        body = self._shaped(media.schema, problem)
        if body is None:
            return self._problem_json(problem)
        return RenderedError(problem.status, media.name, _dumps(body))

    def _shaped(self, schema: Schema, problem: Problem) -> Any:
        validator = self._validator(schema)
        fields = self._recognised(schema, problem)
        seed = problem.status
        candidates: list[Callable[[], Any]] = []
        if fields is not None:
            candidates.append(lambda: self._fill_required(schema, fields, seed))
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

    def _recognised(self, schema: Schema, problem: Problem) -> dict[str, Any] | None:
        registry = self.document.registry
        names = declared_properties(schema, registry)
        if not names:
            return None
        fields: dict[str, Any] = {}
        for name in sorted(names, key=_priority):
            sub = child(schema, registry, name)
            if sub is None:
                continue
            value = self._field_value(name, sub, problem, fields)
            if value is not None:
                fields[name] = value
        return fields

    def _field_value(self, name: str, sub: Schema, problem: Problem, taken: dict[str, Any]) -> Any:
        registry = self.document.registry
        types = schema_types(sub, registry)
        key = name.lower()
        if "array" in types:
            items = child(sub, registry, "0")
            item_props = declared_properties(items, registry) if items else None
            if item_props:
                return [self._violation_item(v, item_props) for v in problem.violations] or [
                    self._violation_item(Violation("request", "", "", problem.detail), item_props)
                ]
            if key in _MESSAGE or key in ("errors", "messages"):
                return [v.describe() for v in problem.violations] or [problem.detail]
            return None
        if types & {"integer", "number"} and key in _STATUS:
            return problem.status
        if "string" not in types and types:
            return None
        if key in _MESSAGE:
            return problem.message
        if key in _TITLE and any(k in _MESSAGE for k in taken):
            return problem.title
        if key in _CODE:
            return self._code(problem.status, key, sub)
        if key in _TITLE:
            return problem.message
        return None

    def _violation_item(self, violation: Violation, props: set[str]) -> dict[str, Any]:
        item: dict[str, Any] = {}
        for prop in props:
            key = prop.lower()
            if key in _LOCATION:
                item[prop] = violation.loc
            elif key in _MESSAGE:
                item[prop] = (
                    violation.describe() if violation.location == "request" else violation.message
                )
            elif key in _CODE:
                item[prop] = violation.kind
        return item

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

    def _fill_required(self, schema: Schema, fields: dict[str, Any], seed: int) -> Any:
        registry = self.document.registry
        required = deref(schema, registry).value.get("required") or []
        body = dict(fields)
        for name in required:
            if name not in body:
                sub = child(schema, registry, name)
                if sub is None:
                    raise GenerationError(f"no schema for required field {name}")
                body[name] = self.generator.generate(sub, seed)
        return body

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
    return RenderedError(problem.status, PROBLEM_JSON, _dumps(body))


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


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
