"""Everything a request to one operation needs, worked out once: on its first request."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.data.declaration import OperationBehaviour
from mockserver.serve.statuses import Choice, choose_status
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, Operation, Parameter, SchemaRegistry
from mockserver.spec.navigate import deref
from mockserver.spec.params import ParameterShape, shape_of, undefined_serialisation
from mockserver.spec.patterns import unjudged_warning
from mockserver.spec.sentinel import NOT_SENT

#: Header parameters OpenAPI says to ignore: content negotiation and security own them.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True)
class ParameterPlan:
    """A parameter with its coercion shape and compiled validator."""

    param: Parameter
    shape: ParameterShape
    validator: SchemaValidator | None
    default: Any = NOT_SENT  # the schema's default, applied when the request omits it
    #: scalar value -> its violations: a verdict is a pure function of schema and value, and
    #: refusing the same bad value again should not cost the full validator again
    verdicts: dict[tuple[type, Any], tuple[Any, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class OperationPlan:
    """One operation, ready to check and answer requests.

    What is cheap (statuses, media types) is worked out when the plan is made; the compiled
    validators and shapes are built on the operation's first request and kept, so start-up
    does not grow with the number of operations (a large document has thousands, and a mock
    is usually asked about a few).
    """

    key: str  # unique across every mounted API: "<api>:<index>"
    api: str
    op: Operation
    registry: SchemaRegistry = field(repr=False, compare=False)
    produces: tuple[str, ...]  # media types of the success responses
    statuses: frozenset[str]  # the declared response keys ("400", "4XX", "default")
    behaviour: OperationBehaviour | None = None

    #: natural status -> the declared one that answers it, worked out once per status
    choices: dict[int, Choice] = field(default_factory=dict, compare=False, repr=False)
    #: query pairs -> each query parameter's value and violations, by parameter index: a
    #: pure function of the pairs, and a frontend asks the same query again and again
    query_reads: dict[tuple[tuple[str, str], ...], Any] = field(
        default_factory=dict, compare=False, repr=False
    )

    @functools.cached_property
    def parameters(self) -> tuple[ParameterPlan, ...]:
        """Each parameter the request is checked for, with its compiled validator."""
        registry = self.registry
        plans = []
        for p in self.op.parameters:
            if p.location == "header" and p.name.lower() in IGNORED_HEADERS:
                continue
            shape = shape_of(p.schema, registry)
            # a value OpenAPI gives no way to write is not judged (see undefined_serialisation)
            judged = undefined_serialisation(p, shape) is None
            validator = _validator(p, registry) if judged else None
            plans.append(ParameterPlan(p, shape, validator, _default(p, registry)))
        return tuple(plans)

    @functools.cached_property
    def bodies(self) -> Mapping[str, SchemaValidator | None]:
        """Request media type -> its compiled validator (None: no schema)."""
        found: dict[str, SchemaValidator | None] = {}
        if self.op.request_body is not None:
            for media in self.op.request_body.content:
                found[media.name.lower()] = (
                    SchemaValidator(media.schema, self.registry, direction="request")
                    if media.schema is not None
                    else None
                )
        return found

    @functools.cached_property
    def form_shapes(self) -> Mapping[str, ParameterShape]:
        """Form (non-JSON) media type -> the field types, to read string fields as typed."""
        return {
            name: shape_of(v.schema, self.registry)
            for name, v in self.bodies.items()
            if v is not None and "json" not in name
        }

    @functools.cached_property
    def encodings(self) -> Mapping[str, Mapping[str, Any]]:
        """Request media type -> its Encoding Objects by property (multipart parts)."""
        body = self.op.request_body
        return {m.name.lower(): m.encoding for m in body.content} if body is not None else {}

    @functools.cached_property
    def pattern_warning(self) -> str | None:
        """The ``Warning`` every answer carries when a request schema has a pattern no
        engine reads (it accepts any value: see :mod:`mockserver.spec.patterns`)."""
        validators = [p.validator for p in self.parameters] + list(self.bodies.values())
        unjudged = dict.fromkeys(
            pattern for v in validators if v is not None for pattern in v.unjudged
        )
        return unjudged_warning(tuple(unjudged))

    @functools.cached_property
    def serialisation_warning(self) -> str | None:
        """The ``Warning`` every answer carries when a parameter's values have no
        serialisation OpenAPI defines (they are accepted unjudged)."""
        gaps = [
            f"{p.param.location} parameter {p.param.name!r} is {gap}"
            for p in self.parameters
            if (gap := undefined_serialisation(p.param, p.shape)) is not None
        ]
        if not gaps:
            return None
        text = "; ".join(gaps).encode("ascii", "backslashreplace").decode("ascii")
        text = text.replace('"', "'")[:300]
        unjudged = "which OpenAPI defines no serialisation for: any value is accepted for it"
        return f'199 mockserver "{text}, {unjudged}"'

    def warm(self) -> None:
        """Build what the first request would otherwise build."""
        _ = self.form_shapes, self.pattern_warning, self.serialisation_warning

    def declares(self, status: int) -> bool:
        """Whether the operation declares a response for exactly ``status``."""
        return any(r.status == str(status) for r in self.op.responses)

    def choose(self, natural: int) -> Choice:
        """The declared status that answers a situation whose natural status is ``natural``
        (see :mod:`mockserver.serve.statuses`)."""
        choice = self.choices.get(natural)
        if choice is None:
            choice = choose_status((r.status for r in self.op.responses), natural)
            self.choices[natural] = choice
        return choice


def plan_operation(
    key: str,
    api: str,
    op: Operation,
    document: ApiDocument,
    behaviour: OperationBehaviour | None = None,
) -> OperationPlan:
    """The plan for ``op``; its validators are compiled on first use."""
    return OperationPlan(key, api, op, document.registry, _produces(op), _statuses(op), behaviour)


def _validator(param: Parameter, registry: SchemaRegistry) -> SchemaValidator | None:
    if param.schema is None:
        return None
    return SchemaValidator(param.schema, registry, direction="request")


def _default(param: Parameter, registry: SchemaRegistry) -> Any:
    if param.schema is None:
        return NOT_SENT
    value = deref(param.schema, registry).value
    return value.get("default", NOT_SENT) if isinstance(value, dict) else NOT_SENT


def _produces(op: Operation) -> tuple[str, ...]:
    found: list[str] = []
    for response in op.responses:
        if response.status.startswith("2") or response.status == "default":
            found.extend(m.name for m in response.content if m.name not in found)
    return tuple(found)


def _statuses(op: Operation) -> frozenset[str]:
    return frozenset(r.status for r in op.responses)
