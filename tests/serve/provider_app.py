"""A provider that misbehaves on purpose, for the proxy's tests (run by uvicorn).

It serves the pets API of ``tests/serve/test_proxy.py``: three pets answered correctly
(and further pets by id, for recording many records), and one path per kind of drift or
failure: an undeclared status, an undeclared content type, a body that breaks the schema,
an answer that never comes, an answer cut off mid-body, and a body longer than the proxy
checks. ``/echo`` answers with what it received.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

PETS = [
    {"id": 1, "name": "Rex", "tag": "dog"},
    {"id": 2, "name": "Tom", "tag": "cat"},
    {"id": 3, "name": "Nemo", "tag": "fish"},
]
#: What ``/pets/cookie`` sets: a proxy must pass it back, and never send it on by itself.
COOKIE = {"Set-Cookie": "session=provider-set; Path=/"}
#: Ids from MANY[0] up to MANY[1] (excluded) are further pets, each answered by its get.
MANY = (100, 1000)
#: Bytes of the long body: more than the proxy's check limit, sent in 64 KiB chunks.
LONG_CHUNKS = 160
CHUNK = b"x" * 65536


async def list_pets(request: Request) -> Response:
    items = [{**pet, "password": "hunter2"} for pet in PETS]  # writeOnly: never recorded
    return JSONResponse({"items": items}, headers={"X-Total": str(len(PETS))})


async def get_pet(request: Request) -> Response:
    pet_id = request.path_params["id"]
    behaviours: dict[str, Callable[[], Response]] = {
        "418": lambda: PlainTextResponse("I'm a teapot", status_code=418),
        "text": lambda: PlainTextResponse("Rex"),
        "drift": lambda: JSONResponse({"id": "one", "name": 7}),
        "cookie": lambda: JSONResponse({"id": 5, "name": "Biscuit"}, headers=COOKIE),
        "gzip": lambda: Response(
            gzip.compress(json.dumps({"id": 9, "name": "Zip"}).encode()),
            media_type="application/json",
            headers={"Content-Encoding": "gzip"},
        ),
    }
    if pet_id in behaviours:
        return behaviours[pet_id]()
    if pet_id == "slow":
        await asyncio.Event().wait()  # never answers: the proxy's timeout must
    if pet_id == "long":
        return StreamingResponse(_long(), media_type="application/octet-stream")
    if pet_id.isdigit() and MANY[0] <= int(pet_id) < MANY[1]:  # many records, to record
        return JSONResponse({"id": int(pet_id), "name": f"Pet {pet_id}", "tag": "many"})
    pet = next((p for p in PETS if str(p["id"]) == pet_id), None)
    if pet is None:
        return JSONResponse({"message": "no such pet"}, status_code=404)
    return JSONResponse(pet)


async def _long() -> Any:
    for _ in range(LONG_CHUNKS):
        yield CHUNK


async def echo(request: Request) -> Response:
    seen = {
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query,
        "headers": dict(request.headers.items()),
        "body": (await request.body()).decode(),
    }
    return JSONResponse(seen)


class CutOff:
    """``/pets/cut``: announces 100 bytes, sends 10, and ends: an answer cut off mid-body."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/pets/cut":
            headers = [(b"content-type", b"application/json"), (b"content-length", b"100")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"id": 1, ', "more_body": True})
            raise RuntimeError("cut off on purpose")
        await self.app(scope, receive, send)


app = CutOff(
    Starlette(
        routes=[
            Route("/v1/pets", list_pets),
            Route("/v1/pets/{id}", get_pet),
            Route("/v1/echo", echo, methods=["GET", "POST"]),
        ]
    )
)
