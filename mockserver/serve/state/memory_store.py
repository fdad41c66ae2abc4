"""The ``memory:`` store: dicts in one process, for ``mockserver serve`` with one worker
and for tests.

Each session keeps a change log per dataset (which version last wrote each id, in write
order), so a reader that has applied the changes up to version v asks only for the ones
after it: a write costs O(1) amortised, however large the session has grown.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from mockserver.serve.state.store import (
    NOT_KEPT,
    Changes,
    Kept,
    SessionState,
    empty_state,
    note_change,
)


@dataclass
class _Session:
    born: int  # the clock when the session was (re)made: a cache from before is all stale
    version: int = 0
    changes: dict[str, Changes] = field(default_factory=dict)
    #: the change log: per dataset, id -> the version that last wrote it, oldest first
    stamps: dict[str, dict[str, int]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)


class MemoryStore:
    """Every session in a dict; records are copied through JSON on the way in, so they
    come back exactly as the other stores return them."""

    url = "memory:"
    errors: tuple[type[BaseException], ...] = ()  # nothing here fails but bugs

    def __init__(self) -> None:
        self._clock = 0
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def version(self, session: str) -> int:
        """The session's version (0: nothing changed)."""
        found = self._sessions.get(session)
        return found.version if found is not None else 0

    def changes(self, session: str, dataset: str) -> tuple[int, Changes]:
        """The session's version and its changes to ``dataset``."""
        found = self._sessions.get(session)
        if found is None:
            return 0, {}
        return found.version, dict(found.changes.get(dataset, {}))

    def changes_since(self, session: str, dataset: str, since: int) -> tuple[int, Changes, bool]:
        """The changes written after version ``since``, newest last (all of them when the
        session was reset after ``since``)."""
        with self._lock:
            found = self._sessions.get(session)
            if found is None:
                return 0, {}, False
            changes = found.changes.get(dataset, {})
            if since <= 0 or since < found.born:
                return found.version, dict(changes), False
            later = []
            for key, stamp in reversed(found.stamps.get(dataset, {}).items()):
                if stamp <= since:
                    break
                later.append(key)
            return found.version, {key: changes[key] for key in reversed(later)}, True

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it); returns the new version."""
        with self._lock:
            return self._put(session, dataset, key, record)

    def _put(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        copied = None if record is None else json.loads(json.dumps(record))
        state = self._sessions.setdefault(session, self._new_session())
        state.changes.setdefault(dataset, {})[key] = copied
        self._clock += 1
        stamps = state.stamps.setdefault(dataset, {})
        stamps.pop(key, None)  # to the end: the log stays in version order
        stamps[key] = state.version = self._clock
        return state.version

    def _new_session(self) -> _Session:
        return _Session(born=self._clock)

    def read(self, session: str, dataset: str, key: str) -> Kept:
        """What the session keeps for ``key`` now."""
        found = self._sessions.get(session)
        changes = found.changes.get(dataset, {}) if found is not None else {}
        return (True, changes[key]) if key in changes else NOT_KEPT

    def swap(
        self, session: str, dataset: str, key: str, expected: Kept, record: dict[str, Any] | None
    ) -> int | None:
        """Store ``record`` only if the session still keeps ``expected`` for ``key``."""
        with self._lock:  # the lock is not re-entrant: compare and write inside one hold
            if self.read(session, dataset, key) != expected:
                return None
            return self._put(session, dataset, key, record)

    def next_id(self, session: str, dataset: str, floor: int) -> int:
        """The next number of the session's id sequence for ``dataset``."""
        with self._lock:
            state = self._sessions.setdefault(session, self._new_session())
            value = max(state.sequences.get(dataset, 0), floor) + 1
            state.sequences[dataset] = value
            return value

    def create_job(self, session: str, job: dict[str, Any]) -> dict[str, Any]:
        """Keep ``job``, or return the one already kept under its id."""
        with self._lock:
            jobs = self._sessions.setdefault(session, self._new_session()).jobs
            return jobs.setdefault(str(job["id"]), json.loads(json.dumps(job)))

    def get_job(self, session: str, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""
        found = self._sessions.get(session)
        return found.jobs.get(job_id) if found is not None else None

    def reset(self, session: str | None = None) -> None:
        """Forget one session (every session with None); the clock runs on."""
        with self._lock:
            if session is None:
                self._sessions.clear()
            else:
                self._sessions.pop(session, None)

    def state(self) -> dict[str, SessionState]:
        """Every session that has changed something, and what."""
        found: dict[str, SessionState] = {}
        for name, session in sorted(self._sessions.items()):
            state = found[name] = empty_state(session.version)
            state["jobs"] = len(session.jobs)
            for dataset, changes in sorted(session.changes.items()):
                for key, record in changes.items():
                    note_change(state, dataset, key, record is None)
        return found

    def ping(self) -> None:
        """Always answers: it is this process."""

    def close(self) -> None:
        """Nothing to release."""
