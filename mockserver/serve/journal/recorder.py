"""The recorder: keeps the facts of each request on its path, and builds its entry (masked,
with the verdict and where the answer came from) when the entry is read or written."""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import time
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

from mockserver.serve.answer import Answer
from mockserver.serve.journal.entry import (
    Entry,
    Head,
    ProblemFacts,
    RequestFacts,
    UpstreamFacts,
)
from mockserver.serve.journal.masks import Masks, mask_body, mask_headers, mask_query
from mockserver.serve.journal.near import near_misses
from mockserver.serve.journal.stores import JournalStore
from mockserver.serve.latency import Turn
from mockserver.serve.problems import DrawnError, Problem
from mockserver.serve.sessions import SESSION_COOKIE, SESSION_HEADER

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi
    from mockserver.serve.plan import OperationPlan
    from mockserver.serve.request import RawRequest

#: Request bodies longer than this are journalled as their length only.
MAX_BODY_CHARS = 4096


class Recorder:
    """Keeps the facts of each request, and builds its entry when it is read (one process)
    or written (workers): on the request's path only a record of plain values is made."""

    def __init__(self, store: JournalStore, apis: list[MountedApi]) -> None:
        self.store = store
        store.build = self.build
        self.apis = apis
        self.by_name = {api.name: api for api in apis}
        self.plans = {plan.key: plan for api in apis for plan in api.plans}
        self.pid = os.getpid()
        self.counter = itertools.count()

    @functools.cached_property
    def masks(self) -> dict[str, Masks]:
        """Each API's masks, found when the first entry is built: finding an API's secret
        fields walks every request schema (2 s on Graph's description), which neither the
        start-up nor a request needs when entries are built on reading (one process)."""
        return {api.name: Masks.of([api]) for api in self.apis}

    @functools.cached_property
    def all_masks(self) -> Masks:
        """What any API masks: for a request no API claimed."""
        return Masks.union(self.masks.values())

    def record(
        self,
        scope: Scope,
        started: float,
        api: MountedApi | None,
        plan: OperationPlan | None,
        raw: RawRequest | None,
        answer: Answer,
        problem: Problem | None,
        turn: Turn,
        upstream: UpstreamFacts | None = None,
    ) -> None:
        """Keep the facts of one request (pages are not journalled): plain values only, and
        nothing of the server's own (its scope may pin its buffers)."""
        ms = (time.perf_counter() - started) * 1000
        head: Head
        if raw is not None:
            head = (raw.method.upper(), str(scope["path"]), raw.query_string, raw.headers)
            mount, body = raw.mount, raw.body if len(raw.body) <= MAX_BODY_CHARS else len(raw.body)
        else:
            head = (str(scope["method"]), str(scope["path"]),
                    bytes(scope.get("query_string", b"")), tuple(scope["headers"]))  # fmt: skip
            mount, body = "", b""
        self.store.add(
            RequestFacts(next(self.counter), time.time(), ms, head, api.name if api else None,
                  plan.key if plan else None, mount, body, answer.status, answer.source,
                  _problem_facts(problem), turn.delay_ms, turn.fault, upstream)
        )  # fmt: skip

    def build(self, facts: RequestFacts) -> Entry:
        """The entry of one request, credentials masked."""
        api = self.by_name.get(facts.api) if facts.api else None
        plan = self.plans.get(facts.plan) if facts.plan else None
        masks = self.masks[api.name] if api is not None else self.all_masks
        method, path, query, raw_headers = facts.head
        headers = mask_headers(raw_headers, masks)
        problem = facts.problem
        entry: Entry = {
            "id": f"{self.pid}-{facts.number}",
            "at": round(facts.at * 1000, 3),
            "method": method,
            "path": path,
            "query": mask_query(query, masks),
            "headers": headers,
            "api": api.name if api else None,
            "operation": plan.op.operation_id if plan else None,
            "template": f"{method} {facts.mount}{plan.op.path}" if plan else None,
            "session": _session(headers),
            "status": facts.status,
            "verdict": _verdict(problem),
            "source": _source(facts.source, problem, headers),
            "fault": facts.fault,
            "delay_ms": round(facts.delay_ms, 1),
            "ms": round(facts.ms, 2),
        }
        if problem is not None:
            entry["detail"] = problem.detail
            entry["violations"] = [_violation(v) for v in problem.violations]
        if plan is None and problem is not None and problem.status in (404, 405):
            entry["near"] = near_misses(self.apis, method, path)
        if facts.upstream is not None:
            _upstream(entry, facts.upstream)
        if facts.body:
            entry["body"] = mask_body(_body(facts.body), masks)
        return entry


def _upstream(entry: Entry, upstream: UpstreamFacts) -> None:
    """A proxied request: the provider's status and time, and every violation marked as
    the request's or the response's (``drift`` when there is any)."""
    entry["upstream"] = {
        "url": upstream.url,
        "status": upstream.status,
        "ms": round(upstream.ms, 2),
        **({"note": upstream.note} if upstream.note else {}),
    }
    if upstream.status is not None or "mock" not in upstream.note:
        entry["source"] = "upstream"
    marked = [{**_violation(v), "side": "request"} for v in upstream.request]
    marked += [{**_violation(v), "side": "response"} for v in upstream.response]
    entry["violations"] = marked
    entry["drift"] = bool(marked)


def _problem_facts(problem: Problem | None) -> ProblemFacts | None:
    if problem is None:
        return None
    drawn = isinstance(problem, DrawnError)
    return ProblemFacts(problem.status, problem.detail, problem.violations, drawn)


def _session(headers: list[list[str]]) -> str | None:
    """The stateful mock's session: its header, else its cookie."""
    for name, value in headers:
        if name.lower() == SESSION_HEADER:
            return value
    for name, value in headers:
        if name.lower() == "cookie" and SESSION_COOKIE in value:
            jar: SimpleCookie = SimpleCookie()
            with contextlib.suppress(CookieError):
                jar.load(value)
            morsel = jar.get(SESSION_COOKIE)
            return morsel.value if morsel is not None else None
    return None


def _verdict(problem: ProblemFacts | None) -> str:
    if problem is None or problem.drawn:  # drawn: valid, then failed on purpose
        return "accepted"
    return "refused" if problem.status < 500 else "failed"


def _source(source: str, problem: ProblemFacts | None, headers: list[list[str]]) -> str:
    if problem is not None:
        return "error-rate" if problem.drawn else "problem"
    prefer = next((v for k, v in headers if k.lower() == "prefer"), "")
    if any(p in prefer for p in ("code=", "example=", "dynamic=")):
        return "Prefer"
    return source or "document"


def _violation(violation: Any) -> dict[str, Any]:
    location, name, pointer = violation.location, violation.name, violation.pointer
    where = "/" + "/".join(p for p in (location, name) if p) + (pointer or "")
    return {"pointer": where, "keyword": violation.kind, "message": violation.describe()}


def _body(body: bytes | int) -> str:
    if isinstance(body, int):
        return f"({body} bytes)"
    return body.decode("utf-8", errors="replace")
