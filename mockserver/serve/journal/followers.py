"""Followers: what a stream reads of the journal, only the entries added since its last
look, and whether a reset happened meanwhile. Also the reading of a worker's file, which
the file journal's full read shares."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import orjson

from mockserver.serve.journal.entry import Entry


class Follower(Protocol):
    """The new entries since the last call, and whether the journal was reset meanwhile."""

    def poll(self) -> tuple[list[Entry], bool]:
        """New entries, oldest first, and whether a reset happened."""
        ...


class Ring(Protocol):
    """What a memory follower reads: the ring's counters and its entries."""

    added: int  # entries ever added: a follower's cursor
    resets: int

    def __len__(self) -> int: ...

    def entries(self) -> list[Entry]:
        """Oldest first."""
        ...


class Folder(Protocol):
    """What a file follower reads: the workers' folder and the reset marks."""

    folder: Path

    def cleared(self) -> dict[str, float]:
        """When the journal (key ``""``) and each session were last cleared."""
        ...


class MemoryFollower:
    """A cursor into one process's ring."""

    def __init__(self, ring: Ring) -> None:
        self.ring = ring
        self.added = ring.added
        self.resets = ring.resets

    def poll(self) -> tuple[list[Entry], bool]:
        """The entries added since the last poll."""
        ring = self.ring
        reset = ring.resets != self.resets
        new = min(ring.added - self.added, len(ring))
        self.added, self.resets = ring.added, ring.resets
        return (ring.entries()[-new:] if new else []), reset


class FileFollower:
    """Reads only what was appended since the last poll: an offset per worker file; a file
    that was rotated (another inode) is finished from its old name first."""

    def __init__(self, journal: Folder) -> None:
        self.journal = journal
        self.offsets: dict[Path, tuple[int, int]] = {}
        self.cleared = journal.cleared()
        for path in self._files():
            status = path.stat()
            self.offsets[path] = (status.st_ino, status.st_size)

    def _files(self) -> list[Path]:
        return [p for p in self.journal.folder.glob("worker-*.jsonl") if ".old." not in p.name]

    def poll(self) -> tuple[list[Entry], bool]:
        """The entries every worker appended since the last poll."""
        cleared = self.journal.cleared()
        reset, self.cleared = cleared != self.cleared, cleared
        found: list[Entry] = []
        for path in self._files():
            found += self._read_new(path)
        found = [e for e in found if after_reset(e, cleared)]
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
                    found += read_lines(old, offset)[0]
            offset = 0
        new, offset = read_lines(path, offset) if status.st_size > offset else ([], offset)
        self.offsets[path] = (status.st_ino, offset)
        return found + new


def read_lines(path: Path, offset: int = 0) -> tuple[list[Entry], int]:
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


def after_reset(entry: Entry, cleared: Mapping[str, float]) -> bool:
    """Whether ``entry`` came after the last reset of the journal and of its session."""
    at = entry["at"] / 1000
    if at <= cleared.get("", 0):
        return False
    session = entry.get("session")
    return not (session and at <= cleared.get(session, 0))
