"""The validating proxy (``serve --proxy URL``): the real provider answers, the mock judges.

Pointed at the mock in proxy mode, a frontend or a test suite talks to the real API while
every exchange is checked against the document in both directions. That is how contract
drift is found in practice, and how realistic fixtures are recorded (``--record``).

A request is checked as the mock checks it (credentials, parameters, body), then forwarded
to the provider's URL plus the path below the API's mount, with its method, query, body and
headers (hop-by-hop headers dropped, ``Host`` the provider's, ``X-Forwarded-For``/
``-Proto``/``-Host`` added). The provider's answer goes back unchanged, after
:mod:`mockserver.serve.drift` has checked it. Violations are reported (the journal marks
each as the request's or the response's), not enforced, unless ``--proxy-strict``: then an
invalid request gets the mock's own refusal and is not forwarded, and a drifted answer is
replaced by a 502 problem listing the violations. A provider that does not answer gets a
502 (refused, reset) or 504 (timed out) problem naming it, or with ``--proxy-fallback`` the
mock's answer with a ``Warning``.

Bodies up to :data:`MAX_CHECKED_BYTES` are read whole and checked; a longer body is passed
on as it arrives (only that much is ever held) and not checked. One client per worker
process (:mod:`mockserver.serve.upstream`) keeps connections to the providers open.
"""

from __future__ import annotations

import asyncio
import functools
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl

from starlette.types import Message, Scope, Send

from mockserver.data.recording import Answered, Recording
from mockserver.serve.answer import Answer, header_bytes
from mockserver.serve.api import MountedApi
from mockserver.serve.checks import read_request
from mockserver.serve.drift import DriftChecker, declared_response, parse_json
from mockserver.serve.error_shapes import problem_json
from mockserver.serve.journal.entry import UpstreamFacts
from mockserver.serve.journal.masks import Masks
from mockserver.serve.options import ProxyOptions
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import Problem, Violation
from mockserver.serve.request import RawRequest, parse_cookies
from mockserver.serve.upstream import ProviderDown, Reply, Upstream

#: Provider bodies up to this size are checked against the document; longer ones stream.
MAX_CHECKED_BYTES = 8 * 1024 * 1024
#: RFC 9110 7.6.1: headers meant for one connection, never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
     "trailer", "trailers", "transfer-encoding", "upgrade", "proxy-connection"}
)  # fmt: skip
#: Headers the proxy sets itself on the way out or on the way back.
REWRITTEN = frozenset({"host", "content-length"})
#: Headers never forwarded to the provider.
DROPPED = HOP_BY_HOP | REWRITTEN
#: Provider headers not passed back as they came (the answer sets type and length itself).
NOT_PASSED = {h.encode() for h in HOP_BY_HOP | {"content-length", "content-type"}}

#: What the gate hands the proxy to answer from the mock instead (``--proxy-fallback``).
MockAnswer = Callable[[], Awaitable[Answer]]


@dataclass(frozen=True)
class Proxied:
    """The answer to send, the problem it renders (if any), and the journal's facts."""

    answer: Answer
    problem: Problem | None
    facts: UpstreamFacts


@dataclass(frozen=True)
class PassedOn(Answer):
    """The provider's answer, its headers sent back byte for byte as they came (the first
    ``exact`` of ``headers``; any added after them, such as a ``Warning``, are the mock's).
    With ``rest``, the body is longer than the proxy holds: the part read so far is sent,
    then the rest as it arrives, without a length. ``length`` is the provider's own
    Content-Length: for a HEAD it is the GET's length, not the empty body's (RFC 9110 9.3.2)."""

    exact: int = 0
    length: bytes | None = None
    rest: AsyncIterator[bytes] | None = field(default=None, compare=False)
    closing: Callable[[], Awaitable[None]] | None = field(default=None, compare=False)

    @functools.cached_property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The provider's headers as they came, then the mock's, type and length."""
        exact, added = self.headers[: self.exact], self.headers[self.exact :]
        encoded = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in exact]
        encoded += [(header_bytes(k.lower()), header_bytes(v)) for k, v in added]
        if self.media_type:
            encoded.append((b"content-type", self.media_type.encode("latin-1")))
        if self.rest is None:
            length = self.length if self.length is not None else str(len(self.body)).encode()
            encoded.append((b"content-length", length))
        return tuple(encoded)

    def with_headers(self, *headers: tuple[str, str]) -> Answer:
        """A copy with ``headers`` added (after the provider's)."""
        return replace(self, headers=(*self.headers, *headers))

    async def send_to(self, send: Send) -> None:
        """Send the answer; a long body: what was read, then each chunk as it comes."""
        if self.rest is None or self.bodiless:
            await super().send_to(send)
            return
        start = {"type": "http.response.start", "status": self.status}
        await send({**start, "headers": list(self.raw_headers)})
        try:
            await send({"type": "http.response.body", "body": self.body, "more_body": True})
            async for chunk in self.rest:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            if self.closing is not None:
                await self.closing()


class Proxies:
    """Every API's provider, sharing one HTTP client per worker process."""

    def __init__(self, apis: list[MountedApi], options: ProxyOptions) -> None:
        self.options = options
        self.upstream = Upstream(options.timeout, MAX_CHECKED_BYTES)
        self.by_api: dict[str, Proxy] = {}
        for api in apis:
            url = options.upstreams.get(api.name) or options.upstreams.get("")
            if url:
                self.by_api[api.name] = Proxy(self, api, url.rstrip("/"))

    async def aclose(self) -> None:
        """Close the worker's connections to the providers."""
        await self.upstream.aclose()

    def closing_on_shutdown(self, send: Send) -> Send:
        """``send`` for the lifespan scope, closing the client before shutdown completes."""

        async def sending(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await self.aclose()
            await send(message)

        return sending

    def get(self, api: str) -> Proxy | None:
        """The proxy for ``api``, or None when the mock answers it."""
        return self.by_api.get(api)


class Proxy:
    """One API's provider: forwards, checks, and answers."""

    def __init__(self, proxies: Proxies, api: MountedApi, url: str) -> None:
        self.proxies = proxies
        self.api = api
        self.url = url
        self.checker = DriftChecker(api.document.registry)
        record = proxies.options.record
        self.recording = (
            Recording(record / api.name, api.name, api.document.registry)
            if record is not None and api.declaration is not None
            else None
        )
        self.masks = Masks.of([api])

    async def answer(
        self, plan: OperationPlan, raw: RawRequest, scope: Scope, mock: MockAnswer
    ) -> Proxied:
        """The provider's answer to ``raw``, checked; raises the mock's refusal when strict."""
        request_violations = self._check_request(plan, raw)
        started = time.perf_counter()
        target = self.url + _below_mount(scope, raw.mount)
        headers = forwarded_headers(scope, raw)
        try:
            reply = await self.proxies.upstream.send(raw.method.upper(), target, headers, raw.body)
        except ProviderDown as down:
            return await self._down(down.status, down.why, started, request_violations, mock)
        ms = (time.perf_counter() - started) * 1000
        return await self._checked(plan, raw, reply, ms, request_violations)

    def _check_request(self, plan: OperationPlan, raw: RawRequest) -> tuple[Violation, ...]:
        """The request's violations (forwarded anyway), or the refusal when strict."""
        try:
            read_request(self.api, plan, raw)
        except Problem as refusal:
            if self.proxies.options.strict:
                raise
            return refusal.violations or (Violation("request", "", "", refusal.detail, "refused"),)
        return ()

    async def _checked(
        self,
        plan: OperationPlan,
        raw: RawRequest,
        reply: Reply,
        ms: float,
        request_violations: tuple[Violation, ...],
    ) -> Proxied:
        status, headers = reply.status, reply.headers
        whole = reply.rest is None
        checked = _decoded(reply.body, headers.get("content-encoding", "")) if whole else None
        violations = tuple(self.checker.check(plan, status, headers, checked))
        facts = UpstreamFacts(self.url, status, ms, request_violations, violations)
        if violations and self.proxies.options.strict:
            await reply.close()
            problem = Problem(
                502, f"the provider at {self.url} answered {status}, "
                "which does not match the API description", violations,
            )  # fmt: skip
            return Proxied(problem_json(problem, 502), problem, facts)
        valid = not violations and not request_violations and checked is not None
        if valid and self.recording is not None and 200 <= status < 300:
            answered = self._answered(plan, raw, status, checked)
            if answered is not None:  # files are written off the loop, before the answer
                await asyncio.to_thread(self.recording.fold, answered)
        return Proxied(_passed_on(reply), None, facts)

    def _answered(
        self, plan: OperationPlan, raw: RawRequest, status: int, body: bytes | None
    ) -> Answered | None:
        """What ``--record`` keeps of a valid answer: None unless it lists or gets records."""
        behaviour, declaration = plan.behaviour, self.api.declaration
        if behaviour is None or declaration is None or body is None:
            return None
        dataset = declaration.datasets.get(behaviour.dataset)
        response = declared_response(plan, status)
        if dataset is None or response is None:
            return None
        try:
            value = parse_json(body)
        except ValueError:
            return None
        schema = next((m.schema for m in response.content if "json" in m.name), None)
        return Answered(behaviour, dataset, value, schema, credentials(raw, self.masks))

    async def _down(
        self,
        status: int,
        why: str,
        started: float,
        request_violations: tuple[Violation, ...],
        mock: MockAnswer,
    ) -> Proxied:
        ms = (time.perf_counter() - started) * 1000
        detail = f"the provider at {self.url} {why}"
        if self.proxies.options.fallback:
            quoted = detail.replace('"', "'")  # a Warning's text is a quoted string
            warning = f'199 mockserver "{quoted}; the mock answered instead"'
            facts = UpstreamFacts(self.url, None, ms, request_violations, (), f"{detail}; mock")
            return Proxied((await mock()).with_headers(("Warning", warning)), None, facts)
        problem = Problem(status, detail)
        facts = UpstreamFacts(self.url, None, ms, request_violations, (), detail)
        return Proxied(problem_json(problem, status), problem, facts)


def credentials(raw: RawRequest, masks: Masks) -> frozenset[str]:
    """The credentials ``raw`` carries (the values the journal masks), never recorded."""
    found: set[str] = set()
    for name, value in raw.headers:
        if name.lower() in masks.headers:
            found.add(value.decode("latin-1").rpartition(" ")[2])
    found.update(v for k, v in parse_qsl(raw.query_string.decode("latin-1")) if k in masks.query)
    cookies = parse_cookies(raw.header_map())
    found.update(v for k, v in cookies.items() if k in masks.cookies)
    return frozenset(s for s in found if len(s) >= 4)  # shorter: no credential, common text


def forwarded_headers(scope: Scope, raw: RawRequest) -> list[tuple[str, str]]:
    """The client's headers for the provider: hop-by-hop ones (and those ``Connection``
    names) dropped, ``Host`` left to the client library, ``X-Forwarded-*`` added."""
    kept: list[tuple[str, str]] = []
    chain: list[str] = []
    named: set[str] = set()
    host = ""
    for key, value in raw.headers:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        if name == "connection":
            named.update(token.strip().lower() for token in text.split(","))
        elif name == "host":
            host = text
        if name == "x-forwarded-for":
            chain.append(text)
        elif name not in DROPPED:
            kept.append((name, text))
    if named:
        kept = [(k, v) for k, v in kept if k not in named]
    client = scope.get("client")
    if client:
        chain.append(str(client[0]))
    kept.append(("x-forwarded-for", ", ".join(chain)))
    kept.append(("x-forwarded-proto", str(scope.get("scheme", "http"))))
    if host:
        kept.append(("x-forwarded-host", host))
    return kept


def _below_mount(scope: Scope, mount: str) -> str:
    """The path below the API's mount as the client wrote it (encoding kept), with query."""
    raw_path = scope.get("raw_path") or str(scope["path"]).encode()
    below = raw_path.decode("latin-1")[len(mount) :] or "/"
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    return below + (f"?{query}" if query else "")


def _passed_on(reply: Reply) -> Answer:
    """The provider's answer as it came: status, headers (but hop-by-hop ones) and body."""
    headers = tuple(
        (k.lower().decode("latin-1"), v.decode("latin-1"))
        for k, v in reply.raw_headers
        if k.lower() not in NOT_PASSED
    )
    media = next((v for k, v in reply.raw_headers if k.lower() == b"content-type"), None)
    length = next((v for k, v in reply.raw_headers if k.lower() == b"content-length"), None)
    return PassedOn(
        reply.status,
        media.decode("latin-1") if media is not None else None,
        reply.body,
        headers,
        "upstream",
        exact=len(headers),
        length=length if length is not None and not reply.body else None,
        rest=reply.rest,
        closing=reply.close if reply.rest is not None else None,
    )


def _decoded(body: bytes, encoding: str) -> bytes | None:
    """The body to check: as sent, or unzipped; None for an encoding not read here."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip", "deflate"):
        try:
            return zlib.decompressobj(wbits=47).decompress(body)
        except zlib.error:
            return None
    return None
