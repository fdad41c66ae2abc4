"""A dataset indexed once for the requests it will serve: by id, by scope, by sort order.

Sorting, id lookups and time parsing happen at first use and are kept, so a list request
only filters an already ordered list and slices a page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mockserver.data.dataset import Record
from mockserver.data.declaration import Dataset
from mockserver.data.records import field_value, record_time

SortKeys = tuple[tuple[str, str], ...]  # (record field, "asc" | "desc"), most significant first


class DatasetIndex:
    """One dataset's records with the lookups requests need."""

    def __init__(self, dataset: Dataset, records: Sequence[Record]) -> None:
        self.dataset = dataset
        self.records = list(records)
        self.by_id = {str(r.get(dataset.id_field)): r for r in self.records}
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
