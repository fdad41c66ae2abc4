"""The proxy's floor: a bare Starlette app forwarding each GET with httpx, checking nothing.

What any Python proxy built on httpx costs on this machine: one client per worker, the path
and query forwarded to ``BENCH_UPSTREAM``, the status, type and bytes passed back. The
difference between it and ``mockserver serve --proxy`` is what the checks, the journal and
the header handling cost.
"""

from __future__ import annotations

import os

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:8000")
_client: list[httpx.AsyncClient] = []


async def forward(request: Request) -> Response:
    if not _client:
        _client.append(httpx.AsyncClient(timeout=10))
    query = f"?{request.url.query}" if request.url.query else ""
    headers = {"authorization": request.headers.get("authorization", "")}
    answer = await _client[0].get(UPSTREAM + request.url.path + query, headers=headers)
    media = answer.headers.get("content-type")
    return Response(answer.content, answer.status_code, media_type=media)


app = Starlette(routes=[Route("/{path:path}", forward)])
