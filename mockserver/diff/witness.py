"""Find the request or response that proves a suspected break, or say none was found.

Requests are drawn from OLD's schemas (so OLD accepts them) with the probe's values
spliced in where the documents differ; a witness is one that OLD's validators accept
and NEW's reject, at the place of the change. Responses go the other way for clients
(NEW allows, OLD forbids) and the same way for providers. Hypothesis does the drawing
and shrinks what it finds to a small example; the budget bounds the draws.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from mockserver.diff.calls import (
    ABSENT,
    Call,
    CredentialKind,
    Judge,
    param_key,
    requirement_credentials,
    template_names,
)
from mockserver.diff.documents import Side
from mockserver.diff.probes import Extra
from mockserver.diff.suspects import RESERVED_HEADERS, Probe, Suspect
from mockserver.diff.wire import as_read_by
from mockserver.generation.serialize import WireRequest, build_request, path_value
from mockserver.generation.strategies import HEADER_SAFE, StrategyFactory
from mockserver.spec.dialects import SchemaViolation
from mockserver.spec.model import ApiDocument, MediaType, Operation, Parameter, Response
from mockserver.spec.pointer import split_pointer
from mockserver.spec.schema_walk import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED

BASE_URL = "http://localhost:8000"
_TEMPLATE = re.compile(r"\{([^}/]*)\}")
_PATH_SAFE = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/%?#.\\")
_KEEP: Any = object()
_SKIP: Any = object()  # drawn once a search is out of time
_NONE_FOUND: Any = object()  # what a search returns without a witness (None is a body)
#: Keywords an object fails at its own pointer because of one of its members.
_ABOUT_MEMBERS = frozenset(
    {"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"}
)


@dataclass(frozen=True)
class Witness:
    """A concrete request or response on which the two documents disagree."""

    kind: str  # "request" or "response"
    text: str  # a curl command, or the response as JSON
    accepted_by: str  # "OLD" or "NEW"
    rejected_by: str
    violation: SchemaViolation  # why the other document refuses it
    value: Any = None  # the Call, or the response body
    status: int = 0  # for responses
    media: str = ""  # for responses
    request: WireRequest | None = None  # for requests: the call as it goes on the wire

    def fields(self) -> dict[str, Any]:
        """The witness as separate fields, for machine-readable reports."""
        if self.request is None:
            return {"status": self.status, "content_type": self.media or None, "body": self.value}
        request = self.request
        body = None
        if request.body is not None:
            text = request.body.decode("utf-8", "replace")
            try:
                body = json.loads(text)
            except ValueError:
                body = text
        return {
            "method": request.method.upper(),
            "path": request.path,
            "query": [list(pair) for pair in request.query],
            "headers": dict(request.headers),
            "body": body,
            "curl": self.text,
        }


class _Generators:
    """Strategies for one document's requests and responses."""

    def __init__(self, document: ApiDocument) -> None:
        registry = document.registry
        self.document = document
        self.values = StrategyFactory(registry, "request")
        self.paths = StrategyFactory(registry, "request", text_alphabet=_PATH_SAFE)
        self.headers = StrategyFactory(registry, "request", text_alphabet=HEADER_SAFE)
        self.responses = StrategyFactory(registry, "response")

    def calls(self, op: Operation, probe: Probe) -> st.SearchStrategy[Call]:
        params = [p for p in op.parameters if not _reserved(p)]
        drawn = {param_key(op, p): self._parameter(p) for p in params}
        required = {param_key(op, p) for p in params if p.required}
        body = self._body(op, probe.media)
        credentials = _credential_options(self.document, op, probe)

        @st.composite
        def draw_call(draw: st.DrawFn) -> Call:
            values = {k: draw(s) for k, s in drawn.items() if k in required or draw(st.booleans())}
            content, media = draw(body)
            return Call(values, content, media, draw(st.sampled_from(credentials)))

        return draw_call()

    def _parameter(self, param: Parameter) -> st.SearchStrategy[Any]:
        if param.schema is None:
            return st.text(HEADER_SAFE, min_size=1, max_size=8)
        factory = {"path": self.paths, "header": self.headers, "cookie": self.headers}
        values = factory.get(param.location, self.values).from_schema(param.schema)
        if param.location == "path":  # an empty segment would route elsewhere
            return values.filter(lambda v: v not in ("", [], {}, None))
        return values

    def _body(self, op: Operation, media_name: str | None) -> st.SearchStrategy[tuple[Any, Any]]:
        body = op.request_body
        if body is None or not body.content:
            return st.just((ABSENT, None))
        media = body.media_type(media_name or "") or _preferred(body.content)
        values = self.values.from_schema(media.schema) if media.schema else st.just({})
        sent = values.map(lambda v: (v, media.name))
        return sent if body.required else st.one_of(st.just((ABSENT, None)), sent)

    def response(self, media: MediaType | None) -> st.SearchStrategy[Any]:
        if media is None or media.schema is None:
            return st.just(None)
        return self.responses.from_schema(media.schema)


class WitnessFinder:
    """Looks for a witness of each suspect, with both documents' validators as judges."""

    def __init__(self, old: Side, new: Side, budget: int = 100, seconds: float = 5.0) -> None:
        self.old, self.new = old, new
        self.budget = budget
        self.seconds = seconds  # CPU per suspect: a schema too hard to draw from is unproven
        self.judges = {"OLD": Judge(old.document), "NEW": Judge(new.document)}
        self.generators = {"OLD": _Generators(old.document), "NEW": _Generators(new.document)}

    def find(self, suspect: Suspect) -> Witness | None:
        """The witness for ``suspect``, or None when the budget finds none."""
        probe = suspect.probe
        if probe.side == "note":
            return None  # nothing to prove: the suspect only says what was not compared
        if probe.side == "request":
            return self._request(suspect)
        if probe.side == "status":
            return self._status(suspect)
        return self._response(suspect)

    # -- requests ---------------------------------------------------------------------

    def _request(self, suspect: Suspect) -> Witness | None:
        probe, old_op, new_op = suspect.probe, suspect.old_op, suspect.new_op
        calls = _spliced(self.generators["OLD"].calls(old_op, probe), probe, _splice_call)
        old, new = self.judges["OLD"], self.judges["NEW"]

        def rejection(call: Call) -> SchemaViolation | None:
            if old.call_violations(old_op, call):
                return None
            arrived = as_read_by(call, old_op, new_op, self.new.document)
            return _related(new.call_violations(new_op, arrived), probe)

        call = self._search(calls, lambda c: rejection(c) is not None)
        if call is _NONE_FOUND:
            return None
        violation = rejection(call)
        assert violation is not None  # found by the same predicate
        request = _wire(self.old.document, old_op, call)
        return Witness("request", curl(request), "OLD", "NEW", violation, call, request=request)

    # -- responses --------------------------------------------------------------------

    def _response(self, suspect: Suspect) -> Witness | None:
        probe = suspect.probe
        allows, forbids = ("NEW", "OLD") if probe.side == "clients" else ("OLD", "NEW")
        ops = {"OLD": suspect.old_op, "NEW": suspect.new_op}
        source = _declared(ops[allows], probe.status)
        media = next((m for m in source.content if m.name == probe.media), None) if source else None
        status = _status_number(probe.status)
        media_name = probe.media or ""
        bodies = _spliced(self.generators[allows].response(media), probe, _splice_value)
        return self._response_witness(
            bodies, allows, forbids, ops, status, media_name, lambda vs: _related(vs, probe)
        )

    def _status(self, suspect: Suspect) -> Witness | None:
        """A success status NEW added that OLD forbids, or the removed one NEW forbids."""
        ops = {"OLD": suspect.old_op, "NEW": suspect.new_op}
        assert suspect.new_op is not None  # a removed operation is a different suspect
        before = {r.status.upper() for r in suspect.old_op.responses}
        added = [r for r in suspect.new_op.responses if r.status.upper() not in before]
        attempts = [("NEW", "OLD", r) for r in added if r.status.startswith("2")]
        removed = _declared(suspect.old_op, suspect.probe.status)
        attempts += [("OLD", "NEW", removed)] if removed is not None else []
        for allows, forbids, response in attempts:
            media = _json_content(response)
            bodies = self.generators[allows].response(media)
            witness = self._response_witness(
                bodies,
                allows,
                forbids,
                ops,
                _status_number(response.status),
                media.name if media else "",
                lambda vs: next((v for v in vs if v.keyword == "status"), None),
            )
            if witness is not None:
                return witness
        return None

    def _response_witness(
        self,
        bodies: st.SearchStrategy[Any],
        allows: str,
        forbids: str,
        ops: dict[str, Operation | None],
        status: int,
        media: str,
        pick: Callable[[list[SchemaViolation]], SchemaViolation | None],
    ) -> Witness | None:
        def rejection(body: Any) -> SchemaViolation | None:
            if body is ABSENT or self.judges[allows].response_violations(
                ops[allows], status, media, body
            ):
                return None
            return pick(self.judges[forbids].response_violations(ops[forbids], status, media, body))

        body = self._search(bodies, lambda b: rejection(b) is not None)
        if body is _NONE_FOUND:
            return None
        violation = rejection(body)
        assert violation is not None  # found by the same predicate
        shown = {"status": status, "content-type": media or None, "body": body}
        return Witness(
            "response", json.dumps(shown), allows, forbids, violation, body, status, media
        )

    # -- search -----------------------------------------------------------------------

    def _search(self, strategy: st.SearchStrategy[Any], found: Callable[[Any], bool]) -> Any:
        # CPU time, not wall time: other processes on the machine do not shorten a search.
        # Past the limit every draw is the cheap _SKIP, which the predicate refuses; once a
        # witness is found the limit no longer applies, so that shrinking replays it.
        deadline = time.process_time() + self.seconds
        witnesses: list[Any] = []

        def late() -> bool:
            return not witnesses and time.process_time() > deadline

        def proves(value: Any) -> bool:
            if value is _SKIP or not found(value):
                return False
            witnesses.append(value)
            return True

        timed = st.booleans().flatmap(lambda _: st.just(_SKIP) if late() else strategy)
        try:
            return find(
                timed,
                proves,
                settings=settings(
                    max_examples=self.budget,
                    database=None,
                    derandomize=True,
                    deadline=None,
                    phases=(Phase.generate, Phase.shrink),
                    suppress_health_check=list(HealthCheck),
                ),
            )
        except HypothesisException:
            # no example (NoSuchExample, Unsatisfiable), or a draw cut short by the time
            # limit that Hypothesis then sees as flaky: the first witness found still proves
            return witnesses[0] if witnesses else _NONE_FOUND


def _spliced(
    strategy: st.SearchStrategy[Any], probe: Probe, splice: Callable[[Any, Probe, Any], Any]
) -> st.SearchStrategy[Any]:
    if not probe.values:
        return strategy
    choices = st.sampled_from((_KEEP, *probe.values))
    return st.tuples(strategy, choices).map(lambda pair: splice(pair[0], probe, pair[1]))


def _splice_call(call: Call, probe: Probe, value: Any) -> Call:
    if value is _KEEP:
        return call
    if probe.target[0] == "body":
        return Call(
            call.params, _splice(call.body, probe.pointer, value), call.media, call.credentials
        )
    params = dict(call.params)
    spliced = _splice(params.get(probe.target, ABSENT), probe.pointer, value)
    if spliced is ABSENT:
        params.pop(probe.target, None)
    else:
        params[probe.target] = spliced
    return Call(params, call.body, call.media, call.credentials)


def _splice_value(body: Any, probe: Probe, value: Any) -> Any:
    return body if value is _KEEP else _splice(body, probe.pointer, value)


def _splice(container: Any, pointer: str, value: Any) -> Any:
    """A copy of ``container`` with ``value`` at ``pointer`` (ABSENT removes it; an
    :class:`Extra` adds a member or an item to what is there)."""
    tokens = split_pointer(pointer)
    if not tokens:
        return _extended(container, value) if isinstance(value, Extra) else value
    head, rest = (
        tokens[0],
        "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens[1:]),
    )
    if isinstance(container, dict):
        copy = dict(container)
        child = _splice(copy.get(head, {} if rest else ABSENT), rest, value)
        if child is ABSENT:
            copy.pop(head, None)
        else:
            copy[head] = child
        return copy
    if isinstance(container, list) and head.isdigit():
        copy_list = list(container)
        if not copy_list:
            return copy_list if value is ABSENT else [_splice({} if rest else ABSENT, rest, value)]
        child = _splice(copy_list[0], rest, value)
        return copy_list[1:] if child is ABSENT else [child, *copy_list[1:]]
    return container


def _extended(container: Any, extra: Extra) -> Any:
    if extra.key is None:
        return [*container, extra.value] if isinstance(container, list) else container
    if isinstance(container, dict):
        return {**dict(extra.also), **container, extra.key: extra.value}
    return container


def _related(violations: list[SchemaViolation], probe: Probe) -> SchemaViolation | None:
    """The first violation that concerns the probe's place (or its expected keyword)."""
    for violation in violations:
        if probe.expect:
            if violation.keyword == probe.expect:
                return violation
        elif not _about(violation.keyword, probe.aspect):
            continue
        elif _nested(violation.pointer, probe.location) or (
            ABSENT in probe.values  # the probe is about a member: its object may object
            and violation.keyword in _ABOUT_MEMBERS
            and _nested(probe.location, violation.pointer)
            and len(split_pointer(probe.location)) == len(split_pointer(violation.pointer)) + 1
        ):
            return violation
    return None


#: Keywords a change of one keyword (the key) may be refused by.
_REFUSED_BY = {
    "type": frozenset({"type"}),
    "enum": frozenset({"enum", "const"}),
    "required": frozenset({"required"}),
    "minimum": frozenset({"minimum", "exclusiveMinimum"}),
    "exclusiveMinimum": frozenset({"minimum", "exclusiveMinimum"}),
    "maximum": frozenset({"maximum", "exclusiveMaximum"}),
    "exclusiveMaximum": frozenset({"maximum", "exclusiveMaximum"}),
    "contains": frozenset({"contains", "minContains", "maxContains"}),
    "minContains": frozenset({"contains", "minContains"}),
    "maxContains": frozenset({"contains", "maxContains"}),
}
#: Keywords that hold other schemas: a refusal surfaces as any keyword inside them.
_COMPOSITE = frozenset(
    {"", "property", "$ref", "$dynamicRef", *SCHEMA_VALUED, *SCHEMA_LISTS, *SCHEMA_MAPS}
) - {"contains"}


def _about(keyword: str, aspect: str) -> bool:
    """Whether a refusal by ``keyword`` is a refusal for the change of ``aspect``:
    a witness must fail for the reason its rule names."""
    if aspect in _COMPOSITE or keyword in _COMPOSITE:
        return True
    return keyword in _REFUSED_BY.get(aspect, frozenset({aspect}))


def _nested(inner: str, outer: str) -> bool:
    """Whether ``inner`` is ``outer`` or lies below it (array indices match any index)."""
    mine, theirs = split_pointer(inner), split_pointer(outer)
    if len(mine) < len(theirs):
        return False
    return all(a == b or (a.isdigit() and b.isdigit()) for a, b in zip(mine, theirs, strict=False))


def _credential_options(
    document: ApiDocument, op: Operation, probe: Probe
) -> list[dict[CredentialKind, frozenset[str]]]:
    if probe.credentials:
        return list(probe.credentials)
    options = [requirement_credentials(document, r) for r in op.security]
    return options or [{}]


def _reserved(param: Parameter) -> bool:
    return param.location == "header" and param.name.lower() in RESERVED_HEADERS


def _preferred(content: tuple[MediaType, ...]) -> MediaType:
    return next((m for m in content if "json" in m.name), content[0])


def _json_content(response: Response) -> MediaType | None:
    return (
        next((m for m in response.content if "json" in m.name), None) if response.content else None
    )


def _declared(op: Operation | None, status: str) -> Response | None:
    if op is None:
        return None
    return next((r for r in op.responses if r.status.upper() == status.upper()), None)


def _status_number(status: str) -> int:
    if status.isdigit():
        return int(status)
    if status.upper().endswith("XX") and status[0].isdigit():
        return int(status[0]) * 100
    return 599  # "default": a status no document is likely to name


# -- rendering ----------------------------------------------------------------------------


def _wire(document: ApiDocument, op: Operation, call: Call) -> WireRequest:
    """The call as it goes on the wire, every path template filled."""
    names = template_names(op)
    by_key = {param_key(op, p): p for p in op.parameters}
    values: dict[tuple[str, str], Any] = {}
    for key, value in call.params.items():
        if key[0] == "path" and key[1].isdigit() and int(key[1]) < len(names):
            values[("path", names[int(key[1])])] = value
        elif key in by_key:
            values[(by_key[key].location, by_key[key].name)] = value
    headers, query = _credential_wire(document, call.credentials)
    body = None
    if call.body is not ABSENT:
        media = call.media or "application/json"
        body = (
            urlencode({k: str(v) for k, v in call.body.items()}).encode()
            if "form" in media and isinstance(call.body, dict)
            else json.dumps(call.body).encode()
        )
    request = build_request(op, document.base_path.rstrip("/"), values, headers, body, call.media)
    path = _TEMPLATE.sub(lambda m: _filler(op, m.group(1)), request.path)
    return WireRequest(
        request.method, path, (*request.query, *query), request.headers, request.body
    )


def _filler(op: Operation, name: str) -> str:
    """A value for a path parameter the call leaves out (it only fills the URL)."""
    param = op.parameter("path", name)
    return path_value(param, 1) if param is not None else "1"


def curl(request: WireRequest) -> str:
    """A curl command that runs as printed: ``-g`` where brackets would glob."""
    command = request.curl(BASE_URL)
    url = BASE_URL + request.path + (f"?{urlencode(request.query)}" if request.query else "")
    if any(c in url for c in "[]{}"):
        command = command.replace("curl -i ", "curl -g -i ", 1)
    return command


def _credential_wire(
    document: ApiDocument, credentials: Any
) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    headers: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    for kind in credentials:
        if kind[0] == "apiKey" and kind[1] == "header":
            headers[_header_name(document, kind[2])] = "TOKEN"
        elif kind[0] == "apiKey" and kind[1] == "query":
            query.append((kind[2], "TOKEN"))
        elif kind[0] == "apiKey" and kind[1] == "cookie":
            headers["Cookie"] = f"{kind[2]}=TOKEN"
        elif kind == ("http", "basic"):
            headers["Authorization"] = "Basic " + base64.b64encode(b"user:TOKEN").decode()
        else:
            headers["Authorization"] = "Bearer TOKEN"
    return headers, tuple(query)


def _header_name(document: ApiDocument, lowered: str) -> str:
    return next(
        (
            s.parameter_name
            for s in document.security_schemes.values()
            if s.parameter_name.lower() == lowered
        ),
        lowered,
    )
