"""Checks on responses, named as Schemathesis names them so users recognise them.

Each check takes the case (operation, request, what kind of request it was) and the
response, and returns failures; none means the response passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.contract.media import media_matches, media_type_of
from mockserver.contract.schema import ResponseSchema, UncheckableSchema
from mockserver.generation.serialize import WireRequest, read_text
from mockserver.spec.model import ApiDocument, Header, Operation, Response
from mockserver.spec.navigate import schema_types

POSITIVE, NEGATIVE, NO_AUTH = "positive", "negative", "no-auth"


@dataclass(frozen=True)
class Case:
    """One request sent during a contract run."""

    op: Operation
    request: WireRequest
    kind: str = POSITIVE
    mutation: str = ""


@dataclass(frozen=True)
class Reply:
    """What came back."""

    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The body as JSON (raises ValueError if it is not)."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Failure:
    """A check that did not hold."""

    check: str
    message: str
    expected: str = ""
    actual: str = ""


Check = Callable[[Case, Reply, "CheckContext"], list[Failure]]


class CheckContext:
    """What checks need from the document, compiled once."""

    def __init__(self, document: ApiDocument) -> None:
        self.document = document
        self._validators: dict[str, ResponseSchema] = {}

    def validator(self, response: Response, media: str) -> ResponseSchema | None:
        """The response-direction validator of a declared media type's schema."""
        entry = next((m for m in response.content if m.name == media), None)
        if entry is None or entry.schema is None:
            return None
        key = f"{response.pointer}|{media}"
        if key not in self._validators:
            self._validators[key] = ResponseSchema(entry.schema, self.document.registry)
        return self._validators[key]

    def header_validator(self, header: Header) -> ResponseSchema | None:
        """The validator of a declared response header's schema."""
        if header.schema is None:
            return None
        if header.pointer not in self._validators:
            self._validators[header.pointer] = ResponseSchema(header.schema, self.document.registry)
        return self._validators[header.pointer]


def not_a_server_error(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """No 5xx."""
    if reply.status >= 500:
        return [
            Failure(
                "not_a_server_error", f"server error {reply.status}", "< 500", str(reply.status)
            )
        ]
    return []


def status_code_conformance(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """The status is one the operation declares (exactly, by range, or by default)."""
    if case.op.response_for(reply.status) is None:
        declared = ", ".join(r.status for r in case.op.responses)
        return [
            Failure(
                "status_code_conformance",
                f"{case.op.key} does not declare status {reply.status}",
                declared,
                str(reply.status),
            )
        ]
    return []


def content_type_conformance(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """A body comes with a Content-Type the response declares."""
    response = case.op.response_for(reply.status)
    if response is None or not response.content or not reply.body:
        return []
    actual = media_type_of(reply.headers.get("content-type", ""))
    if not any(media_matches(m.name, actual) for m in response.content):
        return [
            Failure(
                "content_type_conformance",
                f"{case.op.key} {reply.status} is not declared as {actual or '(none)'}",
                ", ".join(m.name for m in response.content),
                actual or "(none)",
            )
        ]
    return []


def response_headers_conformance(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """Required response headers are present, and declared ones match their schemas."""
    response = case.op.response_for(reply.status)
    failures = []
    for header in response.headers if response else ():
        value = reply.headers.get(header.name.lower())
        if value is None:
            if header.required:
                failures.append(
                    Failure(
                        "response_headers_conformance",
                        f"required header {header.name} is missing",
                        header.name,
                        "(absent)",
                    )
                )
            continue
        validator = context.header_validator(header)
        if validator is not None and header.schema is not None:
            typed = read_text(value, schema_types(header.schema, context.document.registry))
            if not _accepts(validator, typed):
                failures.append(
                    Failure(
                        "response_headers_conformance",
                        f"header {header.name} does not match its schema",
                        "valid value",
                        value,
                    )
                )
    return failures


def _accepts(validator: ResponseSchema, value: Any) -> bool:
    """Whether ``value`` is valid; a schema that cannot be evaluated accepts nothing."""
    try:
        return validator.accepts(value)
    except UncheckableSchema:
        return False


def response_schema_conformance(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """A JSON body is valid against the schema declared for its status and media type."""
    response = case.op.response_for(reply.status)
    if response is None or not reply.body:
        return []
    media = media_type_of(reply.headers.get("content-type", ""))
    declared = next((m.name for m in response.content if media_matches(m.name, media)), None)
    if declared is None or "json" not in media:
        return []
    validator = context.validator(response, declared)
    if validator is None:
        return []
    try:
        body = reply.json()
    except ValueError as exc:
        return [
            Failure(
                "response_schema_conformance",
                f"the body is not JSON: {exc}",
                "JSON",
                reply.body[:80].decode("utf-8", "replace"),
            )
        ]
    try:
        problems = validator.violations(body)
    except UncheckableSchema as exc:
        return [
            Failure(
                "response_schema_conformance",
                f"{case.op.key} {reply.status}: the declared schema cannot be checked: {exc}",
                f"a schema JSON Schema can evaluate at {response.pointer}",
                _short(body),
            )
        ]
    if problems:
        pointer, message = problems[0]
        return [
            Failure(
                "response_schema_conformance",
                f"{case.op.key} {reply.status} body at {pointer or '/'}: {message}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                f"valid against {response.pointer}",
                _short(body),
            )
        ]
    return []


def negative_data_rejection(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """A request breaking the contract gets a documented 4xx."""
    if case.kind != NEGATIVE:
        return []
    declared = case.op.response_for(reply.status)
    if not 400 <= reply.status < 500 or declared is None or declared.status == "default":
        return [
            Failure(
                "negative_data_rejection",
                f"{case.mutation} was answered {reply.status}",
                "a documented 4xx",
                str(reply.status),
            )
        ]
    return []


def positive_data_acceptance(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """A request the document allows is accepted (2xx, or 404 for an id that is not there)."""
    if case.kind != POSITIVE:
        return []
    has_ids = "{" in case.op.path
    if 200 <= reply.status < 300 or (reply.status == 404 and has_ids):
        return []
    return [
        Failure(
            "positive_data_acceptance",
            f"a valid request to {case.op.key} was answered {reply.status}",
            "2xx" + (" or 404" if has_ids else ""),
            str(reply.status),
        )
    ]


def ignored_auth(case: Case, reply: Reply, context: CheckContext) -> list[Failure]:
    """A request without credentials to a protected operation is refused."""
    if case.kind != NO_AUTH:
        return []
    if reply.status not in (401, 403):
        return [
            Failure(
                "ignored_auth",
                f"{case.op.key} answered {reply.status} without credentials",
                "401",
                str(reply.status),
            )
        ]
    return []


RESPONSE_CHECKS: dict[str, Check] = {
    "not_a_server_error": not_a_server_error,
    "status_code_conformance": status_code_conformance,
    "content_type_conformance": content_type_conformance,
    "response_headers_conformance": response_headers_conformance,
    "response_schema_conformance": response_schema_conformance,
    "negative_data_rejection": negative_data_rejection,
    "positive_data_acceptance": positive_data_acceptance,
    "ignored_auth": ignored_auth,
}


def run_response_checks(
    case: Case, reply: Reply, context: CheckContext, names: set[str] | None = None
) -> list[Failure]:
    """Every response check (or the named ones) on one exchange."""
    failures = []
    for name, check in RESPONSE_CHECKS.items():
        if names is None or name in names:
            failures.extend(check(case, reply, context))
    return failures


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
