"""create_app: the Connexion seam, and the only module of mockserver that imports Connexion.

mockserver is a Connexion ``AsyncApp`` built through its public constructor: the
``middlewares`` list. Connexion's own routing, security and validation layers are not in
that list, because they cannot serve what mockserver serves: Connexion 3.3 refuses OpenAPI
3.1, validates with Draft 4, and routes through Starlette, whose path variables must be
Python identifiers. So the :class:`~mockserver.serve.gate.Gate` is the one router, and
Connexion contributes the application, its middleware stack, its last-resort error layer
and its lifespan handling. The stack, outermost first::

    ServerErrorMiddleware   Connexion: the last resort, reached only by a bug in the gate
    LocalCORSMiddleware     Starlette's CORS: local origins by default, preflight answered
    Gate                    mockserver: pages, the one route match, checks, answers, errors
    LifespanMiddleware      Connexion: startup and shutdown events

The names used here, and nothing else of Connexion's, are pinned by
``tests/serve/test_connexion_seam.py``, which fails loudly if an upgrade moves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from connexion import AsyncApp
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from mockserver.serve.api import MountedApi
from mockserver.serve.gate import Gate
from mockserver.serve.mount import load_apis
from mockserver.serve.options import ServeOptions
from mockserver.serve.surface import LOCAL_ORIGINS


class LocalCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, skipped for requests without an ``Origin`` header: they
    are not cross-origin, and Starlette would only parse the headers to find that out."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(k == b"origin" for k, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(apis: list[MountedApi], options: ServeOptions | None = None) -> AsyncApp:
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
    gate = partial(Gate, apis=apis, options=options)
    middlewares = [ServerErrorMiddleware, cors, gate, LifespanMiddleware]
    return AsyncApp(__name__, middlewares=middlewares)


def create_app_from_paths(paths: Iterable[Path], options: ServeOptions | None = None) -> AsyncApp:
    """Load the documents at ``paths`` and serve them."""
    options = options or ServeOptions()
    return create_app(load_apis(paths, options), options)
