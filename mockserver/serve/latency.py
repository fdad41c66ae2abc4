"""Latency and faults on demand: how slowly, and how badly, the mock answers.

A frontend has to cope with slow and broken backends, so the mock can be both, per request
(``Prefer: delay=250``, ``Prefer: delay=100-900``, ``Prefer: fault=reset``) or per operation
and API (``mock.yaml``'s ``latency``, ``error-rate``, ``fault-rate`` and ``faults``, or
``serve --latency 50-200 --error-rate 0.05 --fault-rate 0.01``). What a request gets is
drawn from a generator seeded per operation, so the n-th request to an operation gets the
same delay, error and fault on every run with the same ``--seed``.

Delays are ``asyncio.sleep``: a thousand delayed requests cost a thousand timers, no thread.
The faults need the raw ASGI channel, and for ``reset`` the connection itself:

``reset``      closed with a TCP reset before a byte is answered
``empty``      the status line and headers, then the connection closes
``malformed``  a 200 with the headers, garbage bytes short of its Content-Length, then close
``slow-body``  the real answer, its body dribbled in chunks over the delay (default 2 s)
``timeout``    no answer until the client gives up, or a reset after ``MAX_DELAY_MS``
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import math
import os
import random
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import Receive, Scope, Send

from mockserver.data.generate import stable_seed
from mockserver.data.pacing import (
    FAULTS,
    MAX_DELAY_MS,
    NO_PACING,
    Delay,
    Fixed,
    LogNormal,
    Pacing,
    Uniform,
    parse_delay,
    parse_faults,
    parse_rate,
)
from mockserver.serve.answer import Answer
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import DrawnError, invalid
from mockserver.spec.model import Operation

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi

__all__ = [  # pacing's values are the data layer's; re-exported for the command line
    "FAULTS",
    "MAX_DELAY_MS",
    "NO_PACING",
    "NO_TURN",
    "Delay",
    "Fixed",
    "LogNormal",
    "Pacer",
    "Pacing",
    "Turn",
    "Uniform",
    "error_statuses",
    "pacer_for",
    "pacers_for",
    "parse_delay",
    "parse_faults",
    "parse_prefer",
    "parse_rate",
]

#: The faults a fault rate picks from when none are named: ``timeout`` holds a connection
#: for a minute, so it is only drawn when named.
RATE_FAULTS = ("reset", "empty", "malformed", "slow-body")
#: How long ``slow-body`` dribbles when no delay is given.
SLOW_BODY_MS = 2_000
SLOW_BODY_CHUNKS = 10
_PREFER_PART = re.compile(r"\s*(delay|fault)\s*=\s*\"?([^\",;]*)\"?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """What happens to one request: a delay, a fault, or a declared error instead."""

    delay_ms: float = 0.0
    fault: str | None = None
    error: int | None = None  # the declared status to fail with, drawn by the error rate
    prefer: bool = False  # asked for with a Prefer header

    def raise_error(self) -> None:
        """Raise the drawn error, if any, for the gate to render in the API's shape."""
        if self.error is not None:
            raise DrawnError(self.error)

    async def deliver(self, answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
        """Send ``answer`` after the delay, or break it as the fault says."""
        if self.fault == "slow-body":
            await _dribble(answer, send, self.delay_ms or SLOW_BODY_MS)
            return
        if self.delay_ms:
            await asyncio.sleep(self.delay_ms / 1000)
        if self.fault is None:
            await answer.send_to(send)
            return
        await FAULT_SENDERS[self.fault](answer, scope, receive, send)


NO_TURN = Turn()


def pacers_for(apis: Iterable[MountedApi], command_line: Pacing, seed: int) -> dict[str, Pacer]:
    """Each API's pacer, by name."""
    return {
        api.name: pacer_for(
            api.plans, api.declaration.pacing if api.declaration else {}, command_line, seed
        )
        for api in apis
    }


def pacer_for(
    plans: Iterable[OperationPlan],
    declared: Mapping[str, Pacing],
    command_line: Pacing,
    seed: int,
) -> Pacer:
    """The pacer of one API: each operation's ``mock.yaml`` block over the top-level block
    over the command line's options."""
    api = declared.get("", NO_PACING).over(command_line)
    return Pacer({p.key: p.op for p in plans}, declared, api, seed)


class Pacer:
    """Draws each request's :class:`Turn` for the operations of one API.

    An operation's pacing and error statuses are worked out on its first request, not for
    every operation at start-up (Graph's 11,000 took a tenth of a second)."""

    def __init__(
        self,
        operations: Mapping[str, Operation],
        declared: Mapping[str, Pacing],
        api: Pacing,
        seed: int,
    ) -> None:
        self.operations = operations  # operation key -> the operation
        self.declared = declared  # operation id ("" for the API) -> its mock.yaml block
        self.api = api  # the API's pacing over the command line's
        self.seed = seed
        self._paced: dict[str, Pacing | None] = {}  # None: idle
        self._rngs: dict[str, random.Random] = {}

    def pacing(self, key: str) -> Pacing | None:
        """The pacing of operation ``key``; None when it is idle (the common case)."""
        try:
            return self._paced[key]
        except KeyError:
            pass
        op = self.operations.get(key)
        paced = self.declared.get(op.operation_id, NO_PACING).over(self.api) if op else None
        found = None if paced is None or paced.idle else paced
        self._paced[key] = found
        return found

    def errors(self, key: str) -> tuple[int, ...]:
        """The error statuses an error rate answers operation ``key`` with."""
        op = self.operations.get(key)
        return error_statuses(r.status for r in op.responses) if op else ()

    def draw(self, key: str, headers: Iterable[tuple[bytes, bytes]]) -> Turn:
        """The turn of the next request to operation ``key``; raises a bad request when its
        ``Prefer`` header asks for a delay or fault the mock cannot give."""
        prefer = next((v for k, v in headers if k == b"prefer"), None)
        pacing = self.pacing(key)
        if prefer is None and pacing is None:
            return NO_TURN  # the common case: two lookups
        asked = parse_prefer(prefer.decode("latin-1")) if prefer is not None else NO_TURN
        if pacing is None:
            return asked
        rng = self._rngs.get(key)
        if rng is None:
            rng = self._rngs[key] = random.Random(stable_seed(self.seed, key, "pacing"))
        return _drawn(pacing, rng, self.errors(key), asked)


def _drawn(pacing: Pacing, rng: random.Random, errors: tuple[int, ...], asked: Turn) -> Turn:
    """Every draw is made whatever the request asked, so one request's ``Prefer`` does not
    shift the sequence the requests after it get."""
    failing = rng.random() < (pacing.error_rate or 0)
    error = rng.choice(errors) if errors else None
    faulting = rng.random() < (pacing.fault_rate or 0)
    fault = rng.choice(pacing.faults or RATE_FAULTS)
    delay = pacing.latency.sample(rng) if pacing.latency is not None else 0.0
    if asked.fault is not None:
        return Turn(asked.delay_ms or delay, asked.fault, None, prefer=True)
    return Turn(
        asked.delay_ms if asked.prefer and asked.delay_ms else delay,
        fault if faulting else None,
        error if failing and not faulting else None,
        prefer=asked.prefer,
    )


def parse_prefer(header: str) -> Turn:
    """The ``delay`` and ``fault`` preferences of a ``Prefer`` header (others are the
    responder's); raises a bad request naming what cannot be honoured."""
    delay, fault = 0.0, None
    for part in re.split(r"[,;]", header):
        match = _PREFER_PART.fullmatch(part)
        if not match:
            continue
        name, value = match.group(1).lower(), match.group(2).strip()
        if name == "fault":
            if value not in FAULTS:
                raise invalid(
                    "header",
                    "Prefer",
                    f"fault={value} is unknown; faults: {', '.join(FAULTS)}",
                    "malformed",
                )
            fault = value
        else:
            try:
                delay = parse_delay(value).sample(random.Random(stable_seed(header)))
            except ValueError as error:
                raise invalid("header", "Prefer", f"delay={value}: {error}", "malformed") from None
    if fault is None and not delay:
        return NO_TURN
    return Turn(delay, fault, prefer=True)


#: Declared 4xx statuses an error rate may answer, in order of preference: the transient
#: ones, then those a valid request still meets (an expired token, a vanished item). Never
#: 400, 405, 406, 413, 415 or 422: they would blame a request that was fine.
TRANSIENT_4XX = (429, 408, 409, 423, 425)
STANDING_4XX = (401, 403, 404)


def error_statuses(statuses: Iterable[str]) -> tuple[int, ...]:
    """The statuses an error rate answers with, from those the operation declares: its 5xx;
    else its transient 4xx (429...); else 500 under a ``default`` or ``5XX`` response; else
    401, 403 or 404; else none (the error rate leaves the operation alone)."""
    declared = list(statuses)
    exact = [int(s) for s in declared if s.isdigit()]
    for chosen in (
        tuple(s for s in exact if s >= 500),
        tuple(s for s in exact if s in TRANSIENT_4XX),
        (500,) if any(s in ("default", "5XX", "5xx") for s in declared) else (),
        tuple(s for s in exact if s in STANDING_4XX),
    ):
        if chosen:
            return chosen
    return ()


# --- the faults --------------------------------------------------------------------------


class InjectedFault(Exception):
    """Raised after a partial answer so the server closes the connection mid-response; the
    worker's log filter (:func:`mockserver.serve.server.quiet_injected_faults`) drops it."""


def _start(answer: Answer, length: int) -> dict[str, Any]:
    headers = [(k, v) for k, v in answer.raw_headers if k != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {"type": "http.response.start", "status": answer.status, "headers": headers}


async def _empty(answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
    await send(_start(answer, max(len(answer.body), 1)))
    await send({"type": "http.response.body", "body": b"", "more_body": True})
    raise InjectedFault("empty: headers, then the connection closes")


async def _malformed(answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
    garbage = random.Random(stable_seed(answer.body)).randbytes(64)
    ok = Answer(200, answer.media_type, answer.body, answer.headers)
    await send(_start(ok, len(garbage) * 2))
    await send({"type": "http.response.body", "body": garbage, "more_body": True})
    raise InjectedFault("malformed: garbage bytes, then the connection closes")


async def _reset(answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
    if not reset_connection(scope):  # no socket of ours (an in-process client): close early
        await _empty(answer, scope, receive, send)


async def _timeout(answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(MAX_DELAY_MS / 1000):
            while (await receive())["type"] != "http.disconnect":
                pass
            return  # the client gave up
    await _reset(answer, scope, receive, send)


async def _dribble(answer: Answer, send: Send, over_ms: float) -> None:
    body = answer.body
    count = max(1, min(SLOW_BODY_CHUNKS, len(body)))
    size = math.ceil(len(body) / count) if body else 0
    await send(_start(answer, len(body)))
    for index in range(count):
        await asyncio.sleep(over_ms / 1000 / count)
        chunk = body[index * size : (index + 1) * size]
        await send({"type": "http.response.body", "body": chunk, "more_body": index < count - 1})


FAULT_SENDERS = {"reset": _reset, "empty": _empty, "malformed": _malformed, "timeout": _timeout}


class _SockAddr(ctypes.Structure):
    _fields_ = (("family", ctypes.c_ushort), ("data", ctypes.c_char * 14))


def reset_connection(scope: Scope) -> bool:
    """Reset the client's TCP connection at once. ASGI has no way to drop a connection
    unanswered, so this finds the worker's socket whose peer is the scope's client, and
    disconnects it (``connect`` to ``AF_UNSPEC``), which makes Linux send an RST. Returns
    whether a socket was found."""
    client = scope.get("client")
    fd = _socket_of(client) if client else None
    if fd is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    address = _SockAddr(socket.AF_UNSPEC)
    return bool(libc.connect(fd, ctypes.byref(address), ctypes.sizeof(address)) == 0)


def _socket_of(client: Any) -> int | None:
    """The file descriptor of this process's socket connected to ``client``."""
    wanted = (str(client[0]), int(client[1]))
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            with contextlib.suppress(OSError):
                if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                    continue
                with socket.socket(fileno=os.dup(fd)) as sock:
                    peer = sock.getpeername()
                if isinstance(peer, tuple) and (str(peer[0]), int(peer[1])) == wanted:
                    return fd
    return None
