"""The store as the server uses it: its failures become 503s, its I/O leaves the loop.

A store that is down, stopped or read-only must not turn into a 500 with a traceback, nor
stall the requests that never touch it (the journal, the pages). :class:`GuardedStore`
turns the backend's own errors into :class:`StoreError` (which the gate answers with a
503 with Retry-After, naming the store without credentials), and
:meth:`GuardedStore.off_loop` runs the work of a request that touches the store on one
thread of its own, raising the same error once ``--state-timeout`` has passed. One
thread per process keeps the mock's caches as single-threaded as they were on the loop;
a stuck call only holds that thread until the backend's own timeout (the same deadline)
lets go. Every call's outcome is the store's health (:meth:`GuardedStore.health`), so
``GET /__mock/state`` and the dashboard can say which store failed, how and since when,
without a log to read.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from mockserver.serve.state.store import Backend, Changes, Kept, SessionState, StoreError

#: Seconds a request waits for the store before it is answered 503 (``--state-timeout``).
DEFAULT_TIMEOUT = 2.0
#: Sessions whose version the loop's fast path remembers (forgotten all at once beyond).
KNOWN_SESSIONS = 4096
T = TypeVar("T")


def public_url(url: str) -> str:
    """``url`` without a user or password: what an error may show."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def store_kind(url: str) -> str:
    """``memory``, ``sqlite`` or ``redis``: which of the three stores ``url`` names."""
    scheme = url.split(":", 1)[0]
    return "redis" if scheme in ("rediss", "unix") else scheme


class NeedsStore(BaseException):
    """Work running on the loop reached the store: run it again on the store's thread.
    A BaseException, so no ``except Exception`` on the way swallows it."""


class GuardedStore:
    """A backend whose failures raise :class:`StoreError`, and whose health is kept
    for ``GET /__mock/state``."""

    def __init__(self, backend: Backend, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.backend = backend
        self.url = public_url(backend.url)
        self.errors = backend.errors
        self.timeout = timeout
        self._blocking = bool(backend.errors)  # the memory store never waits on I/O
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._error: str | None = None
        self._since = time.time()
        self._last: dict[str, Any] | None = None  # the last failure, kept after recovery
        self._ping: dict[str, Any] = {"ping_ms": None, "checked": None}
        # the loop's fast path (see off_loop): a stamp that moves with every commit
        self._stamp: Callable[[], object | None] | None = getattr(backend, "stamp", None)
        self._known: dict[str, tuple[int, object]] = {}  # session -> (version, stamp then)
        self._loop_stamp: object | None = None  # set while work runs on the loop
        self._pending = 0  # work handed to the thread and not finished there
        self._pending_lock = threading.Lock()

    # -- health --------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Which store, whether it answered its last call (``ok``) or not (``unavailable``)
        and since when, its error now, the last error it had, and the last ping."""
        return {
            "kind": store_kind(self.url),
            "store": self.url,
            "status": "unavailable" if self._error else "ok",
            "error": self._error,
            "since": round(self._since, 3),
            "last_error": self._last,
            **self._ping,
        }

    def check(self) -> dict[str, Any]:
        """Ping the store now, timing it, then its health (a failed ping is a failure)."""
        started = time.perf_counter()
        try:
            self._call(self.backend.ping)
        except StoreError:
            self._ping = {"ping_ms": None, "checked": round(time.time(), 3)}
        else:
            took = (time.perf_counter() - started) * 1000
            self._ping = {"ping_ms": round(took, 3), "checked": round(time.time(), 3)}
        return self.health()

    def _failed(self, error: str) -> StoreError:
        now = time.time()
        if self._error is None:
            self._since = now
        self._error = error
        self._last = {"error": error, "at": round(now, 3)}
        return StoreError(self.url, error)

    def _call(self, work: Callable[..., T], *args: Any) -> T:
        if self._loop_stamp is not None:  # on the loop: the store is not to be touched
            raise NeedsStore
        try:
            result = work(*args)
        except self.errors as error:
            said = f"{type(error).__name__}: {error}"
            code = getattr(error, "sqlite_errorname", None)  # SQLite's own name says more
            if code:
                said += f" ({code})"
            if "Timeout" in type(error).__name__:  # sent, unanswered: it may yet apply
                said += " (a write may have been applied)"
            raise self._failed(said) from None
        if self._error is not None:
            self._error, self._since = None, time.time()
        return result

    # -- off the loop --------------------------------------------------------------------

    async def off_loop(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on the store's thread, or a 503 after :attr:`timeout` seconds."""
        if not self._blocking:
            return work(*args)
        return await self._on_thread(functools.partial(work, *args))

    async def answer(self, work: Callable[..., T], *args: Any) -> T:
        """A request's ``work(*args)``, which waits on nothing but this store: as
        :meth:`off_loop`, except that where the store has a stamp (SQLite's
        ``data_version``: a local read that never waits) and the thread is idle, the work
        first runs on the loop, answering :meth:`version` from the versions this process
        read at the same stamp. A read of a session nobody wrote to since then costs no
        hop. Any other store call (or a stamp that moved) stops it with
        :class:`NeedsStore` before it has changed anything, and it runs again on the
        thread."""
        if not self._blocking:
            return work(*args)
        stamp = self._stamp() if self._stamp is not None and self._pending == 0 else None
        if stamp is not None:
            self._loop_stamp = stamp
            try:
                return work(*args)
            except NeedsStore:
                pass
            finally:
                self._loop_stamp = None
        return await self._on_thread(functools.partial(work, *args))

    async def _on_thread(self, work: Callable[[], T]) -> T:
        with self._pending_lock:
            self._pending += 1
        try:
            future = self._executor().submit(work)
        except BaseException:
            self._finished()
            raise
        future.add_done_callback(lambda _: self._finished())  # when the thread lets go
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            # the store may still apply it: say so, the client reads before it retries
            error = f"no answer within {self.timeout:g} s (a write may have been applied)"
            raise self._failed(error) from None

    def _finished(self) -> None:
        with self._pending_lock:
            self._pending -= 1

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="mockserver-state")
            return self._pool

    # -- the backend's calls -------------------------------------------------------------

    def version(self, session: str) -> int:
        """The session's version: on the loop, the one read at the current stamp."""
        if self._loop_stamp is not None:
            known = self._known.get(session)
            if known is None or known[1] != self._loop_stamp:
                raise NeedsStore
            return known[0]
        stamp = self._stamp() if self._stamp is not None else None  # before the read
        version = self._call(self.backend.version, session)
        if stamp is not None:
            if len(self._known) >= KNOWN_SESSIONS:
                self._known.clear()
            self._known[session] = (version, stamp)
        return version

    def changes(self, session: str, dataset: str) -> tuple[int, Changes]:
        """The session's version and its changes to ``dataset``."""
        return self._call(self.backend.changes, session, dataset)

    def changes_since(self, session: str, dataset: str, since: int) -> tuple[int, Changes, bool]:
        """The session's version and its changes after ``since`` (or all of them)."""
        return self._call(self.backend.changes_since, session, dataset, since)

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it)."""
        return self._call(self.backend.write, session, dataset, key, record)

    def read(self, session: str, dataset: str, key: str) -> Kept:
        """What the session keeps for ``key``."""
        return self._call(self.backend.read, session, dataset, key)

    def swap(
        self, session: str, dataset: str, key: str, expected: Kept, record: dict[str, Any] | None
    ) -> int | None:
        """Store ``record`` only if ``expected`` is still kept."""
        return self._call(self.backend.swap, session, dataset, key, expected, record)

    def next_id(self, session: str, dataset: str, floor: int) -> int:
        """The next number of the session's id sequence."""
        return self._call(self.backend.next_id, session, dataset, floor)

    def create_job(self, session: str, job: dict[str, Any]) -> dict[str, Any]:
        """Keep ``job``, or return the one already kept."""
        return self._call(self.backend.create_job, session, job)

    def get_job(self, session: str, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""
        return self._call(self.backend.get_job, session, job_id)

    def reset(self, session: str | None = None) -> None:
        """Forget one session (every session with None)."""
        self._call(self.backend.reset, session)

    def state(self) -> dict[str, SessionState]:
        """Every session that has changed something, and what."""
        return self._call(self.backend.state)

    def ping(self) -> None:
        """The backend's ping (a failure raises StoreError)."""
        self._call(self.backend.ping)

    def close(self) -> None:
        """Release the backend and the thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self.backend.close()
