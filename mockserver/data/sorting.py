"""Sorting: the keys a request asks to sort by, and values comparable across types."""

from __future__ import annotations

from typing import Any

from mockserver.data.declaration import Dataset, Sort
from mockserver.data.filters import RequestValues
from mockserver.data.records import epoch_ms
from mockserver.spec.sentinel import NOT_SENT


def sort_keys(sort: Sort, request: RequestValues, dataset: Dataset) -> list[tuple[str, str, str]]:
    """(name as requested, record field, direction) for each sort key, most significant first."""
    if sort.syntax == "signed-list":
        raw = request.value(sort.param) if sort.param else NOT_SENT
        text = str(raw) if raw not in (NOT_SENT, None, "") else (sort.default or "")
        keys = []
        for part in (p.strip() for p in text.split(",") if p.strip()):
            name = part.lstrip("-+")
            keys.append(
                (name, sort.fields.get(name, name), "desc" if part.startswith("-") else "asc")
            )
        return keys
    chosen = request.value(sort.param) if sort.param else NOT_SENT
    name = str(chosen) if chosen not in (NOT_SENT, None, "") else (sort.default or "")
    if not name:
        name = dataset.time.field if dataset.time else dataset.id_field
    direction = request.value(sort.direction_param) if sort.direction_param else NOT_SENT
    direction = (
        str(direction).lower() if direction not in (NOT_SENT, None, "") else sort.default_direction
    )
    return [(name, sort.fields.get(name, name), "asc" if direction == "asc" else "desc")]


def sort_value(value: Any, key: str, dataset: Dataset) -> Any:
    """A key that orders times by instant, numbers by value, and the rest as text."""
    if dataset.time and key == dataset.time.field:
        return (0, epoch_ms(value, dataset.time.format) or 0, "")
    if isinstance(value, bool):
        return (1, int(value), "")
    if isinstance(value, int | float):
        return (1, value, "")
    return (2, 0, str(value).lower())
