"""The gate: the server's one router and the one place where problems become answers.

A request whose ``Host`` is not a name the server answers as is refused first, with 421
(DNS rebinding, :mod:`mockserver.serve.surface`). A request is then matched once: to a page
the server serves itself (the index, a document, Swagger UI), to a control route (which
checks the control token and refuses cross-site changes), or to an API and one of its
operations. The operation's request is then read
and checked (limits, credentials, negotiation, parameters and body), answered by the API's
responder, and sent. Anything on that path that finds a problem raises a
:class:`~mockserver.serve.problems.Problem`; :meth:`Gate.__call__` renders it in the API's
own error shape. An unexpected exception is a bug: it is logged with its traceback and
answered with a problem, never with a bare 500 page, and the server keeps serving.

Every answer to an API then passes one more place: its :class:`~mockserver.serve.latency.Turn`
(a delay, a fault, or a declared error the error rate drew) delivers it, and the request
journal (:mod:`mockserver.serve.journal`) records it.
"""

from __future__ import annotations

import functools
import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.serve.answer import Answer
from mockserver.serve.api import MATCHED_MEMO_SIZE, MountedApi
from mockserver.serve.checks import read_request
from mockserver.serve.control import Control
from mockserver.serve.error_shapes import problem_json
from mockserver.serve.journal import JournalPages, Recorder
from mockserver.serve.journal.entry import UpstreamFacts
from mockserver.serve.latency import NO_TURN, Turn, pacers_for
from mockserver.serve.options import ServeOptions
from mockserver.serve.pages import Pages
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import Problem, StoreUnavailable
from mockserver.serve.proxy import Proxies
from mockserver.serve.request import RawRequest, read_body
from mockserver.serve.state import StoreError
from mockserver.serve.surface import HostPolicy, header
from mockserver.spec.paths import matchable_path

log = logging.getLogger("mockserver")


class Gate:
    """ASGI middleware answering every HTTP request to the mounted APIs and their pages."""

    def __init__(
        self, app: ASGIApp, apis: list[MountedApi], options: ServeOptions | None = None
    ) -> None:
        self.app = app  # only lifespan and websocket scopes go on
        self.apis = apis
        options = options or ServeOptions()
        self.pages = Pages(apis)
        self.control = Control(options.state, options.cors_origins, options.control_token)
        hosts = options.allowed_hosts
        self.hosts = HostPolicy.of(hosts) if hosts is not None else None
        self.by_mount_length = sorted(apis, key=lambda a: -max(len(m) for m in a.mounts))
        self._api_memo: dict[str, tuple[MountedApi, str]] = {}
        self.pacers = pacers_for(apis, options.pacing, options.seed)
        self.journal = Recorder(options.journal, apis) if options.journal.size else None
        JournalPages(options.journal).register(self.control)
        self.proxies = Proxies(apis, options.proxy)  # --proxy: providers answer instead

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._pass_on(scope, receive, send)
            return
        if await self._misdirected(scope, send):
            return
        started = time.perf_counter()
        api: MountedApi | None = None
        plan: OperationPlan | None = None
        raw: RawRequest | None = None
        problem: Problem | None = None
        upstream: UpstreamFacts | None = None
        turn = NO_TURN
        try:
            path, method = str(scope["path"]), str(scope["method"])
            page = self.pages.find(path, method)
            if page is None:
                page = self.control.find(path, method, scope["headers"])
            if page is not None:
                await page(scope, receive, send)
                return
            raw_path = scope.get("raw_path")
            if raw_path and b"%" in raw_path:  # an encoded "/" stays inside its variable
                path = matchable_path(raw_path)
            api, mount = self._api_for(path)
            route = api.route(
                path[len(mount) :] or "/", method.lower(), scope["headers"], scope["query_string"]
            )
            plan = route.plan
            body = await read_body(scope, receive)
            raw = RawRequest.from_scope(scope, body, route.variables, mount)
            turn = self.pacers[api.name].draw(plan.key, raw.headers)
            proxy = self.proxies.get(api.name)
            if proxy is None:
                answer = await self._mock(api, plan, raw, turn)
            else:
                mock = functools.partial(self._mock, api, plan, raw, turn)
                proxied = await proxy.answer(plan, raw, scope, mock)
                answer, problem, upstream = proxied.answer, proxied.problem, proxied.facts
        except Problem as caught:
            answer = render(api, plan, problem := caught)
        except StoreError as failed:  # raised where the store failed, answered 503 here
            answer = render(api, plan, problem := StoreUnavailable(failed))
        except Exception:  # a bug: log it, answer it, keep serving
            log.exception("mockserver failed on %s %s", scope.get("method"), scope.get("path"))
            problem = Problem(500, "mockserver failed unexpectedly")
            answer = render(api, plan, problem)
        answer = _finished(answer, plan, scope["method"])
        try:
            await turn.deliver(answer, scope, receive, send)
        finally:
            if self.journal is not None:
                self.journal.record(scope, started, api, plan, raw, answer, problem, turn, upstream)

    async def _pass_on(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Lifespan and websocket scopes go on; the shutdown closes the proxy's client."""
        if scope["type"] == "lifespan":
            send = self.proxies.closing_on_shutdown(send)
        await self.app(scope, receive, send)

    async def _mock(
        self, api: MountedApi, plan: OperationPlan, raw: RawRequest, turn: Turn
    ) -> Answer:
        """The mock's own answer: the request checked, then answered by the responder."""
        request = read_request(api, plan, raw)
        turn.raise_error()
        if plan.behaviour is None:
            return api.responder.answer(plan, request)
        # the store's I/O never blocks the loop (a 503 after --state-timeout); a read of a
        # session unchanged since this worker last looked stays on the loop
        return await self.control.store.answer(api.responder.answer, plan, request)

    async def _misdirected(self, scope: Scope, send: Send) -> bool:
        """Answer 421, and say so, when the ``Host`` is not a name the server answers as."""
        if self.hosts is None:
            return False
        host = header(scope["headers"], b"host")
        if host is None or self.hosts.allows(host):
            return False
        await self.hosts.refusal(host).send_to(send)
        return True

    def _api_for(self, path: str) -> tuple[MountedApi, str]:
        """The API and mount ``path`` falls under: of the mounts it falls under, the longest
        below which one of the API's paths matches (``/api`` + ``/api/articles`` when a
        document named ``api`` has ``/api`` as its base path), else the longest.
        Remembered per path, as the APIs' own matches are."""
        found = self._api_memo.get(path)
        if found is None:
            found = self._find_api(path)
            if len(self._api_memo) >= MATCHED_MEMO_SIZE:
                self._api_memo.clear()
            self._api_memo[path] = found
        return found

    def _find_api(self, path: str) -> tuple[MountedApi, str]:
        hits = sorted(
            ((api, mount) for api in self.by_mount_length for mount in api.mounts_of(path)),
            key=lambda hit: -len(hit[1]),
        )
        if not hits:
            raise Problem(404, f"no API is served at {path}; the index at / lists them")
        if len(hits) == 1:
            return hits[0]
        for api, mount in hits:
            if api.claims(path[len(mount) :] or "/"):
                return api, mount
        return hits[0]


def _finished(answer: Answer, plan: OperationPlan | None, method: str) -> Answer:
    """The answer as sent: the Warnings of what is not judged (a pattern no engine reads,
    a parameter OpenAPI gives no serialisation), no body for a HEAD."""
    if plan is not None:
        for warning in (plan.pattern_warning, plan.serialisation_warning):
            if warning is not None:
                answer = answer.with_headers(("Warning", warning))
    return answer.to_head() if method == "HEAD" else answer


def render(api: MountedApi | None, plan: OperationPlan | None, problem: Problem) -> Answer:
    """The problem in the API's own error shape (RFC 7807 when no API is known)."""
    if api is None:
        return problem_json(problem, problem.status)
    return api.render(plan, problem)
