"""The plain, frozen model every other part of mockserver works from.

One model for Swagger 2.0, OpenAPI 3.0 and 3.1: the loader normalises each version's
structure (``$ref``\\ s to parameters, responses and bodies followed; 2.0 ``body`` and
``formData`` parameters turned into a request body) but leaves every *schema* as written,
tagged with its dialect, so that validation and generation can honour each dialect's own
rules (``nullable`` in 3.0, type arrays and ``prefixItems`` in 3.1).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from referencing import Registry

#: The schemas of a document and what it references, by URI, for ``$ref`` lookups.
SchemaRegistry = Registry[Any]

ParameterLocation = Literal["path", "query", "header", "cookie"]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Dialect(enum.Enum):
    """The schema dialect of a document: which JSON Schema rules its schemas follow."""

    SWAGGER_2 = "swagger-2.0"  # Draft 4 subset, plus x-nullable
    OPENAPI_3_0 = "openapi-3.0"  # Draft 4 subset, plus nullable, readOnly/writeOnly
    OPENAPI_3_1 = "openapi-3.1"  # JSON Schema 2020-12, plus the OpenAPI vocabulary

    @classmethod
    def from_version(cls, version: str) -> Dialect | None:
        """The dialect for an ``openapi``/``swagger`` version string, if supported."""
        if version == "2.0":
            return cls.SWAGGER_2
        if version.startswith("3.0."):
            return cls.OPENAPI_3_0
        if version.startswith("3.1."):
            return cls.OPENAPI_3_1
        return None


@dataclass(frozen=True)
class Schema:
    """A schema as written, where it lives, and which dialect it speaks.

    ``uri`` is the absolute address of the schema in its file (``file:///...#/pointer``);
    validators start there so that its own ``$ref``\\ s resolve as the author meant.
    Schemas mockserver builds itself (from Swagger 2.0 parameters) have ``uri=None``.
    """

    value: Any
    dialect: Dialect
    uri: str | None
    file: Path
    pointer: str


@dataclass(frozen=True)
class Example:
    """A named example value (``example`` is named ``"default"``)."""

    name: str
    value: Any
    pointer: str
    summary: str = ""


@dataclass(frozen=True)
class MediaType:
    """One entry of a ``content`` map."""

    name: str
    schema: Schema | None
    examples: tuple[Example, ...] = ()
    encoding: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """A path, query, header or cookie parameter, with its serialisation."""

    name: str
    location: ParameterLocation
    required: bool
    schema: Schema | None
    style: str
    explode: bool
    pointer: str
    allow_reserved: bool = False
    media_type: str | None = None  # set when the parameter uses ``content``
    examples: tuple[Example, ...] = ()
    deprecated: bool = False
    description: str = ""


@dataclass(frozen=True)
class RequestBody:
    """What an operation accepts as a body."""

    required: bool
    content: tuple[MediaType, ...]
    pointer: str

    def media_type(self, name: str) -> MediaType | None:
        """The entry for exactly ``name``, if declared."""
        return next((m for m in self.content if m.name == name), None)


@dataclass(frozen=True)
class Header:
    """A response header."""

    name: str
    required: bool
    schema: Schema | None
    pointer: str


@dataclass(frozen=True)
class Response:
    """One entry of ``responses``: a status code, a range such as ``4XX``, or ``default``."""

    status: str
    description: str
    content: tuple[MediaType, ...]
    headers: tuple[Header, ...]
    pointer: str

    def matches(self, status: int) -> bool:
        """Whether this entry covers the numeric ``status``."""
        if self.status == "default":
            return True
        if self.status.upper().endswith("XX"):
            return self.status[0] == str(status)[0]
        return self.status == str(status)


@dataclass(frozen=True)
class SecurityScheme:
    """How credentials are sent: ``apiKey`` (header/query/cookie), ``http`` or OAuth."""

    name: str
    type: str
    scheme: str = ""  # for http: bearer, basic
    location: str = ""  # for apiKey: header, query, cookie
    parameter_name: str = ""  # for apiKey: the header/query/cookie name
    description: str = ""


#: One security requirement: scheme names with the scopes each needs. A list of these
#: is satisfied when any one requirement is met in full.
SecurityRequirement = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: tuple[Response, ...]
    security: tuple[SecurityRequirement, ...]
    pointer: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    declared_operation_id: bool = True

    @property
    def key(self) -> str:
        """``GET /pets/{id}``: how messages name an operation."""
        return f"{self.method.upper()} {self.path}"

    def response_for(self, status: int) -> Response | None:
        """The declared response for ``status``: exact code, then range, then default."""
        return next((r for r in self._ranked_responses if r.matches(status)), None)

    @functools.cached_property
    def _ranked_responses(self) -> tuple[Response, ...]:
        return tuple(sorted(self.responses, key=_specificity))

    def parameter(self, location: str, name: str) -> Parameter | None:
        """The parameter ``name`` in ``location`` (header names ignore case)."""
        fold = str.lower if location == "header" else str
        return next(
            (p for p in self.parameters if p.location == location and fold(p.name) == fold(name)),
            None,
        )


def _specificity(response: Response) -> int:
    if response.status == "default":
        return 2
    return 1 if response.status.upper().endswith("XX") else 0


@dataclass(frozen=True)
class ApiDocument:
    """A loaded OpenAPI document: its operations and what serving it needs."""

    name: str
    path: Path
    version: str
    dialect: Dialect
    title: str
    api_version: str
    base_path: str
    operations: tuple[Operation, ...]
    security_schemes: Mapping[str, SecurityScheme]
    raw: Mapping[str, Any] = field(repr=False)
    files: tuple[Path, ...] = ()
    registry: SchemaRegistry = field(default_factory=Registry, repr=False, compare=False)

    def operation(self, operation_id: str) -> Operation | None:
        """The operation with this ``operationId`` (or ``GET /path`` key)."""
        return self._by_name.get(operation_id)

    @functools.cached_property
    def _by_name(self) -> Mapping[str, Operation]:
        """Each operation by id and by key, the first in document order winning."""
        found: dict[str, Operation] = {}
        for op in self.operations:
            found.setdefault(op.operation_id, op)
            found.setdefault(op.key, op)
        return found
