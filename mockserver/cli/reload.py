"""``serve --reload``: rebuild the app in place when a document or fixture changes.

granian's own reloader restarts the worker process, and a worker whose app cannot be built
(a YAML syntax error, a fixture record of the wrong type) dies with it: the first bad save
stopped the whole server. Here the worker keeps running and swaps the app it delegates to
only when the new one builds; until then the last good version keeps answering and the
error is printed once, at its file and line, as ``mockserver validate`` prints it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any

from mockserver.errors import MockserverError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: What a change to a watched folder must touch to cause a reload.
WATCHED_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".ndjson", ".jsonl")


class ReloadingApp:
    """An ASGI app that delegates to the app ``build`` last returned without error,
    rebuilding it when a file under ``folders`` changes (watched from lifespan startup
    to lifespan shutdown)."""

    def __init__(self, build: Callable[[], App], folders: Iterable[Path]) -> None:
        self.build = build
        self.folders = [f for f in folders if f.is_dir()]
        self.app = build()
        self._stop = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watched_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._watcher = asyncio.create_task(self.watch())
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
            return message

        await self.app(scope, watched_receive, send)

    async def watch(self) -> None:
        """Rebuild on every batch of changes until :meth:`stop`."""
        from watchfiles import awatch

        async for changes in awatch(
            *self.folders, stop_event=self._stop, watch_filter=_relevant, yield_on_timeout=False
        ):
            await self.reload(sorted({Path(path) for _, path in changes}))

    async def reload(self, changed: list[Path]) -> None:
        """Swap in a freshly built app, or keep the current one and say why."""
        names = ", ".join(p.name for p in changed[:3]) + (" ..." if len(changed) > 3 else "")
        try:
            app = await asyncio.to_thread(self.build)
        except Exception as error:  # any failure keeps the good app; say where it was
            said = str(error).splitlines()[0] if isinstance(error, MockserverError) else repr(error)
            _say(f"reload failed ({names}), still serving the last good version: {said}")
            return
        self.app = app
        _say(f"reloaded ({names})")

    async def stop(self) -> None:
        """End the watch (lifespan shutdown)."""
        self._stop.set()
        if self._watcher is not None:
            await self._watcher
            self._watcher = None


def _relevant(_change: object, path: str) -> bool:
    return path.endswith(WATCHED_SUFFIXES) and "/." not in path


def _say(line: str) -> None:
    print(f"mockserver serve: {line}", file=sys.stderr, flush=True)
