"""A store's failures are 503s naming it (without credentials), and its health says so."""

from __future__ import annotations

import asyncio
import os
import re
import threading
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

    assert asyncio.run(main()) == "answered"
    store.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_sqlite_file_is_a_503_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = open_store(f"sqlite:///{path}")
    store.write("default", DS, "1", {"id": 1})
    store.close()
    reopened = open_store(f"sqlite:///{path}")
    for file in tmp_path.iterdir():
        file.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StoreError, match=re.escape(str(path))) as caught:
            reopened.write("default", DS, "2", {"id": 2})
        assert "readonly" in caught.value.error
    finally:
        tmp_path.chmod(0o755)
        reopened.close()
