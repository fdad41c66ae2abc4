"""Pick a store by URL: the one module that imports the concrete stores (they import only
the interface in :mod:`.store`, so nothing imports back)."""

from __future__ import annotations

from mockserver.errors import UsageError
from mockserver.serve.state.guard import DEFAULT_TIMEOUT, GuardedStore
from mockserver.serve.state.store import Backend, StateStore, sqlite_path


def open_store(url: str, timeout: float = DEFAULT_TIMEOUT) -> StateStore:
    """The store ``url`` names (``memory:``, ``sqlite:///path`` or ``redis://host:port/db``),
    answering within ``timeout`` seconds or raising StoreUnavailable."""
    if timeout <= 0:
        raise UsageError(None, f"--state-timeout {timeout} must be more than 0 seconds")
    return GuardedStore(_backend(url, timeout), timeout)


def _backend(url: str, timeout: float) -> Backend:  # the backends are imported on first use
    if url in ("memory:", "memory"):
        from mockserver.serve.state.memory_store import MemoryStore  # noqa: PLC0415

        return MemoryStore()
    if url.startswith("sqlite://"):
        from mockserver.serve.state.sqlite_store import SqliteStore  # noqa: PLC0415

        return SqliteStore(sqlite_path(url), timeout)
    if url.startswith(("redis://", "rediss://", "unix://")):
        # the client is imported only by the store that needs it
        from mockserver.serve.state.redis_store import RedisStore  # noqa: PLC0415

        return RedisStore(url, timeout)
    raise UsageError(
        None,
        f"--state {url!r} is not a store mockserver knows",
        hint="use memory:, sqlite:///relative/state.db, sqlite:////absolute/state.db "
        "or redis://host:port/db",
    )
