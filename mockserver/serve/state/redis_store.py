"""The ``redis://host:port/db`` store: shared by any number of workers on any number of hosts.

Keys, under the ``mockserver:`` prefix::

    clock                      the store-wide counter versions are taken from; it starts
                               at a random epoch, so a Redis restarted empty never hands
                               out a version a cache saw before
    sessions                   hash: session -> version
    born                       hash: session -> the clock when it was made (a version from
                               before that is from before a reset, or another store)
    log:<session>:<ds>         sorted set: id, scored by the version that last wrote it
    datasets:<session>         set: the datasets the session changed
    changes:<session>:<ds>     hash: id -> the record as JSON, or "null" where deleted
    seq:<session>              hash: dataset -> the last number of its id sequence
    jobs:<session>             hash: job id -> the job as JSON

Every write is one Lua script, so the change and the version move together; a replace,
update or delete is a compare-and-swap script (the record read is compared with the one
kept, atomically); reads of a version with its changes go in one MULTI. Every call gives
up after the store's timeout.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import redis

from mockserver.serve.state.store import (
    NOT_KEPT,
    Changes,
    Kept,
    SessionState,
    empty_state,
    note_change,
)

PREFIX = "mockserver:"

_WRITE = """
if ARGV[6] == '1' then
  local kept = redis.call('HGET', KEYS[2], ARGV[1])
  if kept == false then kept = '' else kept = '=' .. kept end
  if kept ~= ARGV[7] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[5], 'NX')
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
local version = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[4], ARGV[4], version)
redis.call('HSETNX', KEYS[5], ARGV[4], version)
redis.call('ZADD', KEYS[6], version, ARGV[1])
return version
"""
_SINCE = """
local version = redis.call('HGET', KEYS[1], ARGV[1])
if not version then return {'0', '0'} end
local born = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local since = tonumber(ARGV[2])
local out = {version}
if since > 0 and born <= since and since <= tonumber(version) then
  out[2] = '1'
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[2], '+inf')) do
    out[#out + 1] = key
    out[#out + 1] = redis.call('HGET', KEYS[3], key)
  end
else
  out[2] = '0'
  local rows = redis.call('HGETALL', KEYS[3])
  for i = 1, #rows do out[#out + 1] = rows[i] end
end
return out
"""
_NEXT_ID = """
local value = math.max(tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0'), tonumber(ARGV[2])) + 1
redis.call('HSET', KEYS[1], ARGV[1], value)
redis.call('HSETNX', KEYS[2], ARGV[3], 0)
redis.call('HSETNX', KEYS[3], ARGV[3], redis.call('GET', KEYS[4]) or '0')
return value
"""
_CREATE_JOB = """
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[3], 0)
redis.call('HSETNX', KEYS[3], ARGV[3], redis.call('GET', KEYS[4]) or '0')
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
    redis.call('DEL', prefix .. 'changes:' .. session .. ':' .. dataset,
               prefix .. 'log:' .. session .. ':' .. dataset)
  end
  redis.call('DEL', prefix .. 'datasets:' .. session, prefix .. 'seq:' .. session,
             prefix .. 'jobs:' .. session)
  redis.call('HDEL', prefix .. 'sessions', session)
  redis.call('HDEL', prefix .. 'born', session)
end
return #sessions
"""


class RedisStore:
    """Sessions in Redis, through the ``redis`` client's connection pool."""

    errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url = url
        # Any: the client's return types are unions of sync and async results
        self._redis: Any = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=0,
        )
        self._write = self._redis.register_script(_WRITE)
        self._next_id = self._redis.register_script(_NEXT_ID)
        self._create_job = self._redis.register_script(_CREATE_JOB)
        self._reset = self._redis.register_script(_RESET)
        self._since = self._redis.register_script(_SINCE)

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

    def changes_since(self, session: str, dataset: str, since: int) -> tuple[int, Changes, bool]:
        """The changes written after version ``since``, from the session's log; all of
        them when ``since`` is not a version of this session as it is now (from before a
        reset, or from a Redis that restarted empty). One script: one snapshot."""
        keys = [
            f"{PREFIX}sessions",
            f"{PREFIX}born",
            f"{PREFIX}changes:{session}:{dataset}",
            f"{PREFIX}log:{session}:{dataset}",
        ]
        found = self._since(keys=keys, args=[session, since])
        rows = iter(found[2:])
        changes = {key: json.loads(text) for key, text in zip(rows, rows, strict=True)}
        return int(found[0]), changes, found[1] == "1"

    def write(self, session: str, dataset: str, key: str, record: dict[str, Any] | None) -> int:
        """Store ``record`` under ``key`` (None: delete it); returns the new version."""
        return int(self._put(session, dataset, key, record, None))

    def read(self, session: str, dataset: str, key: str) -> Kept:
        """What the session keeps for ``key`` now."""
        text = self._redis.hget(f"{PREFIX}changes:{session}:{dataset}", key)
        return NOT_KEPT if text is None else (True, json.loads(text))

    def swap(
        self, session: str, dataset: str, key: str, expected: Kept, record: dict[str, Any] | None
    ) -> int | None:
        """Store ``record`` only if the session still keeps ``expected`` for ``key``: one
        script compares and writes."""
        return int(self._put(session, dataset, key, record, expected)) or None

    def _put(
        self,
        session: str,
        dataset: str,
        key: str,
        record: dict[str, Any] | None,
        expected: Kept | None,
    ) -> int:
        keys = [
            f"{PREFIX}clock",
            f"{PREFIX}changes:{session}:{dataset}",
            f"{PREFIX}datasets:{session}",
            f"{PREFIX}sessions",
            f"{PREFIX}born",
            f"{PREFIX}log:{session}:{dataset}",
        ]
        # kept text as the script sees it: '' for nothing kept, '=' + the JSON otherwise
        was = "" if expected is None or not expected[0] else "=" + _text(expected[1])
        check = "0" if expected is None else "1"
        args: list[str | int] = [key, _text(record), dataset, session, _epoch(), check, was]
        return int(self._write(keys=keys, args=args))

    def next_id(self, session: str, dataset: str, floor: int) -> int:
        """The next number of the session's id sequence for ``dataset``."""
        keys = [f"{PREFIX}seq:{session}", f"{PREFIX}sessions", f"{PREFIX}born", f"{PREFIX}clock"]
        return int(self._next_id(keys=keys, args=[dataset, floor, session]))

    def create_job(self, session: str, job: dict[str, Any]) -> dict[str, Any]:
        """Keep ``job``, or return the one already kept under its id."""
        keys = [f"{PREFIX}jobs:{session}", f"{PREFIX}sessions", f"{PREFIX}born", f"{PREFIX}clock"]
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

    def ping(self) -> None:
        """Redis's PING."""
        self._redis.ping()

    def close(self) -> None:
        """Release the connection pool."""
        self._redis.close()


def _text(record: dict[str, Any] | None) -> str:
    """A record as kept: compact JSON (``null`` for a deletion), the same text each time."""
    return json.dumps(record, separators=(",", ":"))


def _epoch() -> int:
    """Where a new clock starts: random, below 2**45 so Lua's numbers (doubles, printed
    with 14 digits) keep it exact; used only by the write that makes the clock."""
    return secrets.randbits(45)
