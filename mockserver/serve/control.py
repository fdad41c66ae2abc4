"""The mock's own control routes, under ``/__mock/``: reset sessions, show what changed.

``POST /__mock/reset`` forgets every session's writes, ``POST /__mock/reset?session=NAME``
one session's; ``GET /__mock/state`` shows the store's health (pinged off the loop, so a
hung store stalls no other page) and, per session, its version and the ids written and
deleted in each dataset (``?sessions=0``: the health alone, a probe for load balancers).
The prefix is the mock's: a document with a path under it is refused at start-up
(:func:`check_prefix`), so the routes never hide an API's path.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import parse_qs

import orjson
from starlette.types import Receive, Scope, Send

from mockserver.errors import SpecError
from mockserver.serve.answer import Answer
from mockserver.serve.problems import Problem
from mockserver.serve.state import StateStore
from mockserver.serve.state.store import SESSION_NAME, SessionState, StoreError
from mockserver.serve.surface import refuse_cross_site, refuse_without_token
from mockserver.spec.pointer import join_pointer

PREFIX = "/__mock"
RESET = f"{PREFIX}/reset"
STATE = f"{PREFIX}/state"
Page = Callable[[Scope, Receive, Send], Awaitable[None]]


#: Forgets what another part of the mock remembers (the request journal): everything
#: (None), or one session's.
ResetHook = Callable[[str | None], None]


class Control:
    """Answers the control routes from the store every worker shares; other parts of the
    mock add their own routes (:meth:`route`) and forget with the reset (:meth:`on_reset`)."""

    def __init__(
        self, store: StateStore, cors_origins: Sequence[str] = (), token: str | None = None
    ) -> None:
        self.store = store
        self.cors_origins = tuple(cors_origins)
        self.token = token
        self.routes: dict[str, tuple[str, Page]] = {
            RESET: ("POST", self._reset),
            STATE: ("GET", self._state),
        }
        self.resets: list[ResetHook] = []

    def route(self, method: str, path: str, page: Page) -> None:
        """Serve ``page`` at ``method path`` under the prefix."""
        self.routes[path] = (method, page)

    def on_reset(self, hook: ResetHook) -> None:
        """Call ``hook`` with the session (None: all) on every ``POST /__mock/reset``."""
        self.resets.append(hook)

    def find(
        self, path: str, method: str, headers: Iterable[tuple[bytes, bytes]] = ()
    ) -> Page | None:
        """The control route at ``path``, or None when the path is not under the prefix;
        raises 404 or 405 for a path under it that is not a route, 401 without the control
        token, and 403 for a state change another site's page could have sent."""
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            return None
        headers = tuple(headers)
        if self.token is not None:
            refuse_without_token(headers, self.token)
        if path not in self.routes:
            known = ", ".join(sorted(self.routes))
            raise Problem(404, f"no control route at {path}; there are {known}")
        allowed, page = self.routes[path]
        if method != allowed and not (allowed == "GET" and method == "HEAD"):
            raise Problem(405, f"{method} is not allowed on {path}", headers=(("Allow", allowed),))
        if allowed not in ("GET", "HEAD"):
            refuse_cross_site(headers, self.cors_origins)
        return page

    async def _reset(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forget one session's writes or every session's, on the store's thread (a hung
        store is a 503 after the timeout, like any other store call, and stalls no page)."""
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        named = query.get("session")
        session = named[0] if named else None
        if session is not None and not SESSION_NAME.fullmatch(session):
            raise Problem(400, f"{session[:80]!r} is not a session name")
        await self.store.off_loop(self.store.reset, session)
        for hook in self.resets:
            hook(session)
        body = {"reset": session if session is not None else "all sessions"}
        await Answer(200, "application/json", orjson.dumps(body)).send_to(send)

    async def _state(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The store's health (pinged now) and every session's changes; 503 with the
        health while the store fails. Off the loop: a hung store stalls no other page."""
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        with_sessions = query.get("sessions", ["1"])[0] not in ("0", "false", "no")
        try:
            sessions = await self.store.off_loop(self._look, with_sessions)
        except StoreError:  # the health says why
            body = {"store": self.store.url, "health": self.store.health(), "sessions": None}
            answer = Answer(503, "application/json", orjson.dumps(body), (("Retry-After", "1"),))
        else:
            body = {"store": self.store.url, "health": self.store.health(), "sessions": sessions}
            answer = Answer(200, "application/json", orjson.dumps(body))
        await answer.send_to(send)

    def _look(self, with_sessions: bool) -> dict[str, SessionState] | None:
        """On the store's thread: a ping (its latency goes into the health), then the
        sessions, unless ``?sessions=0`` asked for the health alone."""
        if self.store.check()["status"] != "ok":
            raise StoreError(self.store.url, str(self.store.health()["error"]))
        return self.store.state() if with_sessions else None


def control_html() -> str:
    """The index page's paragraph about sessions and the control routes."""
    return (
        "<h2>Sessions</h2><p>Writes (POST, PUT, PATCH, DELETE) are kept per session: send "
        "<code>X-Mock-Session: NAME</code> (or the cookie <code>mock_session=NAME</code>); "
        "without one, requests share the <code>default</code> session. "
        f"<code>POST {html.escape(RESET)}</code> forgets every session's writes, "
        f"<code>POST {html.escape(RESET)}?session=NAME</code> one session's; "
        f"<a href='{html.escape(STATE)}'><code>GET {html.escape(STATE)}</code></a> shows "
        "what each session changed.</p>"
    )


def check_prefix(name: str, file: Path, mounts: Iterable[str], paths: Iterable[str]) -> None:
    """Refuse a document served under the control prefix: its routes would be unreachable."""
    templates = list(paths)
    for mount in mounts:
        for template in templates:
            full = mount + template
            if full == PREFIX or full.startswith(PREFIX + "/"):
                raise SpecError(
                    file,
                    f"{name} would serve {full}, under {PREFIX}/, the prefix of mockserver's "
                    "own control routes",
                    pointer=join_pointer("/paths", template),
                    hint=f"rename the document or its base path so that no path starts "
                    f"with {PREFIX}",
                )
