"""A session's writes applied to its index cost O(1) each, deletes included: counted in
Python operations (bytecodes traced), not timed, at 100 and at 10,000 records."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from mockserver.data.declaration import Dataset
from mockserver.data.index import DatasetIndex
from mockserver.data.writes import merged

NOTES = Dataset("notes", Path("notes.json"), "id", None, None, "/datasets/notes")


class Row(dict[str, Any]):
    """A record whose comparisons run Python code, so the tracer counts a list search."""

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self, other)

    __hash__ = None


def records(n: int) -> list[dict[str, Any]]:
    return [Row(id=str(k), title=f"note {k}") for k in range(n)]


def operations(work: Callable[[], None]) -> int:
    """The Python bytecodes ``work`` executes (in every frame it calls)."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def deletes_and_creates(index: DatasetIndex, size: int) -> Callable[[], None]:
    def work() -> None:
        for k in range(50):  # the oldest records: a list search would walk to each
            index.apply({str(k): None})
            index.apply({f"new-{k}": Row(id=f"new-{k}", title="made")})
            assert str(size - 1) in index.by_id

    return work


def cost_of_writes(size: int) -> int:
    index = DatasetIndex(NOTES, records(size))
    index.apply({str(size - 1): Row(id=str(size - 1), title="first write")})  # once per index
    return operations(deletes_and_creates(index, size))


def test_a_delete_costs_the_same_at_10000_records_as_at_100() -> None:
    small, large = cost_of_writes(100), cost_of_writes(10_000)
    assert large == small


def test_reading_after_deletes_gives_the_records_a_rebuilt_index_would() -> None:
    fixtures = records(10)
    index = DatasetIndex(NOTES, fixtures)
    changes: dict[str, Any] = {
        "3": None,
        "0": None,
        "11": {"id": "11", "title": "made"},
        "5": {"id": "5", "title": "replaced"},
        "9": None,
    }
    for key, record in changes.items():
        index.apply({key: record})
    assert index.records == merged(fixtures, "id", changes)
    index.apply({"11": None, "12": {"id": "12", "title": "after a read"}})
    changes.update({"11": None, "12": {"id": "12", "title": "after a read"}})
    assert index.records == merged(fixtures, "id", changes)
    assert set(index.by_id) == {str(r["id"]) for r in index.records}
