"""The ``sqlite:///path`` store: one file shared by the workers of one host.

WAL mode lets readers go on while one worker writes; every write is one ``BEGIN
IMMEDIATE`` transaction that stores the change and moves the session's version on
together, so a reader never sees one without the other. A replace, update or delete is a
compare-and-swap (:meth:`SqliteStore.swap`): the record it read is compared with the one
kept, inside the same write transaction. The clock starts at a random epoch when the file
is made, so a cache can never mistake a new file's versions for an old one's.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mockserver.serve.state.store import (
    NOT_KEPT,
    Changes,
    Kept,
    SessionState,
    empty_state,
    note_change,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER NOT NULL);
INSERT OR IGNORE INTO clock VALUES (0, :epoch);
CREATE TABLE IF NOT EXISTS sessions (
    session TEXT PRIMARY KEY, version INTEGER NOT NULL, born INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS changes (
    session TEXT NOT NULL, dataset TEXT NOT NULL, key TEXT NOT NULL, record TEXT,
    version INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (session, dataset, key));
CREATE TABLE IF NOT EXISTS sequences (
    session TEXT NOT NULL, dataset TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (session, dataset));
CREATE TABLE IF NOT EXISTS jobs (
    session TEXT NOT NULL, id TEXT NOT NULL, job TEXT NOT NULL, PRIMARY KEY (session, id));
"""
_TABLES = ("sessions", "changes", "sequences", "jobs")
#: Columns a file made by an earlier mockserver lacks: (table, column, declaration).
_ADDED = (
    ("sessions", "born", "INTEGER NOT NULL DEFAULT 0"),
    ("changes", "version", "INTEGER NOT NULL DEFAULT 0"),
)
_LOG_INDEX = "CREATE INDEX IF NOT EXISTS changes_log ON changes (session, dataset, version)"
_NEW_SESSION = "INSERT OR IGNORE INTO sessions SELECT ?, 0, value FROM clock"


class SqliteStore:
    """Sessions in a SQLite file."""

    errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)

    def __init__(self, path: Path, timeout: float = 2.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.url = f"sqlite:///{path}"
        self._lock = threading.Lock()  # one connection, used by one thread at a time
        #: why the file is served read-only (every write a 503 naming it), or None
        self.read_only: str | None = None
        try:
            self._db = self._open(path, timeout)
            self._watch = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_READONLY:
                raise
            self._db, self.read_only = _open_read_only(path, timeout), str(error)
            self._watch = _open_read_only(path, timeout)
        # the stamp's own connection: it never waits for a lock (busy: no stamp)
        self._watch.execute("PRAGMA busy_timeout = 0")
        self._watch_lock = threading.Lock()

    def _open(self, path: Path, timeout: float) -> sqlite3.Connection:
        """The file, made or brought up to this version's schema, in WAL mode."""
        # timeout: how long a worker waits for another's write before giving up (a 503)
        self._db = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=timeout
        )
        try:
            self._prepare(timeout)
        except BaseException:
            self._db.close()
            raise
        return self._db

    def _prepare(self, timeout: float) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")  # durable across crashes of a process
        epoch = {"epoch": secrets.randbits(45)}  # versions never repeat across files
        with self._transaction(write=True) as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement, epoch if ":epoch" in statement else ())
            for table, column, declaration in _ADDED:
                columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            db.execute(_LOG_INDEX)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def version(self, session: str) -> int:
        """The session's version (0: nothing changed)."""
        with self._lock:
            row = self._db.execute(
                "SELECT version FROM sessions WHERE session = ?", (session,)
            ).fetchone()
        return int(row[0]) if row else 0

    def changes(self, session: str, dataset: str) -> tuple[int, Changes]:
        """The session's version and its changes to ``dataset``, from one snapshot."""
        with self._transaction() as db:
            row = db.execute("SELECT version FROM sessions WHERE session = ?", (session,))
            version = row.fetchone()
            rows = db.execute(
                "SELECT key, record FROM changes WHERE session = ? AND dataset = ? ORDER BY rowid",
                (session, dataset),
            ).fetchall()
        found = {key: None if text is None else json.loads(text) for key, text in rows}
        return (int(version[0]) if version else 0), found

    def changes_since(self, session: str, dataset: str, since: int) -> tuple[int, Changes, bool]:
        """The changes written after version ``since`` (each change row keeps the version
        that wrote it); all of them when ``since`` is not a version of this session as it
        is now (from before a reset, or from another file)."""
        with self._transaction() as db:
            row = db.execute("SELECT version, born FROM sessions WHERE session = ?", (session,))
            found = row.fetchone()
            if found is None:
                return 0, {}, False
            version, born = int(found[0]), int(found[1])
            later = since > 0 and born <= since <= version
            rows = db.execute(
                "SELECT key, record FROM changes WHERE session = ? AND dataset = ? "
                "AND version > ? ORDER BY version",
                (session, dataset, since if later else -1),
            ).fetchall()
        changes = {key: None if text is None else json.loads(text) for key, text in rows}
        return version, changes, later

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it); returns the new version."""
        with self._transaction(write=True) as db:
            return _put(db, session, dataset, key, record)

    def read(self, session: str, dataset: str, key: str) -> Kept:
        """What the session keeps for ``key`` now."""
        with self._lock:
            return _kept(self._db, session, dataset, key)

    def swap(
        self, session: str, dataset: str, key: str, expected: Kept, record: dict[str, Any] | None
    ) -> int | None:
        """Store ``record`` only if the session still keeps ``expected`` for ``key``: the
        comparison and the write are one ``BEGIN IMMEDIATE`` transaction."""
        with self._transaction(write=True) as db:
            if _kept(db, session, dataset, key) != expected:
                return None
            return _put(db, session, dataset, key, record)

    def next_id(self, session: str, dataset: str, floor: int) -> int:
        """The next number of the session's id sequence for ``dataset``."""
        with self._transaction(write=True) as db:
            row = db.execute(
                "INSERT INTO sequences VALUES (?, ?, ? + 1) ON CONFLICT (session, dataset) "
                "DO UPDATE SET value = max(value, ?) + 1 RETURNING value",
                (session, dataset, floor, floor),
            ).fetchone()
            db.execute(_NEW_SESSION, (session,))
        return int(row[0])

    def create_job(self, session: str, job: dict[str, Any]) -> dict[str, Any]:
        """Keep ``job``, or return the one already kept under its id."""
        with self._transaction(write=True) as db:
            db.execute(
                "INSERT OR IGNORE INTO jobs VALUES (?, ?, ?)",
                (session, str(job["id"]), json.dumps(job)),
            )
            db.execute(_NEW_SESSION, (session,))
            row = db.execute(
                "SELECT job FROM jobs WHERE session = ? AND id = ?", (session, str(job["id"]))
            ).fetchone()
        return dict(json.loads(row[0]))

    def get_job(self, session: str, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT job FROM jobs WHERE session = ? AND id = ?", (session, job_id)
            ).fetchone()
        return dict(json.loads(row[0])) if row else None

    def reset(self, session: str | None = None) -> None:
        """Forget one session (every session with None); the clock runs on."""
        with self._transaction(write=True) as db:
            for table in _TABLES:
                if session is None:
                    db.execute(f"DELETE FROM {table}")
                else:
                    db.execute(f"DELETE FROM {table} WHERE session = ?", (session,))

    def state(self) -> dict[str, SessionState]:
        """Every session that has changed something, and what."""
        with self._transaction() as db:
            sessions = db.execute("SELECT session, version FROM sessions ORDER BY session")
            found = {name: empty_state(int(version)) for name, version in sessions.fetchall()}
            changes = db.execute(
                "SELECT session, dataset, key, record IS NULL FROM changes "
                "ORDER BY session, dataset, rowid"
            ).fetchall()
            jobs = db.execute("SELECT session, count(*) FROM jobs GROUP BY session").fetchall()
        for name, dataset, key, deleted in changes:
            note_change(found.setdefault(name, empty_state(0)), dataset, key, bool(deleted))
        for name, count in jobs:
            found.setdefault(name, empty_state(0))["jobs"] = int(count)
        return found

    def stamp(self) -> int | None:
        """``PRAGMA data_version`` on a connection of its own: it moves with every commit
        to the file, by any process, and reading it never waits (None when it would:
        the caller then asks the store itself). A read of shared memory, fit for the
        event loop."""
        if not self._watch_lock.acquire(blocking=False):
            return None
        try:
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None
        finally:
            self._watch_lock.release()

    def ping(self) -> None:
        """Read the clock: the file opens and its schema is there."""
        with self._lock:
            self._db.execute("SELECT value FROM clock").fetchone()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
        with self._watch_lock:
            self._watch.close()


def _open_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A file this process may read but not write (or in a folder it may not write, where
    WAL mode cannot make its ``-shm``): opened immutable, so its sessions are served and
    every write fails as SQLite's own "readonly" error, which the server answers with a
    503 naming the file. A file without mockserver's tables cannot be served at all."""
    uri = f"{path.absolute().as_uri()}?mode=ro&immutable=1"
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables.issuperset(("clock", *_TABLES)):
        db.close()
        raise sqlite3.OperationalError(f"{path} is read-only and has no mockserver state in it")
    return db


def _kept(db: sqlite3.Connection, session: str, dataset: str, key: str) -> Kept:
    row = db.execute(
        "SELECT record FROM changes WHERE session = ? AND dataset = ? AND key = ?",
        (session, dataset, key),
    ).fetchone()
    if row is None:
        return NOT_KEPT
    return True, None if row[0] is None else json.loads(row[0])


def _put(
    db: sqlite3.Connection, session: str, dataset: str, key: str, record: dict[str, Any] | None
) -> int:
    """Keep the change and move the session's version on (inside a write transaction)."""
    text = None if record is None else json.dumps(record, separators=(",", ":"))
    version = int(db.execute("UPDATE clock SET value = value + 1 RETURNING value").fetchone()[0])
    db.execute(
        "INSERT INTO changes VALUES (?, ?, ?, ?, ?) ON CONFLICT (session, dataset, key) "
        "DO UPDATE SET record = excluded.record, version = excluded.version",
        (session, dataset, key, text, version),
    )
    db.execute(
        "INSERT INTO sessions VALUES (?, ?, ?) "
        "ON CONFLICT (session) DO UPDATE SET version = excluded.version",
        (session, version, version),
    )
    return version
