"""The journal's endpoints: ``GET /__mock/journal`` lists the entries, newest first, and
``GET /__mock/journal/stream`` streams new ones as Server-Sent Events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from mockserver.serve.answer import Answer
from mockserver.serve.encoding import dumps
from mockserver.serve.journal.entry import Entry
from mockserver.serve.journal.stores import JournalStore

if TYPE_CHECKING:
    from mockserver.serve.control import Control

ENDPOINT = "/__mock/journal"
#: How often a stream looks for new entries, and how long it lasts before the browser's
#: EventSource reconnects (so a stopping server never waits on a stream).
POLL_SECONDS = 0.2
STREAM_SECONDS = 25.0


def select(entries: Iterable[Entry], query: Mapping[str, str]) -> list[Entry]:
    """The entries matching the filters ``api``, ``operation`` (its id, or ``GET
    /path``), ``status`` (``404`` or ``4xx``), ``session`` and ``verdict``."""
    found = list(entries)
    for key in ("api", "session", "verdict"):
        if query.get(key):
            found = [e for e in found if e.get(key) == query[key]]
    if query.get("operation"):
        wanted = query["operation"]
        found = [e for e in found if wanted in (e.get("operation"), e.get("template"))]
    if query.get("status"):
        status = query["status"].lower()
        found = [e for e in found if _status_matches(e["status"], status)]
    if query.get("drift") in ("1", "true", "yes"):
        found = [e for e in found if e.get("drift")]
    return found


def _status_matches(status: int, wanted: str) -> bool:
    if wanted.endswith("xx") and len(wanted) == 3:
        return str(status)[0] == wanted[0]
    return str(status) == wanted


class JournalPages:
    """``GET /__mock/journal`` and ``GET /__mock/journal/stream``."""

    def __init__(self, store: JournalStore) -> None:
        self.store = store

    def register(self, control: Control) -> None:
        """Serve the journal's endpoints, and clear it on ``POST /__mock/reset``."""
        control.route("GET", ENDPOINT, self.list)
        control.route("GET", f"{ENDPOINT}/stream", self.stream)
        control.on_reset(self.store.clear)

    async def list(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The entries, newest first, as JSON."""
        query = dict(parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1")))
        entries = select(self.store.entries(), query)
        entries.reverse()
        if query.get("limit", "").isdigit():
            entries = entries[: int(query["limit"])]
        body = dumps({"size": self.store.size, "count": len(entries), "entries": entries})
        await Answer(200, "application/json", body, _NO_STORE).send_to(send)

    async def stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        """New entries as Server-Sent Events (``entry``, and ``reset`` after a reset)."""
        query = dict(parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1")))
        follower = self.store.follow()
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"retry: 500\n\n", "more_body": True})
        gone = asyncio.ensure_future(_disconnected(receive))
        deadline = time.monotonic() + STREAM_SECONDS
        try:
            while not gone.done() and time.monotonic() < deadline:
                entries, reset = follower.poll()
                chunk = b"event: reset\ndata: {}\n\n" if reset else b""
                for entry in select(entries, query):
                    chunk += b"event: entry\nid: " + entry["id"].encode()
                    chunk += b"\ndata: " + dumps(entry) + b"\n\n"
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await asyncio.wait({gone}, timeout=POLL_SECONDS)
            if not gone.done():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            gone.cancel()


_NO_STORE = (("Cache-Control", "no-store"),)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
