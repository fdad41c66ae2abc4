"""The three stores behave the same: sessions, versions, reset, id sequences, export jobs.

Written once, run on ``memory:``, SQLite and a real Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mockserver.errors import UsageError
from mockserver.serve.state import StateStore, open_store
from mockserver.serve.state.store import new_job, sqlite_path

DS = "api/pets"


@pytest.fixture(params=["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "memory":
        url = "memory:"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("redis_url")
    opened = open_store(url)
    yield opened
    opened.close()


def test_a_session_starts_unchanged(store: StateStore) -> None:
    assert store.version("default") == 0
    assert store.changes("default", DS) == (0, {})
    assert store.state() == {}


def test_writes_and_deletes_are_kept_with_a_new_version_each(store: StateStore) -> None:
    first = store.write("default", DS, "1", {"id": 1, "name": "Rex"})
    second = store.write("default", DS, "2", None)
    assert 0 < first < second == store.version("default")
    assert store.changes("default", DS) == (second, {"1": {"id": 1, "name": "Rex"}, "2": None})
    third = store.write("default", DS, "1", {"id": 1, "name": "Max"})
    assert store.changes("default", DS)[1]["1"] == {"id": 1, "name": "Max"}
    assert third > second


def test_sessions_do_not_see_each_other(store: StateStore) -> None:
    store.write("alice", DS, "1", {"id": 1})
    assert store.changes("bob", DS) == (0, {})
    assert store.version("bob") == 0
    assert store.changes("alice", "api/other") == (store.version("alice"), {})


def test_reset_forgets_one_session_or_all_and_versions_never_repeat(store: StateStore) -> None:
    store.write("alice", DS, "1", {"id": 1})
    before = store.write("bob", DS, "1", {"id": 1})
    store.reset("alice")
    assert store.changes("alice", DS) == (0, {})
    assert store.changes("bob", DS)[1] == {"1": {"id": 1}}
    store.reset()
    assert store.changes("bob", DS) == (0, {})
    assert store.write("bob", DS, "2", {"id": 2}) > before  # a cache keyed by version stays right


def test_id_sequences_start_above_the_floor_per_session(store: StateStore) -> None:
    assert [store.next_id("alice", DS, 25) for _ in range(3)] == [26, 27, 28]
    assert store.next_id("alice", DS, 40) == 41  # a larger floor (an id a client chose) wins
    assert store.next_id("bob", DS, 25) == 26
    assert store.next_id("alice", "api/other", 0) == 1
    store.reset("alice")
    assert store.next_id("alice", DS, 25) == 26


def test_export_jobs_are_kept_once_per_session(store: StateStore) -> None:
    job = store.create_job("alice", new_job("j1", {"dataset": "logs", "ids": ["a"]}))
    again = store.create_job("alice", new_job("j1", {"dataset": "logs", "ids": ["b"]}))
    assert again == job and job["ids"] == ["a"] and job["status"] == "completed"
    assert store.get_job("alice", "j1") == job
    assert store.get_job("bob", "j1") is None
    store.reset("alice")
    assert store.get_job("alice", "j1") is None


def test_state_lists_what_each_session_changed(store: StateStore) -> None:
    store.write("alice", DS, "1", {"id": 1})
    store.write("alice", DS, "2", None)
    version = store.write("alice", "api/other", "x", {"id": "x"})
    store.create_job("bob", new_job("j1", {}))
    assert store.state() == {
        "alice": {
            "version": version,
            "datasets": {
                "api/other": {"written": ["x"], "deleted": []},
                DS: {"written": ["1"], "deleted": ["2"]},
            },
            "jobs": 0,
        },
        "bob": {"version": 0, "datasets": {}, "jobs": 1},
    }


def test_sqlite_keeps_everything_across_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    first = open_store(url)
    version = first.write("default", DS, "1", {"id": 1})
    first.next_id("default", DS, 0)
    first.close()
    second = open_store(url)
    assert second.changes("default", DS) == (version, {"1": {"id": 1}})
    assert second.next_id("default", DS, 0) == 2
    second.close()


def test_store_urls() -> None:
    assert sqlite_path("sqlite:///state.db") == Path("state.db")
    assert sqlite_path("sqlite:////tmp/state.db") == Path("/tmp/state.db")
    with pytest.raises(UsageError, match="names no file"):
        open_store("sqlite://")
    with pytest.raises(UsageError, match="not a store"):
        open_store("postgres://db")


def test_swap_writes_only_over_what_it_read(store: StateStore) -> None:
    assert store.read("default", DS, "1") == (False, None)
    first = store.swap("default", DS, "1", (False, None), {"id": 1, "name": "Rex"})
    assert first is not None and store.read("default", DS, "1") == (True, {"id": 1, "name": "Rex"})
    # a second writer that read before the first wrote loses the race, and is told so
    assert store.swap("default", DS, "1", (False, None), {"id": 1, "name": "Max"}) is None
    assert store.read("default", DS, "1") == (True, {"id": 1, "name": "Rex"})
    deleted = store.swap("default", DS, "1", (True, {"id": 1, "name": "Rex"}), None)
    assert deleted is not None and deleted > first
    assert store.read("default", DS, "1") == (True, None)
    assert store.swap("bob", DS, "1", (True, None), {"id": 1}) is None  # sessions apart


def test_concurrent_read_modify_writes_lose_no_field(store: StateStore) -> None:
    """16 threads each set their own field of one record, 10 times, by read then swap."""

    def client(field: str) -> None:
        for value in range(1, 11):
            while True:
                kept = store.read("default", DS, "1")
                record = dict(kept[1] or {"id": 1})
                record[field] = value
                if store.swap("default", DS, "1", kept, record) is not None:
                    break

    fields = [f"f{n}" for n in range(16)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(client, fields))
    kept = store.read("default", DS, "1")[1]
    assert kept is not None and {f: kept.get(f) for f in fields} == dict.fromkeys(fields, 10)


def test_a_new_store_never_repeats_an_old_ones_versions(tmp_path: Path) -> None:
    """The clock starts at a random epoch, so a cache keyed by version cannot outlive its
    store (a file removed, a Redis restarted empty)."""
    versions = []
    for n in range(3):
        opened = open_store(f"sqlite:///{tmp_path / f'state{n}.db'}")
        versions.append(opened.write("default", DS, "1", {"id": 1}))
        opened.close()
    assert len(set(versions)) == 3


def test_changes_since_a_version_are_the_later_ones_or_all(store: StateStore) -> None:
    """Each store keeps a change log, so a reader brings its index up to date with what
    changed since it last read; a version from before a reset gets everything."""
    first = store.write("default", DS, "1", {"id": 1})
    second = store.write("default", DS, "2", {"id": 2})
    store.write("default", DS, "1", {"id": 1, "name": "again"})
    version, changes, later = store.changes_since("default", DS, second)
    assert version == store.version("default")
    # the change log: only what came after, "1" once, as last written
    assert later and changes == {"1": {"id": 1, "name": "again"}}
    assert store.changes_since("default", DS, version) == (version, {}, True)
    assert store.changes_since("default", DS, 0) == (
        version,
        store.changes("default", DS)[1],
        False,
    )
    store.reset("default")
    store.write("default", DS, "3", {"id": 3})
    _, changes, later = store.changes_since("default", DS, first)  # from before the reset
    assert changes == {"3": {"id": 3}} and not later  # all of them: rebuild, nothing stale
