"""Hypothesis strategies for whole requests to an operation: valid ones, and ones that
break exactly one constraint.

Parameters are drawn from their schemas and serialised by their style; credentials take
the shape of the operation's security scheme; where the mock's declaration knows what a
parameter means, values that matter (existing ids, times inside the dataset, words that
occur) are mixed in with arbitrary valid ones.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import assume
from hypothesis import strategies as st

from mockserver.generation.serialize import NOT_SENT, Drawn, WireRequest, build_request, read_text
from mockserver.generation.strategies import HEADER_SAFE, StrategyFactory
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, MediaType, Operation, Parameter, SecurityScheme
from mockserver.spec.navigate import deref, schema_types

#: Header parameters OpenAPI says to ignore; content negotiation and security own them.
_RESERVED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_PATH_SAFE = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/%?#.\\")


@dataclass(frozen=True)
class Negative:
    """A request that breaks one constraint, and what it breaks."""

    request: WireRequest
    mutation: str  # e.g. "query parameter 'limit': above maximum"


@dataclass
class RequestFactory:
    """Builds request strategies for the operations of one document."""

    document: ApiDocument
    mount: str = ""
    token: str = "mock-token"
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    #: (location, name) -> extra candidate values that matter for this parameter
    hints: Mapping[tuple[str, str, str], list[Any]] = field(default_factory=dict)
    exclusive: set[tuple[str, str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._factory = StrategyFactory(self.document.registry, "request")
        self._paths = StrategyFactory(self.document.registry, "request", text_alphabet=_PATH_SAFE)
        self._headers = StrategyFactory(
            self.document.registry, "request", text_alphabet=HEADER_SAFE
        )
        self._validators: dict[int, SchemaValidator] = {}

    # -- valid ------------------------------------------------------------------------

    def valid(self, op: Operation, *, credentials: bool = True) -> st.SearchStrategy[WireRequest]:
        """Requests the document says the operation accepts."""
        params = [p for p in op.parameters if not _reserved(p)]
        value_strategies = {(p.location, p.name): self._parameter(op, p) for p in params}
        required = {k for p in params if p.required for k in [(p.location, p.name)]}
        body = self._body(op)

        @st.composite
        def draw_request(draw: st.DrawFn) -> WireRequest:
            values: dict[tuple[str, str], Any] = {}
            for key, strategy in value_strategies.items():
                if key in required or draw(st.booleans()):
                    values[key] = draw(strategy)
            value, content, media = draw(body) if body is not None else (NOT_SENT, None, None)
            headers = (
                {**self.credentials(op), **self.extra_headers}
                if credentials
                else self._without_credentials(op)
            )
            request = build_request(op, self.mount, values, headers, content, media)
            sent = {k: v for k, v in values.items() if v is not None}  # null is not sent
            return replace(request, drawn=Drawn(sent, value))

        return draw_request()

    def _parameter(self, op: Operation, param: Parameter) -> st.SearchStrategy[Any]:
        if param.schema is None:
            return st.text(HEADER_SAFE, min_size=1, max_size=8)
        factory = {"path": self._paths, "header": self._headers, "cookie": self._headers}.get(
            param.location, self._factory
        )
        strategy = factory.from_schema(param.schema)
        if param.location in ("header", "cookie", "path"):
            strategy = strategy.filter(_wire_safe)
        key = (op.operation_id, param.location, param.name)
        hinted = self.hints.get(key)
        if hinted:
            validator = SchemaValidator(param.schema, self.document.registry, direction="request")
            usable = [v for v in hinted if validator.is_valid(v)]
            if usable and key in self.exclusive:
                return st.sampled_from(usable)
            if usable:
                return st.one_of(st.sampled_from(usable), strategy)
        return strategy

    def _body(
        self, op: Operation
    ) -> st.SearchStrategy[tuple[Any, bytes | None, str | None]] | None:
        """(the value, its encoding, the media type), or NOT_SENT and no body."""
        if op.request_body is None:
            return None
        media = _body_media(op.request_body.content)
        if media is None or media.schema is None:
            return None
        encode = _encoder(media.name)
        validator = SchemaValidator(media.schema, self.document.registry, direction="request")
        drawn = self._with_body_hints(op, self._factory.from_schema(media.schema))
        values = drawn.filter(validator.is_valid).map(
            lambda value: (value, encode(value), media.name)
        )
        if op.request_body.required:
            return values
        return st.one_of(values, st.just((NOT_SENT, None, None)))

    def _with_body_hints(
        self, op: Operation, values: st.SearchStrategy[Any]
    ) -> st.SearchStrategy[Any]:
        """Top-level body fields the declaration knows get values that matter."""
        fields = {
            pointer[1:]: hinted
            for (op_id, location, pointer), hinted in self.hints.items()
            if op_id == op.operation_id and location == "body" and pointer.count("/") == 1
        }
        if not fields:
            return values
        overrides = st.fixed_dictionaries(
            {}, optional={name: st.sampled_from(hinted) for name, hinted in fields.items()}
        )
        exclusive = {
            p[1:] for o, loc, p in self.exclusive if o == op.operation_id and loc == "body"
        }

        def combine(pair: tuple[Any, dict[str, Any]]) -> Any:
            value, chosen = pair
            if not isinstance(value, dict):
                return value
            kept = {k: v for k, v in value.items() if k not in exclusive}
            return {**kept, **chosen}

        return st.tuples(values, overrides).map(combine)

    # -- credentials ------------------------------------------------------------------

    def _without_credentials(self, op: Operation) -> dict[str, str]:
        """The extra headers minus any that carry credentials."""
        names = {"authorization"} | {
            s.parameter_name.lower()
            for s in self.document.security_schemes.values()
            if s.parameter_name
        }
        return {k: v for k, v in self.extra_headers.items() if k.lower() not in names}

    def credentials(self, op: Operation) -> dict[str, str]:
        """Headers that satisfy the operation's first security requirement."""
        if not op.security or any(not requirement for requirement in op.security):
            return {}
        headers: dict[str, str] = {}
        for name, _scopes in op.security[0]:
            scheme = self.document.security_schemes.get(name)
            if scheme is not None:
                headers.update(_credential_headers(scheme, self.token))
        return headers

    # -- negative ---------------------------------------------------------------------

    def negative(self, op: Operation) -> st.SearchStrategy[Negative] | None:
        """Requests that break exactly one constraint of the operation (never security);
        None when the operation has no constraint a request could break."""
        mutable = [p for p in op.parameters if not _reserved(p) and _breakable(p, self)]
        body = self._broken_bodies(op)
        options: list[st.SearchStrategy[Negative]] = [
            self._broken_parameter(op, p) for p in mutable
        ]
        if body is not None:
            options.append(body)
        if not options:
            return None
        return st.one_of(options)

    def _broken_parameter(self, op: Operation, param: Parameter) -> st.SearchStrategy[Negative]:
        base = self.valid(op)
        bad = _invalid_values(param, self.document)

        @st.composite
        def draw_negative(draw: st.DrawFn) -> Negative:
            request = draw(base)
            removable = param.required and param.location != "path"
            if removable and (not bad or draw(st.booleans())):
                return Negative(
                    _without(request, op, param),
                    f"{param.location} parameter {param.name!r}: missing",
                )
            value, what = draw(st.sampled_from(bad))
            mutated = _with_value(op, request, param, value, self.mount)
            return Negative(mutated, f"{param.location} parameter {param.name!r}: {what}")

        return draw_negative()

    def _broken_bodies(self, op: Operation) -> st.SearchStrategy[Negative] | None:
        if op.request_body is None:
            return None
        media = _body_media(op.request_body.content)
        if media is None or media.schema is None or "json" not in media.name:
            return None
        validator = SchemaValidator(media.schema, self.document.registry, direction="request")
        base = self.valid(op)
        good = self._factory.from_schema(media.schema)

        @st.composite
        def draw_negative(draw: st.DrawFn) -> Negative:
            request = draw(base)
            value = draw(good)
            mutations = _body_mutations(value, validator)
            assume(mutations)
            broken, what = draw(st.sampled_from(mutations))
            headers = {**request.headers, "Content-Type": media.name}
            body = json.dumps(broken).encode()
            return Negative(
                WireRequest(request.method, request.path, request.query, headers, body),
                f"body: {what}",
            )

        return draw_negative()


def _reserved(param: Parameter) -> bool:
    return param.location == "header" and param.name.lower() in _RESERVED_HEADERS


def _wire_safe(value: Any) -> bool:
    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
    return bool(text.strip()) and text == text.strip() and "\n" not in text


def _body_media(content: tuple[MediaType, ...]) -> MediaType | None:
    return next(
        (m for m in content if "json" in m.name),
        next((m for m in content if m.name == "application/x-www-form-urlencoded"), None),
    )


def _encoder(media: str) -> Callable[[Any], bytes]:
    if "json" in media:
        return lambda value: json.dumps(value).encode()

    def form(value: Any) -> bytes:
        pairs = [
            (
                k,
                json.dumps(v)
                if isinstance(v, dict)
                else str(v).lower()
                if isinstance(v, bool)
                else str(v),
            )
            for k, v in (value or {}).items()
        ]
        return urlencode(pairs).encode()

    return form


def _credential_headers(scheme: SecurityScheme, token: str) -> dict[str, str]:
    if scheme.type == "apiKey" and scheme.location == "header":
        return {scheme.parameter_name: token}
    if scheme.type == "http" and scheme.scheme == "basic":
        return {"Authorization": "Basic " + base64.b64encode(f"mock:{token}".encode()).decode()}
    if scheme.type in ("http", "oauth2", "openIdConnect"):
        return {"Authorization": f"Bearer {token}"}
    return {}


def _breakable(param: Parameter, factory: RequestFactory) -> bool:
    removable = param.required and param.location != "path"
    return removable or bool(_invalid_values(param, factory.document))


def _invalid_values(param: Parameter, document: ApiDocument) -> list[tuple[Any, str]]:
    """Wire values that break the parameter's schema, each with what it breaks."""
    if param.schema is None:
        return []
    registry = document.registry
    node = deref(param.schema, registry).value
    if not isinstance(node, dict):
        return []
    types = schema_types(param.schema, registry)
    candidates: list[tuple[Any, str]] = []
    if types and not types & {"string"} and types & {"integer", "number", "boolean"}:
        candidates.append(("not-a-number", "wrong type"))
    if isinstance(node.get("maximum"), int | float):
        candidates.append((node["maximum"] + 1, "above maximum"))
    if isinstance(node.get("minimum"), int | float):
        candidates.append((node["minimum"] - 1, "below minimum"))
    if node.get("enum"):
        candidates.append(("NOT-IN-ENUM", "not in enum"))
    if node.get("format") in ("uuid", "date-time", "date", "email", "ipv4", "uri"):
        candidates.append(("not-a-" + str(node["format"]), f"bad {node['format']} format"))
    if "pattern" in node:
        candidates.append(("!~!", "breaks pattern"))
    if isinstance(node.get("maxLength"), int):
        candidates.append(("x" * (node["maxLength"] + 1), "too long"))
    validator = SchemaValidator(param.schema, registry, direction="request")
    return [(v, what) for v, what in candidates if not validator.is_valid(read_text(str(v), types))]


def _without(request: WireRequest, op: Operation, param: Parameter) -> WireRequest:
    if param.location == "query":
        query = tuple(
            (k, v)
            for k, v in request.query
            if k != param.name and not k.startswith(param.name + "[")
        )
        return WireRequest(request.method, request.path, query, request.headers, request.body)
    if param.location == "header":
        headers = {k: v for k, v in request.headers.items() if k.lower() != param.name.lower()}
        return WireRequest(request.method, request.path, request.query, headers, request.body)
    return request


def _with_value(
    op: Operation, request: WireRequest, param: Parameter, value: Any, mount: str
) -> WireRequest:
    text = str(value)
    if param.location == "query":
        stripped = _without(request, op, param)
        return WireRequest(
            request.method,
            request.path,
            (*stripped.query, (param.name, text)),
            request.headers,
            request.body,
        )
    if param.location == "header":
        return WireRequest(
            request.method,
            request.path,
            request.query,
            {**request.headers, param.name: text},
            request.body,
        )
    if param.location == "path":
        segments = op.path.split("/")
        actual = request.path[len(mount) :].split("/")
        index = segments.index("{" + param.name + "}")
        actual[index] = quote(text, safe="")
        return WireRequest(
            request.method, mount + "/".join(actual), request.query, request.headers, request.body
        )
    return request


def _body_mutations(value: Any, validator: SchemaValidator) -> list[tuple[Any, str]]:
    """Changes to a valid body that make it invalid, with what each breaks."""
    candidates: list[tuple[Any, str]] = []
    if isinstance(value, dict):
        schema = deref(validator.schema, validator.registry).value
        for name in (schema.get("required") or []) if isinstance(schema, dict) else []:
            if name in value:
                candidates.append(
                    (
                        {k: v for k, v in value.items() if k != name},
                        f"required property {name!r} missing",
                    )
                )
        for name, item in value.items():
            wrong: Any = 12345 if isinstance(item, str) else "not-the-right-type"
            candidates.append(({**value, name: wrong}, f"property {name!r} has the wrong type"))
    candidates.append(("a string where the schema wants something else", "wrong body type"))
    return [(v, what) for v, what in candidates if not validator.is_valid(v)]
