"""The proxy's floor: a bare Starlette app forwarding each GET, checking nothing.

What any Python proxy costs on this machine with the client the proxy uses (aiohttp, one
kept-alive session per worker): the path and query forwarded to ``BENCH_UPSTREAM``, the
status, type and bytes passed back. The difference between it and ``mockserver serve
--proxy`` is what the checks, the journal and the header handling cost.
"""

from __future__ import annotations

import os

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:8000")
_session: list[aiohttp.ClientSession] = []


async def forward(request: Request) -> Response:
    if not _session:
        _session.append(aiohttp.ClientSession(auto_decompress=False))
    query = f"?{request.url.query}" if request.url.query else ""
    headers = {"authorization": request.headers.get("authorization", "")}
    async with _session[0].get(UPSTREAM + request.url.path + query, headers=headers) as answer:
        body = await answer.read()
        media = answer.headers.get("content-type")
        return Response(body, answer.status, media_type=media)


app = Starlette(routes=[Route("/{path:path}", forward)])
