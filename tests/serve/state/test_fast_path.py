"""A request that only reads the version of a session nobody wrote to since stays on the
event loop (no hop to the store's thread), and a write by anyone, in any process, sends
the next one back to the store: never a stale read.

Two SQLite stores on one file stand for two workers; hops are counted on the store's own
thread hand-off, not timed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from mockserver.serve.mount import ServeOptions
from mockserver.serve.state import open_store
from mockserver.serve.state.guard import GuardedStore
from tests.conftest import DATA, TOKEN, MakeClient

T = TypeVar("T")
DS = "api/notes"


class Counted:
    """A guarded store whose hand-offs to its thread are counted."""

    def __init__(self, url: str) -> None:
        self.store = open_store(url)
        assert isinstance(self.store, GuardedStore)
        self.hops = 0
        on_thread = self.store._on_thread

        async def counted(work: Callable[[], T]) -> T:
            self.hops += 1
            return await on_thread(work)

        self.store._on_thread = counted  # type: ignore[method-assign]

    def answer(self, work: Callable[[], Any]) -> Any:
        """``store.answer(work)`` on a loop of its own, in a thread of its own (as the
        other tests here: Playwright's loop may be running in this thread)."""
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.store.answer(work)).result()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Counted, Counted]]:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    one, two = Counted(url), Counted(url)
    yield one, two
    one.store.close()
    two.store.close()


def test_an_unchanged_session_is_read_on_the_loop_after_the_first_look(
    workers: tuple[Counted, Counted],
) -> None:
    one, _ = workers
    assert one.answer(lambda: one.store.version("s")) == 0
    assert one.hops == 1  # the first look asks the store
    for _ in range(5):
        assert one.answer(lambda: one.store.version("s")) == 0
    assert one.hops == 1


def test_a_write_by_another_process_sends_the_next_read_to_the_store(
    workers: tuple[Counted, Counted],
) -> None:
    one, two = workers
    one.answer(lambda: one.store.version("s"))
    written = two.store.write("s", DS, "1", {"id": 1})
    assert one.answer(lambda: one.store.version("s")) == written  # not the 0 it had seen
    assert one.hops == 2
    assert one.answer(lambda: one.store.version("s")) == written
    assert one.hops == 2
    own = one.answer(lambda: one.store.write("s", DS, "2", {"id": 2}))
    assert one.hops == 3  # a write always goes to the store
    assert one.answer(lambda: one.store.version("s")) == own
    assert one.hops == 4  # the stamp moved with the write


def test_work_that_reaches_the_store_runs_once_more_on_the_thread_and_nothing_twice(
    workers: tuple[Counted, Counted],
) -> None:
    one, _ = workers
    one.answer(lambda: one.store.version("s"))
    steps: list[str] = []

    def work() -> Any:
        steps.append("began")
        version = one.store.version("s")
        return one.store.changes_since("s", DS, version)

    assert one.answer(work) == (0, {}, False)
    assert steps == ["began", "began"] and one.hops == 2  # stopped before the store call


def test_two_apps_on_one_file_never_read_stale(make_client: MakeClient, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    apps = [
        make_client(
            DATA / "crud-3.1.yaml", **vars(ServeOptions(fixtures_dir=None, state=open_store(url)))
        )
        for _ in range(2)
    ]
    owners = "/crud-3.1/api/owners"
    for step in range(6):
        reader, writer = apps[step % 2], apps[1 - step % 2]
        before = reader.get(owners + "?limit=100", headers=TOKEN).json()["items"]
        made = writer.post(owners, json={"name": f"N{step}", "city": "Oslo"}, headers=TOKEN)
        assert made.status_code == 201
        after = reader.get(owners + "?limit=100", headers=TOKEN).json()["items"]
        assert {o["id"] for o in after} == {o["id"] for o in before} | {made.json()["id"]}
        seen = reader.get(f"{owners}/{made.json()['id']}", headers=TOKEN)
        assert seen.status_code == 200 and seen.json() == made.json()
