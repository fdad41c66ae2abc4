"""The three stores behave the same: sessions, versions, reset, id sequences, export jobs.

Written once, run on ``memory:``, SQLite and a real Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
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
