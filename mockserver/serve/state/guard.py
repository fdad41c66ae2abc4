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
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor(), functools.partial(work, *args))
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            # the store may still apply it: say so, the client reads before it retries
            error = f"no answer within {self.timeout:g} s (a write may have been applied)"
            raise self._failed(error) from None

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="mockserver-state")
            return self._pool

    # -- the backend's calls -------------------------------------------------------------

    def version(self, session: str) -> int:
        """The session's version."""
        return self._call(self.backend.version, session)

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
