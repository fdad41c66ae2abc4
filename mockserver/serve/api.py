"""A mounted API: one document ready to serve, its one route match and its problems rendered
in its own shape. It knows nothing of how it was loaded (:mod:`mockserver.serve.mount`), so
the journal and the pacing, which read it, sit below the loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from mockserver.data.declaration import Declaration
from mockserver.serve.answer import Answer
from mockserver.serve.error_shapes import ErrorShaper
from mockserver.serve.headers import DeclaredHeaders
from mockserver.serve.path_index import PathIndex
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import InvalidRequest, Problem
from mockserver.serve.responder import Responder
from mockserver.serve.security import Guard
from mockserver.serve.statuses import validation_status
from mockserver.spec.model import ApiDocument
from mockserver.spec.paths import key_conditions, sent_path, template_variables

#: Rendered problems remembered per API before the memo starts afresh.
RENDERED_MEMO_SIZE = 4096
#: Paths' matches remembered per API before the memo starts afresh (a path is at most the
#: request line's limit, so the memo's size is bounded in bytes too).
MATCHED_MEMO_SIZE = 4096


@dataclass(frozen=True)
class PathEntry:
    """One path shape of an API: its templates (which differ at most in their variables'
    names) and, per method, the operations answering there. Several operations share a
    method only when the document tells them apart by a ``#fragment`` on the path key."""

    shape: str  # the template with each variable written {}
    methods: dict[str, tuple[OperationPlan, ...]]


@dataclass(frozen=True)
class Route:
    """The one route match of a request: the operation, and its path variables."""

    plan: OperationPlan
    variables: dict[str, str]


@dataclass
class MountedApi:
    """One document, ready to serve under one or more path prefixes."""

    name: str
    document: ApiDocument
    mounts: tuple[str, ...]
    plans: list[OperationPlan]
    paths: list[PathEntry]
    responder: Responder
    shaper: ErrorShaper
    guard: Guard
    headers: DeclaredHeaders
    declaration: Declaration | None = None

    def __post_init__(self) -> None:
        self._rendered: dict[tuple[Any, ...], Answer] = {}
        self._matched: dict[str, tuple[tuple[PathEntry, tuple[str, ...]], ...]] = {}
        self._literal = {e.shape: e for e in self.paths if "{}" not in e.shape}
        self._templated = PathIndex([(e.shape, e) for e in self.paths if "{}" in e.shape])

    def matches(self, path: str) -> tuple[tuple[PathEntry, tuple[str, ...]], ...]:
        """Every path entry ``path`` (below a mount) matches, the most specific first, with
        the variables' values (a ``/`` sent as %2F arrives as :data:`ENCODED_SLASH`).
        Remembered per path (the gate asks twice per request, clients ask the same paths)."""
        found = self._matched.get(path)
        if found is None:
            found = tuple(self._match(path))
            if len(self._matched) >= MATCHED_MEMO_SIZE:
                self._matched.clear()
            self._matched[path] = found
        return found

    def _match(self, path: str) -> list[tuple[PathEntry, tuple[str, ...]]]:
        found: list[tuple[PathEntry, tuple[str, ...]]] = []
        literal = self._literal.get(path)
        if literal is not None:  # literal paths win over templated ones, as OpenAPI requires
            found.append((literal, ()))
        found.extend(self._templated.matches(path))  # in the order of self.paths
        if not found and "//" in path:
            # ``/path//foo`` for ``/path/{param}/foo``: the operation is found, and the empty
            # variable is refused as a missing path parameter (as Prism does), where a 404
            # would say that no such operation exists
            found = self._templated.matches(path, empty_variables=True)
        return found

    def claims(self, path: str) -> bool:
        """Whether one of the API's paths matches ``path`` (below a mount)."""
        return bool(self.matches(path))

    def route(
        self,
        path: str,
        method: str,
        headers: tuple[tuple[bytes, bytes], ...] = (),
        query: bytes = b"",
    ) -> Route:
        """The operation for ``method`` (lower case) at ``path`` below a mount; raises the
        404 or 405 problem when there is none. Of several matching paths the most specific
        is the resource (``/things/export`` over ``/things/{id}``, ``/things/{name}.json``
        over ``/things/{name}``, whatever the order of the document). HEAD on a path
        that declares no HEAD but a GET is the GET (the gate leaves the body out)."""
        found = self.matches(path)
        if not found:
            raise Problem(404, f"no operation at {path}")
        entry, values = found[0]  # the most specific path is the resource
        candidates = entry.methods.get(method)
        if not candidates and method == "head":  # RFC 9110: HEAD answers as GET would
            candidates = entry.methods.get("get")
        if candidates:
            plan = _by_fragment(candidates, headers, query)
            names = template_variables(sent_path(plan.op.path))
            sent = zip(names, values, strict=True)
            return Route(plan, {name: value for name, value in sent if value})
        allowed = ", ".join(m.upper() for m in entry.methods)
        raise Problem(
            405,
            f"{method.upper()} is not allowed on {path}; allowed: {allowed}",
            headers=(("Allow", allowed),),
        )

    def render(self, plan: OperationPlan | None, problem: Problem) -> Answer:
        """``problem`` in the shape and with a status the operation declares (see
        :mod:`mockserver.serve.statuses`); for 404 and 405, which have no operation, any
        operation's response for that status; else RFC 7807."""
        key = (
            plan.key if plan else None,
            type(problem),
            problem.status,
            problem.detail,
            problem.violations,
            problem.headers,
        )
        answer = self._rendered.get(key)
        if answer is None:  # the same problem renders the same bytes: worked out once
            answer = self._render(plan, problem)
            if len(self._rendered) >= RENDERED_MEMO_SIZE:
                self._rendered.clear()
            self._rendered[key] = answer
        return answer

    def _render(self, plan: OperationPlan | None, problem: Problem) -> Answer:
        natural = (
            validation_status(plan.statuses if plan else (), problem.fault)
            if isinstance(problem, InvalidRequest)
            else problem.status
        )
        if plan is None:
            plan = next((p for p in self.plans if p.declares(natural)), None)
        if plan is None:
            return self.shaper.render(None, problem, natural)
        choice = plan.choose(natural)  # a refusal stays a 4xx, declared or not
        answer = self.headers.add(plan, self.shaper.render(plan.op, problem, choice.status))
        if choice.warning is None:
            return answer
        return answer.with_headers(("Warning", choice.warning))

    def mount_of(self, path: str) -> str | None:
        """The longest mount prefix ``path`` falls under."""
        hits = self.mounts_of(path)
        return hits[0] if hits else None

    def mounts_of(self, path: str) -> list[str]:
        """The mount prefixes ``path`` falls under, longest first."""
        hits = [m for m in self.mounts if path == m or path.startswith(m + "/") or m == ""]
        return sorted(hits, key=len, reverse=True)


def _by_fragment(
    candidates: tuple[OperationPlan, ...], headers: tuple[tuple[bytes, bytes], ...], query: bytes
) -> OperationPlan:
    """Of operations sharing a path and method, the one whose key's conditions the request
    satisfies (see :func:`key_conditions`: ``#tagging&id``, ``?method=flickr.x``), each a
    header or query parameter of that name, with that value if given. The one with the
    most conditions wins; else the one without any; else the first."""
    if len(candidates) == 1:
        return candidates[0]
    sent_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers}
    sent_query = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    best, most = None, 0
    for plan in candidates:
        conditions = key_conditions(plan.op.path)
        if len(conditions) > most and all(
            _satisfied(c, sent_headers, sent_query) for c in conditions
        ):
            best, most = plan, len(conditions)
    if best is not None:
        return best
    return next((p for p in candidates if not key_conditions(p.op.path)), candidates[0])


def _satisfied(condition: str, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    name, equals, value = condition.partition("=")
    sent = headers.get(name.lower(), query.get(name))
    return sent is not None and (not equals or sent == value)
