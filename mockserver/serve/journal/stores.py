"""Where the journal's entries are kept: a ring in memory for one process, or a folder of
append-only files, one per worker, for ``--workers N`` (workers are processes)."""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import orjson

from mockserver.serve.encoding import dumps
from mockserver.serve.journal.entry import DEFAULT_SIZE, Entry, Item, RequestFacts, unbuildable
from mockserver.serve.journal.followers import (
    FileFollower,
    Follower,
    MemoryFollower,
    after_reset,
    read_lines,
)

#: How long a worker may hold entries before writing them to its file.
FLUSH_SECONDS = 0.05


class JournalStore(Protocol):
    """Where entries are kept: the last ``size``, readable by every worker."""

    size: int
    build: Callable[[RequestFacts], Entry]  # set by the recorder

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


class MemoryJournal:
    """The journal of one process: a ring in memory."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._ring: deque[Item] = deque(maxlen=size)
        self.build: Callable[[RequestFacts], Entry] = unbuildable
        self.added = 0  # entries ever added: a follower's cursor
        self.resets = 0

    def add(self, item: Item) -> None:
        """Keep ``item``; the oldest goes when the ring is full."""
        self._ring.append(item)
        self.added += 1

    def entries(self) -> list[Entry]:
        """Oldest first (each entry built once, when first read)."""
        ring, build = self._ring, self.build
        for index, item in enumerate(ring):
            if isinstance(item, RequestFacts):
                ring[index] = build(item)
        return list(ring)  # type: ignore[arg-type]  # every item is an entry now

    def clear(self, session: str | None = None) -> None:
        """Forget every entry, or one session's."""
        kept = [e for e in self.entries() if session is not None and e.get("session") != session]
        self._ring.clear()
        self._ring.extend(kept)
        self.resets += 1

    def follow(self) -> Follower:
        """A cursor at the newest entry."""
        return MemoryFollower(self)

    def __len__(self) -> int:
        return len(self._ring)


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
        self.build: Callable[[RequestFacts], Entry] = unbuildable

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
        cleared = self.cleared()
        found = [e for path in self.folder.glob("worker-*.jsonl") for e in read_lines(path)[0]]
        found = [e for e in found if after_reset(e, cleared)]
        found.sort(key=lambda e: (e["at"], e["id"]))
        return found[-self.size :]

    def clear(self, session: str | None = None) -> None:
        """Mark everything before now as cleared (for one session, or all)."""
        cleared = self.cleared()
        cleared[session or ""] = time.time()
        marker = self.folder / "cleared.json"
        temporary = marker.with_suffix(f".{os.getpid()}")
        temporary.write_bytes(orjson.dumps(cleared))
        os.replace(temporary, marker)

    def cleared(self) -> dict[str, float]:
        """When the journal (key ``""``) and each session were last cleared."""
        try:
            value = orjson.loads((self.folder / "cleared.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return value if isinstance(value, dict) else {}

    def follow(self) -> Follower:
        """A cursor at the end of every worker's file."""
        return FileFollower(self)
