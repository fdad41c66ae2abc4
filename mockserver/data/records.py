"""Read fields out of records: dotted paths, lists flattened, times as epoch milliseconds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from mockserver.data.declaration import TimeField

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def field_values(record: Any, path: str) -> list[Any]:
    """Every value at ``path`` (``target.resources``, ``accesses.action``) in ``record``.

    Lists along the way are flattened, so ``accesses.action`` yields the action of each
    access. A missing field yields nothing.
    """
    values = [record]
    for part in path.split(".") if path else []:
        found: list[Any] = []
        for value in values:
            for item in _spread(value):
                if isinstance(item, dict) and part in item:
                    found.extend(_spread(item[part]))
        values = found
    return [v for value in values for v in _spread(value)]


def field_value(record: Any, path: str) -> Any:
    """The first value at ``path``, or ``None``."""
    values = field_values(record, path)
    return values[0] if values else None


def _spread(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        yield from value
    else:
        yield value


def epoch_ms(value: Any, fmt: str = "iso8601") -> int | None:
    """A time written as ISO 8601, epoch seconds or epoch milliseconds, in epoch ms."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value * 1000) if fmt == "epoch-s" else int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return epoch_ms(int(text), fmt)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # exact integer arithmetic: a float timestamp reads some .187 s as 186 ms
        return (parsed - EPOCH) // timedelta(milliseconds=1)
    return None


def record_time(record: Any, time: TimeField | None) -> int | None:
    """The record's own time, in epoch ms."""
    if time is None:
        return None
    return epoch_ms(field_value(record, time.field), time.format)
