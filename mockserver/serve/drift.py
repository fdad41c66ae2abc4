"""Drift: how a provider's answer breaks the API description the mock serves.

The proxy (:mod:`mockserver.serve.proxy`) hands every provider answer here before passing
it on. The checks mirror what the mock promises of its own answers: the status is
declared (exactly, as a range such as ``4XX``, or as ``default``), the content type is one
the status declares, a JSON body matches the schema for that status and type, and every
declared response header is present when required and matches its schema. Each finding is
a :class:`~mockserver.serve.problems.Violation` with a JSON pointer, so the journal lists
response drift the same way it lists request violations.

Validators are compiled once per (operation, status entry, media type) and reused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import Violation
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.media import media_matches, media_type_of
from mockserver.spec.model import Header, MediaType, Response, SchemaRegistry
from mockserver.spec.params import coerce, shape_of

#: Bodies larger than this are passed on without being checked (see the proxy's streaming).
UNCHECKED = "unchecked"


class DriftChecker:
    """Checks provider answers against one API's document, compiling each schema once."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self._bodies: dict[tuple[str, str, str], SchemaValidator | None] = {}
        self._headers: dict[tuple[str, str, str], tuple[SchemaValidator, frozenset[str]]] = {}

    def check(
        self,
        plan: OperationPlan,
        status: int,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> list[Violation]:
        """Every way the answer breaks the document; ``body`` None: too long to check."""
        response = declared_response(plan, status)
        if response is None:
            declared = ", ".join(r.status for r in plan.op.responses) or "none"
            return [
                Violation("status", "", "", f"{status} is not declared (declared: {declared})",
                          "status")
            ]  # fmt: skip
        found = self._check_headers(plan, response, headers)
        found.extend(self._check_body(plan, response, headers.get("content-type", ""), body))
        return found

    def _check_body(
        self, plan: OperationPlan, response: Response, content_type: str, body: bytes | None
    ) -> list[Violation]:
        if not response.content:
            return []  # nothing declared: any body is the provider's business
        media_name = media_type_of(content_type)
        if not media_name:
            if body:
                return [_content_type(f"missing; {response.status} declares {_names(response)}")]
            return []
        media = next((m for m in response.content if media_matches(m.name, media_name)), None)
        if media is None:
            return [_content_type(f"{media_name} is not declared for {response.status} "
                                  f"(declared: {_names(response)})")]  # fmt: skip
        if body is None or media.schema is None or "json" not in media_name:
            return []  # too long, no schema, or a type mockserver does not parse
        try:
            value = parse_json(body)
        except ValueError as error:
            return [Violation("body", "", "", f"not valid JSON: {error}", "json")]
        validator = self._body_validator(plan, response, media)
        if validator is None:
            return []
        return [
            Violation("body", "", v.pointer, v.message, v.keyword)
            for v in validator.iter_violations(value)
        ]

    def _check_headers(
        self, plan: OperationPlan, response: Response, headers: Mapping[str, str]
    ) -> list[Violation]:
        found: list[Violation] = []
        for header in response.headers:
            name = header.name.lower()
            if name == "content-type":
                continue  # OpenAPI ignores a declared Content-Type header
            if name not in headers:
                if header.required:
                    found.append(Violation("header", header.name, "", "missing", "required"))
                continue
            checked = self._header_validator(plan, response, header)
            if checked is None:
                continue
            validator, types = checked
            value = coerce(headers[name], types)
            found.extend(
                Violation("header", header.name, v.pointer, v.message, v.keyword)
                for v in validator.iter_violations(value)
            )
        return found

    def _body_validator(
        self, plan: OperationPlan, response: Response, media: MediaType
    ) -> SchemaValidator | None:
        key = (plan.key, response.status, media.name)
        if key not in self._bodies:
            schema = media.schema
            self._bodies[key] = (
                SchemaValidator(schema, self.registry) if schema is not None else None
            )
        return self._bodies[key]

    def _header_validator(
        self, plan: OperationPlan, response: Response, header: Header
    ) -> tuple[SchemaValidator, frozenset[str]] | None:
        if header.schema is None:
            return None
        key = (plan.key, response.status, header.name)
        if key not in self._headers:
            shape = shape_of(header.schema, self.registry)
            self._headers[key] = (SchemaValidator(header.schema, self.registry), shape.types)
        return self._headers[key]


def parse_json(body: bytes) -> Any:
    """The body as JSON: orjson's parser (several times the standard library's speed), the
    standard library's for what orjson refuses but JSON allows (integers beyond 64 bits);
    raises ValueError."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def declared_response(plan: OperationPlan, status: int) -> Response | None:
    """The response entry covering ``status``: exact, then its range, then ``default``."""
    responses = plan.op.responses
    exact = next((r for r in responses if r.status == str(status)), None)
    if exact is not None:
        return exact
    ranged = next((r for r in responses if r.status.upper() == f"{str(status)[0]}XX"), None)
    return ranged or next((r for r in responses if r.status == "default"), None)


def _names(response: Response) -> str:
    return ", ".join(m.name for m in response.content)


def _content_type(message: str) -> Violation:
    return Violation("header", "Content-Type", "", message, "content-type")


def describe(violations: list[Violation] | tuple[Violation, ...]) -> list[dict[str, Any]]:
    """Violations as a problem body lists them: pointer, keyword and message."""
    return [
        {"pointer": pointer_of(v), "keyword": v.kind, "message": v.describe()} for v in violations
    ]


def pointer_of(violation: Violation) -> str:
    """``/body/items/0/id``, ``/header/X-Rate-Limit``: where the violation is."""
    parts = (violation.location, violation.name)
    return "/" + "/".join(p for p in parts if p) + (violation.pointer or "")
