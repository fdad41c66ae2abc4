"""Requests and responses as values, and each document's verdict on them.

A witness is judged here, by the document alone: a :class:`Call` (parameter values, a
body, credentials) against an operation, or a response value against a status. Path
parameters are held by position, so a template whose parameter was renamed still takes
the same call. Schemas are checked with the dialect validators of
:mod:`mockserver.spec.dialects`; the structure around them (required parameters, media
types, security) is read from the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from mockserver.spec.dialects import Direction, SchemaValidator, SchemaViolation
from mockserver.spec.model import (
    ApiDocument,
    MediaType,
    Operation,
    Parameter,
    SecurityRequirement,
    SecurityScheme,
)
from mockserver.spec.pointer import join_pointer
from mockserver.spec.sentinel import NOT_SENT

_TEMPLATE_PARAM = re.compile(r"\{([^}/]+)\}")


#: The value of a parameter or body that is not sent: the one sentinel, under diff's name.
ABSENT: Final = NOT_SENT

#: What a credential is, whatever the document calls its scheme: ("apiKey", "header",
#: "x-api-key"), ("http", "bearer"), ("oauth2",) ...
CredentialKind = tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """One request to an operation, as values.

    ``params`` maps ``(location, name)`` to a value; path parameters use their position
    in the template as the name (``("path", "0")``).
    """

    params: Mapping[tuple[str, str], Any] = field(default_factory=dict)
    body: Any = ABSENT
    media: str | None = None
    credentials: Mapping[CredentialKind, frozenset[str]] = field(default_factory=dict)


def template_names(op: Operation) -> list[str]:
    """The parameter names of the path template, in order."""
    return _TEMPLATE_PARAM.findall(op.path)


def param_key(op: Operation, param: Parameter) -> tuple[str, str]:
    """The key of ``param`` in a :class:`Call` (by position for path parameters)."""
    if param.location == "path":
        names = template_names(op)
        return ("path", str(names.index(param.name)) if param.name in names else param.name)
    return (param.location, param.name.lower() if param.location == "header" else param.name)


def value_pointer(key: tuple[str, str]) -> str:
    """Where a parameter sits in a call, as messages name it: ``/query/limit``."""
    return join_pointer("", *key)


def credential_kind(scheme: SecurityScheme) -> CredentialKind:
    """What a scheme asks the client to send, independent of the scheme's name."""
    if scheme.type == "apiKey":
        return ("apiKey", scheme.location, scheme.parameter_name.lower())
    if scheme.type == "http":
        return ("http", scheme.scheme.lower())
    return (scheme.type,)


def requirement_credentials(
    document: ApiDocument, requirement: SecurityRequirement
) -> dict[CredentialKind, frozenset[str]]:
    """The credentials (with scopes) that satisfy exactly ``requirement``."""
    found: dict[CredentialKind, frozenset[str]] = {}
    for name, scopes in requirement:
        scheme = document.security_schemes.get(name)
        kind = credential_kind(scheme) if scheme is not None else ("unknown", name)
        found[kind] = found.get(kind, frozenset()) | frozenset(scopes)
    return found


class Judge:
    """One document's verdict on calls and responses; validators built once per schema."""

    def __init__(self, document: ApiDocument) -> None:
        self.document = document
        self._validators: dict[tuple[int, str], SchemaValidator] = {}

    def validator(self, media: MediaType | Parameter, direction: Direction) -> SchemaValidator:
        """The (cached) validator for the schema of a parameter or media type."""
        assert media.schema is not None  # callers check; a missing schema accepts anything
        key = (id(media.schema), direction)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(
                media.schema, self.document.registry, direction=direction
            )
        return self._validators[key]

    # -- requests ---------------------------------------------------------------------

    def call_violations(self, op: Operation | None, call: Call) -> list[SchemaViolation]:
        """Every reason this document's ``op`` refuses ``call`` (none: it accepts it)."""
        if op is None:
            return [
                SchemaViolation("", "no operation matches this method and path", "operation", "")
            ]
        found = self._security(op, call)
        for param in op.parameters:
            found += self._parameter(op, param, call)
        return found + self._body(op, call)

    def _security(self, op: Operation, call: Call) -> list[SchemaViolation]:
        if not op.security or any(_met(self.document, r, call) for r in op.security):
            return []
        wanted = " or ".join(" and ".join(n for n, _ in r) for r in op.security)
        return [
            SchemaViolation("/security", f"credentials do not satisfy {wanted}", "security", "")
        ]

    def _parameter(self, op: Operation, param: Parameter, call: Call) -> list[SchemaViolation]:
        key = param_key(op, param)
        where = value_pointer(key)
        value = call.params.get(key, ABSENT)
        if value is ABSENT:
            if not param.required:
                return []
            return [
                SchemaViolation(
                    where, f"required {param.location} parameter missing", "required", ""
                )
            ]
        if param.schema is None:
            return []
        return _prefixed(self.validator(param, "request").iter_violations(value), where)

    def _body(self, op: Operation, call: Call) -> list[SchemaViolation]:
        body = op.request_body
        if call.body is ABSENT:
            if body is not None and body.required:
                return [SchemaViolation("/body", "required request body missing", "required", "")]
            return []
        if body is None:
            return []  # an undeclared body is ignored, as servers do
        media = body.media_type(call.media or "")
        if media is None:
            declared = ", ".join(m.name for m in body.content)
            return [
                SchemaViolation(
                    "/body", f"media type {call.media} not accepted ({declared})", "mediaType", ""
                )
            ]
        if media.schema is None:
            return []
        return _prefixed(self.validator(media, "request").iter_violations(call.body), "/body")

    # -- responses --------------------------------------------------------------------

    def response_violations(
        self, op: Operation | None, status: int, media_name: str, body: Any
    ) -> list[SchemaViolation]:
        """Every reason this document forbids ``op`` answering ``status`` with ``body``."""
        response = op.response_for(status) if op is not None else None
        if response is None:
            return [SchemaViolation("", f"no response declared for status {status}", "status", "")]
        if not response.content:
            return []
        media = next((m for m in response.content if m.name == media_name), None)
        if media is None:
            return [
                SchemaViolation("", f"status {status} declares no {media_name}", "mediaType", "")
            ]
        if media.schema is None:
            return []
        return list(self.validator(media, "response").iter_violations(body))


def _met(document: ApiDocument, requirement: SecurityRequirement, call: Call) -> bool:
    needed = requirement_credentials(document, requirement)
    return all(
        kind in call.credentials and scopes <= call.credentials[kind]
        for kind, scopes in needed.items()
    )


def _prefixed(violations: Any, where: str) -> list[SchemaViolation]:
    return [
        SchemaViolation(where + v.pointer, v.message, v.keyword, v.schema_path) for v in violations
    ]
