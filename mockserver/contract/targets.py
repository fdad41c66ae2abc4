"""Where contract requests go: the in-process ASGI app, or any server by URL."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Protocol

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

from mockserver.contract.checks import Reply
from mockserver.generation.serialize import WireRequest

TIMEOUT = 30.0


class Target(Protocol):
    """Something that answers wire requests."""

    base_url: str
    in_process: bool

    def send(self, request: WireRequest) -> Reply:
        """Send one request, return the whole response."""

    def close(self) -> None:
        """Release connections."""


def _reply(response: httpx.Response) -> Reply:
    return Reply(
        response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
    )


def _arguments(request: WireRequest, headers: Mapping[str, str]) -> dict[str, Any]:
    merged = {**request.headers, **headers}
    return {"params": list(request.query), "headers": merged, "content": request.body}


class AsgiTarget:
    """An ASGI app called in process: no sockets, no server."""

    in_process = True

    def __init__(self, app: Any, headers: Mapping[str, str] | None = None) -> None:
        self.base_url = "http://mock"
        self.headers = dict(headers or {})
        self._portal_cm = start_blocking_portal()
        self._portal: BlockingPortal = self._portal_cm.__enter__()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=self.base_url, timeout=TIMEOUT
        )

    def send(self, request: WireRequest) -> Reply:
        """Send one request, return the whole response."""
        call = functools.partial(
            self._client.request,
            request.method.upper(),
            request.path,
            **_arguments(request, self.headers),
        )
        return _reply(self._portal.call(call))

    def close(self) -> None:
        """Release the event-loop thread."""
        self._portal.call(self._client.aclose)
        self._portal_cm.__exit__(None, None, None)


class HttpTarget:
    """A real server (a provider's staging URL, or any mock) over HTTP."""

    in_process = False

    def __init__(self, base_url: str, headers: Mapping[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self._client = httpx.Client(base_url=self.base_url, timeout=TIMEOUT)

    def send(self, request: WireRequest) -> Reply:
        """Send one request, return the whole response."""
        return _reply(
            self._client.request(
                request.method.upper(), request.path, **_arguments(request, self.headers)
            )
        )

    def close(self) -> None:
        """Release connections."""
        self._client.close()
