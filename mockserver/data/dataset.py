"""Load fixture datasets: JSON arrays of records, checked for shape and unique ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mockserver.data.declaration import Dataset
from mockserver.errors import DeclarationError
from mockserver.spec.pointer import join_pointer
from mockserver.spec.source import SourceFile, load_source

Record = dict[str, Any]


def load_records(dataset: Dataset) -> tuple[SourceFile, list[Record]]:
    """The records of ``dataset``, in file order; raises if the file is not an array of objects."""
    source = load_source(dataset.file)
    records = source.data
    if not isinstance(records, list):
        raise DeclarationError(
            dataset.file, "a dataset must be a JSON array of records", position=source.position("")
        )
    for index, record in enumerate(records):
        if not isinstance(record, dict) or dataset.id_field not in record:
            pointer = join_pointer("", index)
            raise DeclarationError(
                dataset.file,
                f"record {index} is not an object with an {dataset.id_field!r}",
                pointer=pointer,
                position=source.position(pointer),
            )
    return source, records


def iter_duplicate_ids(dataset: Dataset, records: list[Record]) -> Iterator[tuple[int, int]]:
    """(index, index of the first record with the same id) for each repeated id."""
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        key = str(record[dataset.id_field])
        if key in first:
            yield index, first[key]
        else:
            first[key] = index


def project(record: Record, names: set[str] | None) -> Record:
    """The fields of ``record`` a schema declares (all of them if it declares none)."""
    if names is None:
        return record
    return {k: v for k, v in record.items() if k in names}
