"""The ceiling: a bare Starlette app returning exactly the bytes mockserver returned.

It reads the responses ``bench`` captured from mockserver (bench/.work/responses.json) and
answers each path and query with them, doing nothing else.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

CAPTURED = Path(__file__).resolve().parent / ".work" / "responses.json"
RESPONSES = {key: (status, media, base64.b64decode(body)) for key, (status, media, body)
             in json.loads(CAPTURED.read_text()).items()} if CAPTURED.exists() else {}


async def answer(request: Request) -> Response:
    """The captured response for this path and query."""
    query = request.url.query
    key = request.url.path + (f"?{query}" if query else "")
    status, media, body = RESPONSES.get(key, (404, "text/plain", b"not captured"))
    return Response(body, status_code=status, media_type=media)


app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])
