"""The store interface every backend implements, and :func:`open_store` to pick one by URL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict

from mockserver.errors import UsageError

#: The session of requests that name none.
DEFAULT_SESSION = "default"
#: What a session may be called: safe in a header, a cookie, a SQL value and a Redis key.
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: id -> the record as written, or None where it was deleted (a tombstone).
Changes = dict[str, dict[str, Any] | None]


class DatasetChanges(TypedDict):
    """What one session changed in one dataset, for ``GET /__mock/state``."""

    written: list[str]
    deleted: list[str]


class SessionState(TypedDict):
    """One session's changes, for ``GET /__mock/state``."""

    version: int
    datasets: dict[str, DatasetChanges]
    jobs: int


class StateStore(Protocol):
    """Sessions of changes over the immutable datasets.

    ``dataset`` names are ``<api>/<dataset>``. A session's *version* is 0 until it is
    written to, then the value of a store-wide clock at its last write: versions never
    repeat, even across a reset, so a cache keyed by (session, version) is never stale.
    """

    url: str

    def version(self, session: str) -> int:
        """The session's version (0: nothing changed)."""

    def changes(self, session: str, dataset: str) -> tuple[int, Changes]:
        """The session's version and its changes to ``dataset``, read together."""

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it), in one transaction that also
        moves the session's version on; returns the new version."""

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

    def close(self) -> None:
        """Release connections."""


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


def open_store(url: str) -> StateStore:  # the backends are imported on first use
    """The store ``url`` names: ``memory:``, ``sqlite:///path`` or ``redis://host:port/db``."""
    if url in ("memory:", "memory"):
        from mockserver.serve.state.memory_store import MemoryStore  # noqa: PLC0415

        return MemoryStore()
    if url.startswith("sqlite://"):
        from mockserver.serve.state.sqlite_store import SqliteStore  # noqa: PLC0415

        return SqliteStore(sqlite_path(url))
    if url.startswith(("redis://", "rediss://", "unix://")):
        # the client is imported only by the store that needs it
        from mockserver.serve.state.redis_store import RedisStore  # noqa: PLC0415

        return RedisStore(url)
    raise UsageError(
        None,
        f"--state {url!r} is not a store mockserver knows",
        hint="use memory:, sqlite:///relative/state.db, sqlite:////absolute/state.db "
        "or redis://host:port/db",
    )


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
