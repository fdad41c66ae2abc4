"""A store's failures are 503s naming it (without credentials), and its health says so."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mockserver.serve.problems import StoreUnavailable
from mockserver.serve.state import StoreError, open_store
from mockserver.serve.state.guard import public_url
from tests.conftest import free_port

DS = "api/notes"


def test_credentials_never_leave_the_url() -> None:
    assert public_url("redis://user:secret@db.local:6380/2") == "redis://db.local:6380/2"
    assert public_url("redis://:secret@db.local/0") == "redis://db.local/0"
    assert public_url("sqlite:////tmp/state.db") == "sqlite:////tmp/state.db"


def test_a_redis_nobody_listens_on_is_a_503_naming_it_then_health_says_why() -> None:
    url = f"redis://user:secret@127.0.0.1:{free_port()}/0"
    store = open_store(url, timeout=0.5)
    with pytest.raises(StoreError) as caught:
        store.write("default", DS, "1", {"id": 1})
    problem = StoreUnavailable(caught.value)  # as the gate answers it
    assert problem.status == 503 and ("Retry-After", "1") in problem.headers
    assert problem.store == url.replace("user:secret@", "") and "secret" not in problem.detail
    assert "ConnectionError" in problem.error
    health = store.health()
    assert health["status"] == "unavailable" and health["store"] == problem.store
    store.close()


def test_a_locked_sqlite_file_is_a_503_naming_it_within_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = open_store(url, timeout=0.3)
    other = open_store(url)
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:  # another process's long write: the file stays locked
        db = other.backend._db  # type: ignore[attr-defined]
        db.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(30)
        db.execute("ROLLBACK")

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(30)
    try:
        with pytest.raises(StoreError, match=re.escape(str(tmp_path / "state.db"))) as caught:
            store.write("default", DS, "1", {"id": 1})
        assert "locked" in caught.value.error
    finally:
        release.set()
        holder.join()
    assert store.write("default", DS, "1", {"id": 1}) > 0  # recovers, no restart
    assert store.health()["status"] == "ok"
    store.close()
    other.close()


def test_off_loop_answers_a_503_when_the_work_outlives_the_timeout(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}", timeout=0.2)
    gate = threading.Event()

    async def main() -> str:
        with pytest.raises(StoreError, match=r"no answer within 0\.2 s"):
            await store.off_loop(gate.wait, 30)
        gate.set()
        return await store.off_loop(lambda: "answered")

    # a loop of its own, in a thread of its own: a browser test earlier in this worker may
    # leave Playwright's loop running in the main thread, where asyncio.run() refuses
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, main()).result() == "answered"
    store.close()
