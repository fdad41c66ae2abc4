"""The request journal: what the mock received, what it made of it, and what it answered.

A frontend developer asks "why did that request get a 400?" The journal keeps the last N
requests to the mounted APIs (a ring, 1,000 by default): method, path, query and headers
(credentials masked), the operation matched or the near misses, the verdict with every
violation, the status, where the answer came from, and the time taken. ``GET
/__mock/journal`` lists them newest first, ``GET /__mock/journal/stream`` streams them as
Server-Sent Events, and ``POST /__mock/reset`` clears them.

Workers are processes, so the journal lives in a store every worker reaches:
:class:`MemoryJournal` for one process, :class:`FileJournal` (one append-only file per
worker in a folder the parent creates, merged when read) for ``--workers N``.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl

import orjson
from starlette.types import Receive, Scope, Send

from mockserver.serve.answer import Answer
from mockserver.serve.encoding import dumps
from mockserver.serve.latency import Turn
from mockserver.serve.problems import Problem
from mockserver.serve.security import DEVELOPMENT_TOKEN
from mockserver.serve.sessions import SESSION_COOKIE, SESSION_HEADER

if TYPE_CHECKING:
    from mockserver.serve.control import Control
    from mockserver.serve.mount import MountedApi
    from mockserver.serve.plan import OperationPlan
    from mockserver.serve.request import RawRequest

DEFAULT_SIZE = 1000
ENDPOINT = "/__mock/journal"
#: Request bodies longer than this are journalled as their length only.
MAX_BODY_CHARS = 4096
#: How often a stream looks for new entries, and how long it lasts before the browser's
#: EventSource reconnects (so a stopping server never waits on a stream).
POLL_SECONDS = 0.2
STREAM_SECONDS = 25.0
#: How long a worker may hold entries before writing them to its file.
FLUSH_SECONDS = 0.05
MASK = "****"
_CREDENTIAL_HEADERS = frozenset({b"authorization", b"proxy-authorization"})
_CREDENTIAL_QUERY = frozenset({"access_token"})

Entry = dict[str, Any]
#: What a store keeps: an entry, or the facts of one request (a tuple of plain values, which
#: the garbage collector soon stops tracking) for the recorder to build the entry from.
Item = Entry | tuple[Any, ...]


def _unbuildable(facts: tuple[Any, ...]) -> Entry:
    raise TypeError("facts reached a journal that has no recorder")


class JournalStore(Protocol):
    """Where entries are kept: the last ``size``, readable by every worker."""

    size: int
    build: Callable[[tuple[Any, ...]], Entry]  # set by the recorder

    def add(self, item: Item) -> None:
        """Keep an entry, or the facts to build one from."""

    def entries(self) -> list[Entry]:
        """The entries kept since the last reset, oldest first."""
        ...

    def clear(self, session: str | None = None) -> None:
        """Forget every entry, or those of one session."""

    def follow(self) -> Follower:
        """A cursor that yields the entries added after it was made."""
        ...


class Follower(Protocol):
    """The new entries since the last call, and whether the journal was reset meanwhile."""

    def poll(self) -> tuple[list[Entry], bool]:
        """New entries, oldest first, and whether a reset happened."""
        ...


class MemoryJournal:
    """The journal of one process: a ring in memory."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._ring: deque[Item] = deque(maxlen=size)
        self.build: Callable[[tuple[Any, ...]], Entry] = _unbuildable
        self._added = 0  # entries ever added: a follower's cursor
        self._resets = 0

    def add(self, item: Item) -> None:
        """Keep ``item``; the oldest goes when the ring is full."""
        self._ring.append(item)
        self._added += 1

    def entries(self) -> list[Entry]:
        """Oldest first (each entry built once, when first read)."""
        ring, build = self._ring, self.build
        for index, item in enumerate(ring):
            if isinstance(item, tuple):
                ring[index] = build(item)
        return list(ring)  # type: ignore[arg-type]  # every item is an entry now

    def clear(self, session: str | None = None) -> None:
        """Forget every entry, or one session's."""
        kept = [e for e in self.entries() if session is not None and e.get("session") != session]
        self._ring.clear()
        self._ring.extend(kept)
        self._resets += 1

    def follow(self) -> Follower:
        """A cursor at the newest entry."""
        return _MemoryFollower(self)


class _MemoryFollower:
    def __init__(self, journal: MemoryJournal) -> None:
        self.journal = journal
        self.added = journal._added
        self.resets = journal._resets

    def poll(self) -> tuple[list[Entry], bool]:
        journal = self.journal
        reset = journal._resets != self.resets
        new = min(journal._added - self.added, len(journal._ring))
        self.added, self.resets = journal._added, journal._resets
        return (journal.entries()[-new:] if new else []), reset


class FileJournal:
    """The journal of every worker: each appends JSON lines to its own file in ``folder``
    (one ``write`` each, no lock), rotating it past ``size`` lines; readers merge the files.
    A reset writes the time it happened, and readers skip what came before."""

    def __init__(self, folder: Path, size: int = DEFAULT_SIZE) -> None:
        self.folder = folder
        self.size = size
        self._fd: int | None = None
        self._pid = 0
        self._lines = 0
        self._pending: list[Item] = []
        self.build: Callable[[tuple[Any, ...]], Entry] = _unbuildable

    def add(self, item: Item) -> None:
        """Queue ``item``; queued items are written together, within
        :data:`FLUSH_SECONDS` (one ``write`` for many requests, off their path)."""
        self._pending.append(item)
        if len(self._pending) == 1:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
            except RuntimeError:  # no event loop: written at once
                self.flush()

    def flush(self) -> None:
        """Write the queued records to this worker's file."""
        pending, self._pending = self._pending, []
        if self._pid != os.getpid():  # first use in this worker (or a fork of it)
            self._open()
        lines: list[bytes] = []
        for item in pending:
            if self._lines + len(lines) >= self.size:
                self._write(lines)
                lines = []
                self._rotate()
            lines.append(dumps(item if isinstance(item, dict) else self.build(item)))
        self._write(lines)

    def _write(self, lines: list[bytes]) -> None:
        if lines:
            assert self._fd is not None
            os.write(self._fd, b"\n".join(lines) + b"\n")
            self._lines += len(lines)

    def _current(self) -> Path:
        return self.folder / f"worker-{self._pid}.jsonl"

    def _open(self) -> None:
        self._pid = os.getpid()
        self._fd = os.open(self._current(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lines = 0

    def _rotate(self) -> None:
        assert self._fd is not None
        os.close(self._fd)
        os.replace(self._current(), self.folder / f"worker-{self._pid}.old.jsonl")
        self._open()

    def entries(self) -> list[Entry]:
        """Every worker's entries since the last reset, oldest first."""
        cleared = self._cleared()
        found = [e for path in self.folder.glob("worker-*.jsonl") for e in _read_lines(path)[0]]
        found = [e for e in found if _after(e, cleared)]
        found.sort(key=lambda e: (e["at"], e["id"]))
        return found[-self.size :]

    def clear(self, session: str | None = None) -> None:
        """Mark everything before now as cleared (for one session, or all)."""
        cleared = self._cleared()
        cleared[session or ""] = time.time()
        marker = self.folder / "cleared.json"
        temporary = marker.with_suffix(f".{os.getpid()}")
        temporary.write_bytes(orjson.dumps(cleared))
        os.replace(temporary, marker)

    def _cleared(self) -> dict[str, float]:
        try:
            value = orjson.loads((self.folder / "cleared.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return value if isinstance(value, dict) else {}

    def follow(self) -> Follower:
        """A cursor at the end of every worker's file."""
        return _FileFollower(self)


class _FileFollower:
    """Reads only what was appended since the last poll: an offset per worker file; a file
    that was rotated (another inode) is finished from its old name first."""

    def __init__(self, journal: FileJournal) -> None:
        self.journal = journal
        self.offsets: dict[Path, tuple[int, int]] = {}
        self.cleared = journal._cleared()
        for path in self._files():
            status = path.stat()
            self.offsets[path] = (status.st_ino, status.st_size)

    def _files(self) -> list[Path]:
        return [p for p in self.journal.folder.glob("worker-*.jsonl") if ".old." not in p.name]

    def poll(self) -> tuple[list[Entry], bool]:
        cleared = self.journal._cleared()
        reset, self.cleared = cleared != self.cleared, cleared
        found: list[Entry] = []
        for path in self._files():
            found += self._read_new(path)
        found = [e for e in found if _after(e, cleared)]
        found.sort(key=lambda e: (e["at"], e["id"]))
        return found, reset

    def _read_new(self, path: Path) -> list[Entry]:
        try:
            status = path.stat()
        except OSError:
            return []
        inode, offset = self.offsets.get(path, (status.st_ino, 0))
        found: list[Entry] = []
        if inode != status.st_ino:  # rotated: finish the old file, then read the new one
            old = path.with_name(path.name.replace(".jsonl", ".old.jsonl"))
            with contextlib.suppress(OSError):
                if old.stat().st_ino == inode:
                    found += _read_lines(old, offset)[0]
            offset = 0
        new, offset = _read_lines(path, offset) if status.st_size > offset else ([], offset)
        self.offsets[path] = (status.st_ino, offset)
        return found + new


def _read_lines(path: Path, offset: int = 0) -> tuple[list[Entry], int]:
    """The whole entries in ``path`` from ``offset``, and the offset after the last."""
    try:
        with path.open("rb") as file:
            file.seek(offset)
            data = file.read()
    except OSError:
        data = b""
    end = data.rfind(b"\n") + 1  # a line still being written is read next time
    entries = []
    for line in data[:end].splitlines():
        with contextlib.suppress(orjson.JSONDecodeError):
            entries.append(orjson.loads(line))
    return entries, offset + end


def _after(entry: Entry, cleared: Mapping[str, float]) -> bool:
    at = entry["at"] / 1000
    if at <= cleared.get("", 0):
        return False
    session = entry.get("session")
    return not (session and at <= cleared.get(session, 0))


# --- what an entry holds ----------------------------------------------------------------


@dataclass(frozen=True)
class Masks:
    """What to mask in one API's requests: the headers, query parameters and cookies its
    security schemes name, and the tokens the mock itself publishes (shown in clear, so the
    dashboard's curl still runs)."""

    headers: frozenset[bytes]
    query: frozenset[str]
    cookies: frozenset[str]
    public: frozenset[str]

    @classmethod
    def of(cls, apis: Iterable[MountedApi]) -> Masks:
        """The masks of every API in ``apis``, together."""
        headers, query, cookies, public = (
            set(_CREDENTIAL_HEADERS),
            set(_CREDENTIAL_QUERY),
            set(),
            set(),
        )
        public.add(DEVELOPMENT_TOKEN)
        for api in apis:
            for scheme in api.document.security_schemes.values():
                if scheme.type == "apiKey" and scheme.location == "header":
                    headers.add(scheme.parameter_name.lower().encode("latin-1"))
                elif scheme.type == "apiKey" and scheme.location == "query":
                    query.add(scheme.parameter_name)
                elif scheme.type == "apiKey" and scheme.location == "cookie":
                    cookies.add(scheme.parameter_name)
            public.update(api.guard.book.tokens)
        return cls(frozenset(headers), frozenset(query), frozenset(cookies), frozenset(public))

    def header(self, value: str) -> str:
        """``Bearer s3cret`` -> ``Bearer ****``; the mock's own tokens stay readable."""
        scheme, _, credential = value.rpartition(" ")
        if credential in self.public:
            return value
        return f"{scheme} {MASK}" if scheme else MASK

    def cookie(self, value: str) -> str:
        """Every cookie value masked but the session's and the mock's own tokens."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value)
        except CookieError:
            return MASK
        return "; ".join(
            f"{name}={morsel.value}"
            if name == SESSION_COOKIE or morsel.value in self.public
            else f"{name}={MASK}"
            for name, morsel in jar.items()
        )


class Recorder:
    """Keeps the facts of each request, and builds its entry when it is read (one process)
    or written (workers): on the request's path only a tuple is made."""

    def __init__(self, store: JournalStore, apis: list[MountedApi]) -> None:
        self.store = store
        store.build = self.build
        self.apis = apis
        self.by_name = {api.name: api for api in apis}
        self.plans = {plan.key: plan for api in apis for plan in api.plans}
        self.masks = {api.name: Masks.of([api]) for api in apis}
        self.all_masks = Masks.of(apis)
        self.pid = os.getpid()
        self.counter = itertools.count()

    def record(
        self,
        scope: Scope,
        started: float,
        api: MountedApi | None,
        plan: OperationPlan | None,
        raw: RawRequest | None,
        answer: Answer,
        problem: Problem | None,
        turn: Turn,
    ) -> None:
        """Keep the facts of one request (pages are not journalled): plain values only, so
        the garbage collector soon stops tracking them, and nothing of the server's own (its
        scope may pin its buffers)."""
        ms = (time.perf_counter() - started) * 1000
        if raw is not None:
            head = (raw.method.upper(), str(scope["path"]), raw.query_string, raw.headers)
            mount, body = raw.mount, raw.body if len(raw.body) <= MAX_BODY_CHARS else len(raw.body)
        else:
            head = (str(scope["method"]), str(scope["path"]),
                    bytes(scope.get("query_string", b"")), tuple(scope["headers"]))  # fmt: skip
            mount, body = "", b""
        # the problem's plain facts, not the exception: its traceback would keep every frame
        # of the request alive in the ring, and the collector walking them stalls the server
        facts = (problem.status, problem.detail, problem.violations) if problem else None
        self.store.add(
            (next(self.counter), time.time(), ms, head, api.name if api else None,
             plan.key if plan else None, mount, body, answer.status, answer.source, facts,
             turn.delay_ms, turn.fault, turn.error)
        )  # fmt: skip

    def build(self, facts: tuple[Any, ...]) -> Entry:
        """The entry of one request, credentials masked."""
        (number, at, ms, head, api_name, plan_key, mount, body, status, source, found,
         delay_ms, fault, error) = facts  # fmt: skip
        problem = Problem(*found) if found else None
        api = self.by_name.get(api_name) if api_name else None
        plan = self.plans.get(plan_key) if plan_key else None
        return self._entry(
            number, at, ms, head, api, plan, mount, body, status, source, problem,
            Turn(delay_ms, fault, error),
        )  # fmt: skip

    def _entry(
        self,
        number: int,
        at: float,
        ms: float,
        head: tuple[str, str, bytes, tuple[tuple[bytes, bytes], ...]],
        api: MountedApi | None,
        plan: OperationPlan | None,
        mount: str,
        body: bytes | int,
        status: int,
        source: str,
        problem: Problem | None,
        turn: Turn,
    ) -> Entry:
        """The entry of one request, credentials masked."""
        masks = self.masks[api.name] if api is not None else self.all_masks
        method, path, query, raw_headers = head
        headers = _headers(raw_headers, masks)
        entry: Entry = {
            "id": f"{self.pid}-{number}",
            "at": round(at * 1000, 3),
            "method": method,
            "path": path,
            "query": _query(query, masks),
            "headers": headers,
            "api": api.name if api else None,
            "operation": plan.op.operation_id if plan else None,
            "template": f"{method} {mount}{plan.op.path}" if plan else None,
            "session": _session(headers),
            "status": status,
            "verdict": _verdict(problem, turn),
            "source": _source(source, problem, turn, headers),
            "fault": turn.fault,
            "delay_ms": round(turn.delay_ms, 1),
            "ms": round(ms, 2),
        }
        if problem is not None:
            entry["detail"] = problem.detail
            entry["violations"] = [_violation(v) for v in problem.violations]
        if plan is None and problem is not None and problem.status in (404, 405):
            entry["near"] = near_misses(self.apis, method, path)
        if body:
            entry["body"] = _body(body)
        return entry


def _headers(raw: Iterable[tuple[bytes, bytes]], masks: Masks) -> list[list[str]]:
    found = []
    for name, value in raw:
        text = value.decode("latin-1")
        if name in masks.headers:
            text = masks.header(text)
        elif name == b"cookie":
            text = masks.cookie(text)
        found.append([name.decode("latin-1"), text])
    return found


def _query(raw: bytes, masks: Masks) -> str:
    text = raw.decode("latin-1")
    if not any(f"{name}=" in text for name in masks.query):
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    hidden = masks.query
    return "&".join(f"{k}={MASK if k in hidden and v not in masks.public else v}" for k, v in pairs)


def _session(headers: list[list[str]]) -> str | None:
    """The stateful mock's session: its header, else its cookie."""
    for name, value in headers:
        if name.lower() == SESSION_HEADER:
            return value
    for name, value in headers:
        if name.lower() == "cookie" and SESSION_COOKIE in value:
            jar: SimpleCookie = SimpleCookie()
            with contextlib.suppress(CookieError):
                jar.load(value)
            morsel = jar.get(SESSION_COOKIE)
            return morsel.value if morsel is not None else None
    return None


def _verdict(problem: Problem | None, turn: Turn) -> str:
    if problem is None:
        return "accepted"
    if _drawn_error(problem, turn):
        return "accepted"  # valid, then failed on purpose by the error rate
    return "refused" if problem.status < 500 else "failed"


def _drawn_error(problem: Problem, turn: Turn) -> bool:
    """Whether ``problem`` is the error the error rate drew (not a refusal met first)."""
    return turn.error is not None and problem.status == turn.error


def _source(source: str, problem: Problem | None, turn: Turn, headers: list[list[str]]) -> str:
    if problem is not None:
        return "error-rate" if _drawn_error(problem, turn) else "problem"
    prefer = next((v for k, v in headers if k.lower() == "prefer"), "")
    if any(p in prefer for p in ("code=", "example=", "dynamic=")):
        return "Prefer"
    return source or "document"


def _violation(violation: Any) -> dict[str, Any]:
    location, name, pointer = violation.location, violation.name, violation.pointer
    where = "/" + "/".join(p for p in (location, name) if p) + (pointer or "")
    return {"pointer": where, "keyword": violation.kind, "message": violation.describe()}


def _body(body: bytes | int) -> str:
    if isinstance(body, int):
        return f"({body} bytes)"
    return body.decode("utf-8", errors="replace")


def near_misses(apis: Iterable[MountedApi], method: str, path: str, limit: int = 3) -> list[str]:
    """The operations closest to ``method path``, as ``GET /mount/items/{id}``."""
    scored = []
    for api in apis:
        for mount in api.mounts:
            for plan in api.plans:
                template = mount + plan.op.path
                closeness = _closeness(path, template)
                verb = plan.op.method.upper()
                scored.append((closeness + (0.05 if verb == method else 0), f"{verb} {template}"))
    scored.sort(key=lambda s: -s[0])
    unique = list(dict.fromkeys(name for score, name in scored if score >= 0.6))
    return unique[:limit]


def _closeness(path: str, template: str) -> float:
    """1.0 when ``path`` fits ``template`` segment by segment (variables fit anything)."""
    sent, wanted = path.strip("/").split("/"), template.strip("/").split("/")
    if len(sent) != len(wanted):
        return difflib.SequenceMatcher(None, path, template).ratio() * 0.9
    ratios = [
        1.0 if w.startswith("{") else difflib.SequenceMatcher(None, s, w).ratio()
        for s, w in zip(sent, wanted, strict=True)
    ]
    return sum(ratios) / len(ratios)


# --- the endpoints ----------------------------------------------------------------------


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
