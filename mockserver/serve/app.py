"""create_app: the one factory that wires the mock into a Connexion ``AsyncApp``.

Connexion is used through its public seams only: each document is added with ``add_api``
as a dict (a routing view of it, since Connexion 3.3 refuses OpenAPI 3.1), a resolver
maps every operation to the one generic responder, and the middleware list replaces
Connexion's Draft 4 security and validation layers with mockserver's own, which honour
each document's dialect (JSON Schema 2020-12 for 3.1).

The stack, outermost first::

    ServerErrorMiddleware      Connexion: last-resort 500 (never expected)
    CORSMiddleware             Starlette: local origins by default, preflight answered
    GateMiddleware             mockserver: index, documents, Swagger UI 5, vendor 404/405
    RoutingMiddleware          Connexion: finds the operation
    LifespanMiddleware         Connexion
    MockMiddleware             mockserver: limits, auth, negotiation, request validation
    AsyncApp                   Connexion's app, whose operations call the responder
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.operations import AbstractOperation
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from mockserver.serve.gate import MOCK_CONTEXT, GateMiddleware, MockMiddleware, send_response
from mockserver.serve.mount import MountedApi, ServeOptions, load_apis
from mockserver.serve.responder import MockResponse

#: Origins a frontend dev server runs on: any port of localhost, 127.0.0.1 or [::1].
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"
# Of Connexion's own layers mockserver keeps the last-resort error handler, routing and
# lifespan. Its security and request/response validation layers are replaced by
# MockMiddleware; its exception layer by the gate and MockMiddleware, which answer every
# error in the API's own shape themselves; its context layer is not needed, since the
# responder receives the scope; its Swagger UI (version 4, no OpenAPI 3.1) by the gate's.


async def respond(scope: Scope) -> MockResponse:
    """The one generic responder every operation resolves to.

    The mock middleware has already checked the request and left it, typed, in the scope.
    """
    api, plan, request = scope["extensions"][MOCK_CONTEXT]
    response: MockResponse = api.responder.respond(plan, request)
    return response


class ResponderOperation(AsyncOperation):  # type: ignore[misc]
    """Calls the resolved responder with the scope.

    Connexion's own operation rebuilds its parameter and response decorators on every call
    (signature inspection, query and body parsing) to turn a request into function
    arguments; the responder needs none of that, so this subclass calls it directly.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_response(send, await self._fn(scope))


class LocalCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, skipped for requests without an ``Origin`` header: they
    are not cross-origin, and Starlette would only parse the headers to find that out."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(k == b"origin" for k, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class ResponderApi(AsyncApi):  # type: ignore[misc]
    """An API whose operations are :class:`ResponderOperation`\\ s."""

    def make_operation(self, operation: AbstractOperation) -> ResponderOperation:
        made: ResponderOperation = ResponderOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
        return made


class ResponderASGIApp(AsyncASGIApp):  # type: ignore[misc]
    """Connexion's ASGI app, with :class:`ResponderApi` as its API class."""

    api_cls = ResponderApi


class MockApp(AsyncApp):  # type: ignore[misc]  # connexion ships no type information
    """Connexion's ``AsyncApp`` with the responder operations above."""

    def __init__(self, import_name: str, **options: Any) -> None:
        # AsyncApp.__init__ only creates its ASGI app and hands over to AbstractApp; this
        # does the same with the subclass.
        self._middleware_app = ResponderASGIApp()
        AbstractApp.__init__(self, import_name, **options)


def create_app(apis: list[MountedApi], options: ServeOptions | None = None) -> MockApp:
    """A Connexion ``AsyncApp`` serving every API in ``apis``."""
    options = options or ServeOptions()
    cors = partial(
        LocalCORSMiddleware,
        allow_origins=list(options.cors_origins),
        allow_origin_regex=LOCAL_ORIGINS,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=True,
        expose_headers=["*"],
    )
    app = MockApp(
        __name__,
        middlewares=[
            ServerErrorMiddleware,
            cors,
            partial(GateMiddleware, apis=apis),
            RoutingMiddleware,
            LifespanMiddleware,
            partial(MockMiddleware, apis=apis),
        ],
        resolver=Resolver(function_resolver=lambda _operation_id: respond),
    )
    for api in apis:
        for mount in api.mounts:
            app.add_api(routing_view(api), base_path=mount, name=f"{api.name}:{mount}")
    return app


def create_app_from_paths(paths: Iterable[Path], options: ServeOptions | None = None) -> MockApp:
    """Load the documents at ``paths`` and serve them."""
    options = options or ServeOptions()
    return create_app(load_apis(paths, options), options)


def routing_view(api: MountedApi) -> dict[str, Any]:
    """The document as Connexion needs it for routing: paths, methods and path variables.

    Everything else (schemas in any dialect, security, bodies) stays with mockserver, so
    the view is a small OpenAPI 3.0 document Connexion accepts whatever the original is.
    Path variables are renamed ``p0``, ``p1``... because Starlette only routes identifiers.
    """
    paths: dict[str, Any] = {}
    for entry in api.paths:
        renamed = entry.template
        for index, name in enumerate(entry.variables):
            renamed = renamed.replace("{" + name + "}", "{p" + str(index) + "}", 1)
        parameters = [
            {"name": f"p{i}", "in": "path", "required": True, "schema": {"type": "string"}}
            for i in range(len(entry.variables))
        ]
        paths[renamed] = {
            method: {
                "operationId": plan.key,
                "parameters": parameters,
                "responses": {"default": {"description": "mock"}},
            }
            for method, plan in entry.methods.items()
        }
    info = {"title": api.document.title, "version": api.document.api_version or "1"}
    return {"openapi": "3.0.3", "info": info, "paths": paths}
