"""mockserver's two ASGI middlewares: the gate before routing, the checks after it.

Both answer with the API's own error shapes and never let an exception escape: bad input
gets a documented 4xx, and the server keeps serving.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.serve.checks import acceptable, read_request
from mockserver.serve.error_shapes import Problem, problem_json
from mockserver.serve.mount import MountedApi
from mockserver.serve.pages import document_json, index_html
from mockserver.serve.plan import OperationPlan
from mockserver.serve.request import (
    MAX_BODY_BYTES,
    RawRequest,
    check_limits,
    parse_cookies,
    parse_query,
)
from mockserver.serve.responder import MockResponse
from mockserver.serve.security import AuthResult, RequestCredentials, check_security
from mockserver.serve.swagger_ui import UiAssets, ui_page

MOCK_CONTEXT = "mockserver"
ROUTING_CONTEXT = "connexion_routing"
log = logging.getLogger("mockserver")


async def send_response(send: Send, response: MockResponse) -> None:
    """Send a complete response."""
    start = {
        "type": "http.response.start",
        "status": response.status,
        "headers": list(response.raw_headers),
    }  # a copy: later layers may add to it
    await send(start)
    await send({"type": "http.response.body", "body": response.body})


def _html(text: str) -> MockResponse:
    return MockResponse(200, "text/html; charset=utf-8", text.encode())


class GateMiddleware:
    """The index page, the documents, and vendor-shaped 404/405 for unmatched requests."""

    def __init__(self, app: ASGIApp, apis: list[MountedApi]) -> None:
        self.app = app
        self.apis = apis
        self.by_mount_length = sorted(apis, key=lambda a: -max(len(m) for m in a.mounts))
        self.assets = UiAssets()
        self.documents = {f"/{api.name}/openapi.json": (api, api.mounts[0]) for api in apis}
        for api in apis:
            for mount in api.mounts:
                self.documents[f"{mount}/openapi.json"] = (api, mount)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asset = self._ui_asset(scope)
        if asset is not None:
            await self.assets(scope, receive, send, asset)
            return
        try:
            response = self._answer(scope)
        except Exception:  # a bug must not stop the server or leak a traceback
            log.exception("mockserver gate failed on %s", scope.get("path"))
            response = MockResponse(
                500, "application/problem+json", b'{"title":"Internal Server Error","status":500}'
            )
        if response is None:
            await self.app(scope, receive, send)
        else:
            await send_response(send, response)

    def _answer(self, scope: Scope) -> MockResponse | None:
        path, method = str(scope["path"]), str(scope["method"]).lower()
        if path == "/" and method in ("get", "head") and not self._root_api_claims(path):
            return _html(index_html(self.apis))
        if path in self.documents and method in ("get", "head"):
            api, mount = self.documents[path]
            return MockResponse(200, "application/json", document_json(api, mount))
        for api in self.by_mount_length:
            prefix = api.mount_of(path)
            if prefix is None:
                continue
            rest = path[len(prefix) :] or "/"
            if rest == "/ui":
                return MockResponse(307, None, b"", (("Location", f"{prefix}/ui/"),))
            if rest in ("/ui/", "/ui/index.html"):
                return _html(ui_page(f"{prefix}/openapi.json", api.document.title))
            return self._route(api, rest, method)
        detail = f"no API is served at {path}; the index at / lists them"
        return api_error(None, None, Problem(404, detail))

    def _ui_asset(self, scope: Scope) -> str | None:
        """The Swagger UI file a GET under ``<mount>/ui/`` asks for, if any."""
        path = str(scope["path"])
        if "/ui/" not in path or scope["method"] not in ("GET", "HEAD"):
            return None
        for api in self.by_mount_length:
            for mount in api.mounts:
                name = path[len(mount) + len("/ui/") :]
                if path.startswith(mount + "/ui/") and name and name != "index.html":
                    return name
        return None

    def _root_api_claims(self, path: str) -> bool:
        return any(api.match(path) for api in self.apis if "" in api.mounts)

    def _route(self, api: MountedApi, rest: str, method: str) -> MockResponse | None:
        matched = api.match(rest)
        if matched is None:
            sample = _plan_declaring(api, 404)
            return api_error(api, sample, Problem(404, f"no operation at {rest}"))
        entry, _ = matched
        if method in entry.methods:
            return None
        allowed = ", ".join(m.upper() for m in entry.methods)
        sample = _plan_declaring(api, 405, entry.methods.values())
        response = api_error(
            api,
            sample,
            Problem(
                405, f"{method.upper()} is not allowed on {entry.template}; allowed: {allowed}"
            ),
        )
        return MockResponse(
            response.status, response.media_type, response.body, (("Allow", allowed),)
        )


def _plan_declaring(api: MountedApi, status: int, plans: Any = None) -> OperationPlan | None:
    candidates = list(plans) if plans is not None else api.plans
    return next(
        (p for p in candidates if p.declares(status)),
        next((p for p in api.plans if p.declares(status)), None),
    )


def api_error(api: MountedApi | None, plan: OperationPlan | None, problem: Problem) -> MockResponse:
    """The problem in ``api``'s error shape (RFC 7807 when there is no API)."""
    if api is None:
        rendered = problem_json(problem)
        return MockResponse(rendered.status, rendered.media_type, rendered.body)
    return api.responder.error(plan, problem)


class MockMiddleware:
    """After routing: size limits, credentials, content negotiation and request validation."""

    def __init__(self, app: ASGIApp, apis: list[MountedApi]) -> None:
        self.app = app
        self.plans = {plan.key: (api, plan) for api in apis for plan in api.plans}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        found = self.plans.get(str(routing.get("operation_id")))
        if scope["type"] != "http" or found is None:
            await self.app(scope, receive, send)
            return
        api, plan = found
        try:
            outcome = await self._check(scope, receive, api, plan, routing)
        except Exception:  # a bug must not stop the server or leak a traceback
            log.exception("mockserver failed on %s %s", scope["method"], scope["path"])
            outcome = api.responder.error(plan, Problem(500, "mockserver failed unexpectedly"))
        if isinstance(outcome, MockResponse):
            await send_response(send, outcome)
            return
        request, _ = outcome
        # The responder reads the checked request from the scope (it never parses the
        # request again), so the body already read is not replayed.
        scope.setdefault("extensions", {})[MOCK_CONTEXT] = (api, plan, request)
        await self.app(scope, _replay(b""), send)

    async def _check(
        self,
        scope: Scope,
        receive: Receive,
        api: MountedApi,
        plan: OperationPlan,
        routing: MutableMapping[str, Any],
    ) -> MockResponse | tuple[Any, bytes]:
        body = await _read_body(scope, receive)
        if body is None:
            return api.responder.error(
                plan, Problem(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
            )
        names = _variables(api, plan)
        values = scope.get("path_params", {})
        path_params = {name: str(values.get(f"p{i}", "")) for i, name in enumerate(names)}
        raw = RawRequest.from_scope(
            scope, body, path_params, mount=str(routing.get("api_base_path", ""))
        )
        return _checked(api, plan, raw, body)


def _checked(
    api: MountedApi, plan: OperationPlan, raw: RawRequest, body: bytes
) -> MockResponse | tuple[Any, bytes]:
    limits = check_limits(raw)
    if limits:
        return api.responder.error(
            plan, Problem(plan.bad_request, "The request is malformed", tuple(limits))
        )
    headers = raw.header_map()
    query, problems = parse_query(raw)
    if problems:
        return api.responder.error(
            plan, Problem(plan.bad_request, "The request is malformed", tuple(problems))
        )
    cookies = parse_cookies(headers)
    verdict = _verdict(api, plan, headers, query, cookies)
    if not verdict.allowed:
        status = verdict.status if plan.declares(verdict.status) else 401
        return api.responder.error(plan, Problem(status, verdict.reason))
    if acceptable(headers.get("accept", ""), plan.produces) is None:
        return api.responder.error(
            plan,
            Problem(
                406,
                f"cannot produce any of "
                f"{headers['accept']!r}; this operation "
                f"produces {', '.join(plan.produces)}",
            ),
        )
    request = read_request(plan, raw, query, headers, cookies)
    if isinstance(request, Problem):
        return api.responder.error(plan, request)
    return request, body


def _verdict(
    api: MountedApi,
    plan: OperationPlan,
    headers: dict[str, str],
    query: tuple[tuple[str, str], ...],
    cookies: dict[str, str],
) -> AuthResult:
    """The security verdict; the same credentials for the same operation get the same one,
    so it is remembered per (operation, credentials) for the common header-borne case."""
    if (query and api.credentials_in_query) or (cookies and api.credentials_in_cookie):
        credentials = RequestCredentials(headers, dict(query), cookies)
        return check_security(
            plan.op.security, api.document.security_schemes, credentials, api.tokens
        )
    key = (plan.key, tuple(headers.get(n, "") for n in api.credential_headers))
    verdict = api.verdicts.get(key)
    if verdict is None:
        credentials = RequestCredentials(headers, {}, {})
        verdict = check_security(
            plan.op.security, api.document.security_schemes, credentials, api.tokens
        )
        if len(api.verdicts) >= 4096:
            api.verdicts.clear()
        api.verdicts[key] = verdict
    return verdict


def _variables(api: MountedApi, plan: OperationPlan) -> tuple[str, ...]:
    return api.variables[plan.op.path]


async def _read_body(scope: Scope, receive: Receive) -> bytes | None:
    """The whole body, or None once it exceeds the limit."""
    declared = None
    chunked = False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            declared = value
        elif name == b"transfer-encoding":
            chunked = True
    if declared is None and not chunked:
        return b""  # HTTP/1.1: without either header a request has no body
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
