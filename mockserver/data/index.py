"""A dataset indexed once for the requests it will serve: by id, by scope, by sort order.

Sorting, id lookups and time parsing happen at first use and are kept, so a list request
only filters an already ordered list and slices a page. A session's writes are applied to
its index in place (:meth:`DatasetIndex.apply`), so a write costs what it changes, not the
size of the dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mockserver.data.dataset import Record
from mockserver.data.declaration import Dataset
from mockserver.data.records import field_value, record_time

SortKeys = tuple[tuple[str, str], ...]  # (record field, "asc" | "desc"), most significant first


class DatasetIndex:
    """One dataset's records with the lookups requests need."""

    def __init__(self, dataset: Dataset, records: Sequence[Record]) -> None:
        self.dataset = dataset
        #: the records in order, with None where :meth:`apply` deleted one (compacted
        #: when :attr:`records` is next read, so a delete costs O(1))
        self._rows: list[Record | None] = list(records)
        self._keys = [str(r.get(dataset.id_field)) for r in records]  # the rows' ids
        self._holes = 0
        self.by_id = dict(zip(self._keys, records, strict=True))
        self.fields = frozenset(k for r in self.records for k in r)
        self.times = {id(r): record_time(r, dataset.time) for r in self.records}
        self.scopes = (
            {id(r): str(field_value(r, dataset.scope_field)) for r in self.records}
            if dataset.scope_field
            else {}
        )
        self.scope_values = frozenset(self.scopes.values())
        self._orders: dict[SortKeys, list[Record]] = {}
        #: values derived from these records by their users (records as an operation
        #: serves them), kept exactly as long as the records are
        self.memo: dict[Any, Any] = {}
        #: records replaced or deleted by :meth:`apply`, kept alive so no new record takes
        #: their ``id()`` (the key of ``times``, ``scopes`` and the users' memos)
        self._retired: list[Record] = []
        self._positions: dict[str, int] | None = None

    @property
    def records(self) -> list[Record]:
        """The records in order. After deletes, the first read closes their holes: O(n)
        once, charged to a read that walks the records anyway."""
        if self._holes:
            kept = [n for n, r in enumerate(self._rows) if r is not None]
            self._rows = [self._rows[n] for n in kept]
            self._keys = [self._keys[n] for n in kept]
            self._positions = {key: n for n, key in enumerate(self._keys)}
            self._holes = 0
        return self._rows  # type: ignore[return-value]  # no None left

    def apply(self, changes: Mapping[str, Record | None]) -> None:
        """Apply a session's later changes (id -> record, None: deleted) in place: a
        create, replace or delete costs O(1) amortised; sort orders are redone."""
        for key, record in changes.items():
            old = self.by_id.pop(key, None)
            if old is not None:
                self._retired.append(old)
            if record is None:
                if old is not None:
                    self._delete(key)
                continue
            self._put(key, record, old)
        self._orders.clear()

    def _delete(self, key: str) -> None:
        """Leave a hole where the record was (its position is known: no search)."""
        position = self._positions_by_id().pop(key, None)
        if position is not None:
            self._rows[position] = None
            self._holes += 1

    def _put(self, key: str, record: Record, old: Record | None) -> None:
        positions = self._positions_by_id()
        if old is not None and key in positions:
            self._rows[positions[key]] = record
        else:
            positions[key] = len(self._rows)
            self._rows.append(record)
            self._keys.append(key)
        self.by_id[key] = record
        if not self.fields.issuperset(record):
            self.fields = self.fields | set(record)
        self.times[id(record)] = record_time(record, self.dataset.time)
        if self.dataset.scope_field:
            scope = self.scopes[id(record)] = str(field_value(record, self.dataset.scope_field))
            if scope not in self.scope_values:
                self.scope_values = self.scope_values | {scope}

    def _positions_by_id(self) -> dict[str, int]:
        if self._positions is None:  # once per index, at its first write
            self._positions = {
                key: n for n, key in enumerate(self._keys) if self._rows[n] is not None
            }
        return self._positions

    def time_of(self, record: Record) -> int | None:
        """The record's time in epoch ms (computed once)."""
        if id(record) in self.times:
            return self.times[id(record)]
        return record_time(record, self.dataset.time)

    def ordered(self, keys: SortKeys, value: Callable[[Any, str, Dataset], Any]) -> list[Record]:
        """Every record in the order ``keys`` give, ties broken by id; records lacking a
        field come after those that have it. Computed once per distinct order."""
        if keys not in self._orders:
            ordered = sorted(self.records, key=lambda r: str(r.get(self.dataset.id_field, "")))
            for path, direction in reversed(keys):
                present = [r for r in ordered if field_value(r, path) is not None]
                missing = [r for r in ordered if field_value(r, path) is None]
                present.sort(key=self._key(path, value), reverse=direction == "desc")
                ordered = present + missing
            self._orders[keys] = ordered
        return self._orders[keys]

    def _key(self, path: str, value: Callable[[Any, str, Dataset], Any]) -> Callable[[Record], Any]:
        def key(record: Record) -> Any:
            return value(field_value(record, path), path, self.dataset)

        return key
