"""The store interfaces: :class:`Backend`, what each of the three stores implements, and
:class:`StateStore`, what the server uses (a backend behind :mod:`.guard`, which turns its
failures into 503s and keeps its I/O off the event loop).

This module imports no store: :mod:`.open` picks one by URL.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict, TypeVar

from mockserver.errors import UsageError

#: The session of requests that name none.
DEFAULT_SESSION = "default"
#: What a session may be called: safe in a header, a cookie, a SQL value and a Redis key.
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: id -> the record as written, or None where it was deleted (a tombstone).
Changes = dict[str, dict[str, Any] | None]
#: What a session keeps for one id: (whether it keeps a change, the change). (False, None):
#: the fixture record, if any; (True, None): deleted; (True, record): written.
Kept = tuple[bool, dict[str, Any] | None]
NOT_KEPT: Kept = (False, None)
T = TypeVar("T")


class StoreError(Exception):
    """The store failed or did not answer in time: ``store`` is its URL without
    credentials, ``error`` what went wrong. The gate answers it with a 503
    (``serve.problems.StoreUnavailable``)."""

    def __init__(self, store: str, error: str) -> None:
        super().__init__(f"the state store {store} is unavailable: {error}")
        self.store = store
        self.error = error


class DatasetChanges(TypedDict):
    """What one session changed in one dataset, for ``GET /__mock/state``."""

    written: list[str]
    deleted: list[str]


class SessionState(TypedDict):
    """One session's changes, for ``GET /__mock/state``."""

    version: int
    datasets: dict[str, DatasetChanges]
    jobs: int


class Backend(Protocol):
    """Sessions of changes over the immutable datasets.

    ``dataset`` names are ``<api>/<dataset>``. A session's *version* is 0 until it is
    written to, then the value of a store-wide clock at its last write: versions never
    repeat, even across a reset, so a cache keyed by (session, version) is never stale.
    """

    url: str
    #: The exceptions that mean the store failed (not a bug): answered with a 503.
    errors: tuple[type[BaseException], ...]

    def version(self, session: str) -> int:
        """The session's version (0: nothing changed)."""

    def changes(self, session: str, dataset: str) -> tuple[int, Changes]:
        """The session's version and its changes to ``dataset``, read together."""

    def changes_since(self, session: str, dataset: str, since: int) -> tuple[int, Changes, bool]:
        """The session's version and its changes to ``dataset``, read together: only those
        written after version ``since`` when the third value is True (apply them on top),
        else all of them (a store without a change log, or a session reset since)."""

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it), in one transaction that also
        moves the session's version on; returns the new version."""

    def read(self, session: str, dataset: str, key: str) -> Kept:
        """What the session keeps for ``key`` now."""

    def swap(
        self, session: str, dataset: str, key: str, expected: Kept, record: dict[str, Any] | None
    ) -> int | None:
        """Store ``record`` under ``key`` (None: delete it) only if the session still keeps
        ``expected`` for it, in one transaction; the new version, or None when another
        write came first (read again and retry)."""

    def next_id(self, session: str, dataset: str, floor: int) -> int:
        """The next number of the session's id sequence for ``dataset``: above ``floor``
        (the largest id already taken) and above every number it gave before."""

    def create_job(self, session: str, job: dict[str, Any]) -> dict[str, Any]:
        """Keep ``job`` (with its ``id``), or return the job already kept under that id."""

    def get_job(self, session: str, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""

    def reset(self, session: str | None = None) -> None:
        """Forget one session's changes, sequences and jobs (every session's with None)."""

    def state(self) -> dict[str, SessionState]:
        """Every session that has changed something, and what."""

    def ping(self) -> None:
        """Ask the store the cheapest question it answers (raises one of :attr:`errors`)."""

    def close(self) -> None:
        """Release connections."""


class StateStore(Backend, Protocol):
    """A backend as the server uses it: failures raise :class:`StoreError` (a 503 naming
    the store), work that touches it can run off the event loop, with a deadline."""

    timeout: float

    def health(self) -> dict[str, Any]:
        """The store's kind and URL (without credentials), whether it answered its last
        call, why not and since when, the last error seen and the last ping's latency."""

    def check(self) -> dict[str, Any]:
        """Ping the store now (a blocking call: run it off the loop), then its health."""

    def off_loop(self, work: Callable[..., T], *args: Any) -> Awaitable[T]:
        """Run ``work`` on the store's thread, raising StoreError after
        :attr:`timeout` seconds (at once where the store never blocks)."""

    def answer(self, work: Callable[..., T], *args: Any) -> Awaitable[T]:
        """Run a request's ``work`` (it waits on nothing but the store) on the loop when
        the store can say, without waiting, that it need not be asked; else as
        :meth:`off_loop`."""


def new_job(job_id: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """An export job, completed at once: a mock has no reason to make clients wait."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "id": job_id,
        **spec,
        "status": "completed",
        "progress": 100,
        "created_at": now,
        "completed_at": now,
    }


def empty_state(version: int) -> SessionState:
    """A session that has changed nothing yet."""
    return {"version": version, "datasets": {}, "jobs": 0}


def note_change(state: SessionState, dataset: str, key: str, deleted: bool) -> None:
    """Add one change to a session's state."""
    changes = state["datasets"].setdefault(dataset, {"written": [], "deleted": []})
    changes["deleted" if deleted else "written"].append(key)


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL, as SQLAlchemy reads it: three slashes then a
    relative path, four for an absolute one."""
    rest = url.removeprefix("sqlite://")
    if not rest.startswith("/") or rest == "/":
        raise UsageError(
            None,
            f"--state {url!r} names no file",
            hint="sqlite:///state.db (relative) or sqlite:////tmp/state.db (absolute)",
        )
    return Path(rest[1:])
