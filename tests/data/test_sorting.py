"""Sort keys come from the request as fixtures/README.md says; sort values order any type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.data.declaration import Dataset, Sort, TimeField
from mockserver.data.sorting import sort_keys, sort_value
from mockserver.spec.sentinel import NOT_SENT


class Request:
    """A checked request as sorting reads it: typed parameter values."""

    def __init__(self, **values: Any) -> None:
        self.values = values
        self.body = NOT_SENT

    def value(self, name: str, location: str | None = None) -> Any:
        return self.values.get(name, NOT_SENT)


CREATED_AT = TimeField("createdAt", "iso8601")


def _dataset(time: TimeField | None = CREATED_AT) -> Dataset:
    return Dataset("things", Path("things.json"), "id", time, None, "/datasets/things")


SIGNED = Sort(param="sort", syntax="signed-list", fields={"created": "createdAt"})


def test_signed_list_reads_several_keys_most_significant_first() -> None:
    keys = sort_keys(SIGNED, Request(sort="name,-created,+size"), _dataset())
    assert keys == [
        ("name", "name", "asc"),
        ("created", "createdAt", "desc"),
        ("size", "size", "asc"),
    ]


def test_signed_list_ignores_blanks_around_keys() -> None:
    keys = sort_keys(SIGNED, Request(sort=" -created , name ,"), _dataset())
    assert keys == [("created", "createdAt", "desc"), ("name", "name", "asc")]


@pytest.mark.parametrize("request_", [Request(), Request(sort=""), Request(sort=None)])
def test_signed_list_default_applies_when_the_request_names_none(request_: Request) -> None:
    sort = Sort(param="sort", syntax="signed-list", default="-occurred_at,id")
    assert sort_keys(sort, request_, _dataset()) == [
        ("occurred_at", "occurred_at", "desc"),
        ("id", "id", "asc"),
    ]


def test_signed_list_without_a_parameter_uses_its_default() -> None:
    sort = Sort(syntax="signed-list", default="-occurred_at")
    assert sort_keys(sort, Request(sort="name"), _dataset()) == [
        ("occurred_at", "occurred_at", "desc")
    ]


FIELD = Sort(
    param="sortField",
    direction_param="sortDirection",
    fields={"created": "createdAt"},
    default="updatedAt",
    default_direction="desc",
)


def test_field_syntax_reads_the_field_and_the_direction() -> None:
    keys = sort_keys(FIELD, Request(sortField="created", sortDirection="asc"), _dataset())
    assert keys == [("created", "createdAt", "asc")]


def test_field_syntax_reads_the_direction_in_any_case() -> None:
    keys = sort_keys(FIELD, Request(sortField="name", sortDirection="ASC"), _dataset())
    assert keys == [("name", "name", "asc")]


def test_field_syntax_unmapped_name_is_the_record_field() -> None:
    keys = sort_keys(FIELD, Request(sortField="name", sortDirection="desc"), _dataset())
    assert keys == [("name", "name", "desc")]


def test_field_syntax_defaults() -> None:
    assert sort_keys(FIELD, Request(), _dataset()) == [("updatedAt", "updatedAt", "desc")]
    asc = Sort(param="sortField", default="created", default_direction="asc", fields=FIELD.fields)
    assert sort_keys(asc, Request(), _dataset()) == [("created", "createdAt", "asc")]


def test_field_syntax_default_direction_applies_to_a_requested_field() -> None:
    asc = Sort(param="sortField", direction_param="sortDirection", default_direction="asc")
    assert sort_keys(asc, Request(sortField="name"), _dataset()) == [("name", "name", "asc")]


def test_without_a_default_the_time_field_sorts() -> None:
    assert sort_keys(Sort(), Request(), _dataset()) == [("createdAt", "createdAt", "desc")]


def test_without_a_default_or_time_field_the_id_sorts() -> None:
    assert sort_keys(Sort(), Request(), _dataset(None)) == [("id", "id", "desc")]


def _sorted(values: list[Any], key: str = "other", dataset: Dataset | None = None) -> list[Any]:
    return sorted(values, key=lambda v: sort_value(v, key, dataset or _dataset()))


def test_times_sort_by_instant_whatever_their_format() -> None:
    values = [
        "2026-01-01T00:00:00Z",  # 2026-01-01T00:00Z
        "2026-01-01T01:00:00+02:00",  # 2025-12-31T23:00Z
        1767229200000,  # 2026-01-01T01:00Z in epoch ms
        "2025-12-31T23:30:00.000-00:00",  # 2025-12-31T23:30Z
    ]
    assert _sorted(values, "createdAt") == [values[1], values[3], values[0], values[2]]


def test_epoch_second_times_sort_with_iso_times() -> None:
    dataset = _dataset(TimeField("ts", "epoch-s"))
    values = [1767225600, "2025-12-31T23:59:59Z", 1767225601]  # 2026-01-01T00:00:00Z, +1s
    assert _sorted(values, "ts", dataset) == [values[1], values[0], values[2]]


def test_numbers_sort_by_value() -> None:
    assert _sorted([10, 2, 1.5, -3, 0]) == [-3, 0, 1.5, 2, 10]


def test_booleans_sort_false_first() -> None:
    assert _sorted([True, False, True]) == [False, True, True]


def test_strings_sort_ignoring_case() -> None:
    assert _sorted(["banana", "Apple", "cherry", "apricot"]) == [
        "Apple",
        "apricot",
        "banana",
        "cherry",
    ]


def test_mixed_types_have_a_total_order() -> None:
    # Comparing raw values would raise TypeError; sort values group numbers before text.
    assert _sorted(["b", 10, "A", 2, True, False]) == [False, True, 2, 10, "A", "b"]
