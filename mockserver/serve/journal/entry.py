"""What the journal keeps of a request: the facts taken on its path, and the entry built from
them when it is read or written. RequestFacts are plain values (no exception, nothing of the
server's own), so keeping a thousand of them pins nothing else in memory."""

from __future__ import annotations

from typing import Any, NamedTuple

from mockserver.serve.problems import Violation

DEFAULT_SIZE = 1000

#: An entry as the endpoints serve it (JSON).
Entry = dict[str, Any]
#: The request line and headers: method, path, raw query, raw headers.
Head = tuple[str, str, bytes, tuple[tuple[bytes, bytes], ...]]


class ProblemFacts(NamedTuple):
    """The plain facts of the problem a request met (not the exception: its traceback
    would keep every frame of the request alive in the ring)."""

    status: int
    detail: str
    violations: tuple[Violation, ...]
    drawn: bool  # the error the error rate drew, not a refusal met on the way


class UpstreamFacts(NamedTuple):
    """What the proxy saw of the provider: where it forwarded, what came back, and every
    violation found on the way, on the request's side and on the response's."""

    url: str
    status: int | None  # None: the provider did not answer
    ms: float
    request: tuple[Violation, ...]
    response: tuple[Violation, ...]
    note: str = ""  # why there is no provider answer, or that the mock answered instead


class RequestFacts(NamedTuple):
    """The facts of one request, as the recorder takes them on the request's path."""

    number: int
    at: float  # seconds since the epoch
    ms: float  # time taken
    head: Head
    api: str | None
    plan: str | None  # the operation plan's key
    mount: str
    body: bytes | int  # the body, or its length when too long to keep
    status: int
    source: str
    problem: ProblemFacts | None
    delay_ms: float
    fault: str | None
    upstream: UpstreamFacts | None = None  # set when the proxy forwarded the request


#: What a store keeps: an entry, or the facts for the recorder to build one from.
Item = Entry | RequestFacts


def unbuildable(facts: RequestFacts) -> Entry:
    """A store's builder until a recorder sets its own."""
    raise TypeError("facts reached a journal that has no recorder")
