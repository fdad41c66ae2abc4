"""The ``redis://host:port/db`` store: shared by any number of workers on any number of hosts.

Keys, under the ``mockserver:`` prefix::

    clock                      the store-wide counter versions are taken from
    sessions                   hash: session -> version
    datasets:<session>         set: the datasets the session changed
    changes:<session>:<ds>     hash: id -> the record as JSON, or "null" where deleted
    seq:<session>              hash: dataset -> the last number of its id sequence
    jobs:<session>             hash: job id -> the job as JSON

Every write is one Lua script, so the change and the version move together; reads of a
version with its changes go in one MULTI.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from mockserver.serve.state.store import Changes, SessionState, empty_state, note_change

PREFIX = "mockserver:"

_WRITE = """
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
local version = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[4], ARGV[4], version)
return version
"""
_NEXT_ID = """
local value = math.max(tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0'), tonumber(ARGV[2])) + 1
redis.call('HSET', KEYS[1], ARGV[1], value)
redis.call('HSETNX', KEYS[2], ARGV[3], 0)
return value
"""
_CREATE_JOB = """
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[3], 0)
return redis.call('HGET', KEYS[1], ARGV[1])
"""
_RESET = """
local prefix = ARGV[1]
local sessions = {}
if ARGV[2] == '' then
  sessions = redis.call('HKEYS', prefix .. 'sessions')
else
  sessions = {ARGV[2]}
end
for _, session in ipairs(sessions) do
  for _, dataset in ipairs(redis.call('SMEMBERS', prefix .. 'datasets:' .. session)) do
    redis.call('DEL', prefix .. 'changes:' .. session .. ':' .. dataset)
  end
  redis.call('DEL', prefix .. 'datasets:' .. session, prefix .. 'seq:' .. session,
             prefix .. 'jobs:' .. session)
  redis.call('HDEL', prefix .. 'sessions', session)
end
return #sessions
"""


class RedisStore:
    """Sessions in Redis, through the ``redis`` client's connection pool."""

    def __init__(self, url: str) -> None:
        self.url = url
        # Any: the client's return types are unions of sync and async results
        self._redis: Any = redis.Redis.from_url(url, decode_responses=True)
        self._write = self._redis.register_script(_WRITE)
        self._next_id = self._redis.register_script(_NEXT_ID)
        self._create_job = self._redis.register_script(_CREATE_JOB)
        self._reset = self._redis.register_script(_RESET)

    def version(self, session: str) -> int:
        """The session's version (0: nothing changed)."""
        return int(self._redis.hget(f"{PREFIX}sessions", session) or 0)

    def changes(self, session: str, dataset: str) -> tuple[int, Changes]:
        """The session's version and its changes to ``dataset``, in one MULTI."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.hget(f"{PREFIX}sessions", session)
        pipe.hgetall(f"{PREFIX}changes:{session}:{dataset}")
        version, rows = pipe.execute()
        return int(version or 0), {key: json.loads(text) for key, text in rows.items()}

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it); returns the new version."""
        keys = [
            f"{PREFIX}clock",
            f"{PREFIX}changes:{session}:{dataset}",
            f"{PREFIX}datasets:{session}",
            f"{PREFIX}sessions",
        ]
        text = json.dumps(record, separators=(",", ":"))
        return int(self._write(keys=keys, args=[key, text, dataset, session]))

    def next_id(self, session: str, dataset: str, floor: int) -> int:
        """The next number of the session's id sequence for ``dataset``."""
        keys = [f"{PREFIX}seq:{session}", f"{PREFIX}sessions"]
        return int(self._next_id(keys=keys, args=[dataset, floor, session]))

    def create_job(self, session: str, job: dict[str, Any]) -> dict[str, Any]:
        """Keep ``job``, or return the one already kept under its id."""
        keys = [f"{PREFIX}jobs:{session}", f"{PREFIX}sessions"]
        kept = self._create_job(keys=keys, args=[str(job["id"]), json.dumps(job), session])
        return dict(json.loads(kept))

    def get_job(self, session: str, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""
        text = self._redis.hget(f"{PREFIX}jobs:{session}", job_id)
        return dict(json.loads(text)) if text else None

    def reset(self, session: str | None = None) -> None:
        """Forget one session (every session with None); the clock runs on."""
        self._reset(keys=[], args=[PREFIX, session or ""])

    def state(self) -> dict[str, SessionState]:
        """Every session that has changed something, and what."""
        sessions = self._redis.hgetall(f"{PREFIX}sessions")
        found: dict[str, SessionState] = {}
        for name in sorted(sessions):
            state = found[name] = empty_state(int(sessions[name]))
            state["jobs"] = int(self._redis.hlen(f"{PREFIX}jobs:{name}"))
            for dataset in sorted(self._redis.smembers(f"{PREFIX}datasets:{name}")):
                rows = self._redis.hgetall(f"{PREFIX}changes:{name}:{dataset}")
                for key, text in rows.items():
                    note_change(state, dataset, key, text == "null")
        return found

    def close(self) -> None:
        """Release the connection pool."""
        self._redis.close()
