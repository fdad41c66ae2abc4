"""The contract's oracle, on hand-written records: each reader, filter op, sort and page size.

Expected answers are worked out by hand from ``fixtures/README.md``, never from the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.contract import oracle
from mockserver.contract.oracle import SortKey, compare, epoch_ms, field_values, misordered
from mockserver.data.declaration import Dataset, Filter, Paging, Sort, TimeField
from mockserver.generation.serialize import NOT_SENT, Drawn

ISO = Dataset("events", Path("events.json"), "id", TimeField("at", "iso8601"), None, "/d")
EPOCH_S = Dataset("events", Path("events.json"), "id", TimeField("at", "epoch-s"), None, "/d")
NO_TIME = Dataset("events", Path("events.json"), "id", None, None, "/d")
RECORDS: list[dict[str, Any]] = [
    {
        "id": "a",
        "at": "2026-01-01T00:00:00Z",
        "n": 5,
        "name": "Deploy Flag",
        "tags": ["blue", "green"],
        "actor": {"id": "u1", "type": "User"},
        "accesses": [{"action": "updateOn"}, {"action": "createFlag"}],
        "target": {"resources": ["proj/default:env/prod:flag/dark-mode;beta,ui"]},
    },
    {
        "id": "b",
        "at": "2026-01-02T00:00:00Z",
        "n": 10,
        "name": "delete segment",
        "tags": ["red"],
        "actor": {"id": "u2", "type": "Token"},
        "accesses": [{"action": "deleteSegment"}],
        "target": {"resources": ["proj/default:env/test:segment/beta"]},
    },
    {"id": "c", "at": "2026-01-03T00:00:00Z", "n": "12", "name": "Login"},
]


def flt(op: str, **options: Any) -> Filter:
    return Filter(
        op,
        options.get("param", "p"),
        options.get("body"),
        options.get("field"),
        options.get("fields"),
        options.get("combine_param"),
        options.get("combine_body"),
        options.get("case_sensitive", False),
    )


def kept(
    f: Filter, value: Any, dataset: Dataset = ISO, drawn: Drawn | None = None
) -> list[str] | None:
    """The ids of RECORDS the filter keeps, or None when the oracle does not judge."""
    test = oracle.predicate(f, value, dataset, drawn or Drawn())
    return None if test is None else [r["id"] for r in RECORDS if test(r)]


# -- readers ----------------------------------------------------------------------------


def test_field_values_follow_dotted_paths_and_flatten_lists() -> None:
    record = RECORDS[0]
    assert field_values(record, "actor.id") == ["u1"]
    assert field_values(record, "accesses.action") == ["updateOn", "createFlag"]
    assert field_values(record, "tags") == ["blue", "green"]
    assert field_values(record, "actor.missing") == []
    assert field_values({"a": [[1, 2], {"b": 3}]}, "a") == [[1, 2], {"b": 3}]
    assert field_values({"a": [{"b": [1, 2]}, {"b": 3}]}, "a.b") == [1, 2, 3]
    assert field_values({"a": None}, "a") == [None]
    assert oracle.first_value(record, "nothing") is None


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("1970-01-01T00:00:01Z", "iso8601", 1000),
        ("1970-01-01T00:00:01.250Z", "iso8601", 1250),
        ("1970-01-01T01:00:00+01:00", "iso8601", 0),
        ("1970-01-01T00:00:02", "iso8601", 2000),  # no zone: UTC
        ("1970-01-02", "iso8601", 86_400_000),
        (1500, "epoch-ms", 1500),
        ("1500", "epoch-ms", 1500),
        (2, "epoch-s", 2000),
        (2.5, "epoch-s", 2500),
        ("2", "epoch-s", 2000),
        (1500, "iso8601", 1500),  # a number beside ISO 8601 data: epoch ms
        ("yesterday", "iso8601", None),
        (True, "epoch-ms", None),
        (None, "iso8601", None),
        ({"t": 1}, "iso8601", None),
    ],
)
def test_epoch_ms_reads_iso_8601_and_epoch_seconds_and_milliseconds(
    value: Any, fmt: str, expected: int | None
) -> None:
    assert epoch_ms(value, fmt) == expected


def test_epoch_ms_is_exact_to_the_millisecond() -> None:
    assert epoch_ms("2026-11-01T12:00:00.123Z") == 1_793_534_400_123
    assert epoch_ms("2026-11-01T12:00:00.123999Z") == 1_793_534_400_123


def test_same_compares_as_text_when_types_differ() -> None:
    assert oracle.same(5, "5")
    assert oracle.same(5, 5.0)
    assert oracle.same(True, "true")
    assert not oracle.same("5", "05")
    assert not oracle.same(1, True)


def test_empty_values_and_null_count_as_not_sent() -> None:
    assert not oracle.is_sent(NOT_SENT)
    assert not oracle.is_sent(None)
    assert not oracle.is_sent([])
    assert not oracle.is_sent("")  # fixtures/README.md: an empty value filters nothing
    assert oracle.is_sent(0)
    assert oracle.is_sent(False)


def test_filter_value_reads_a_parameter_or_the_body() -> None:
    drawn = Drawn({("query", "q"): "x", ("header", "X-Org"): "o"}, {"from": 1, "s": []})
    assert oracle.filter_value(flt("eq", param="q"), drawn) == "x"
    assert oracle.filter_value(flt("eq", param="x-org"), drawn) == "o"
    assert oracle.filter_value(flt("eq", param=None, body="/from"), drawn) == 1
    assert oracle.filter_value(flt("eq", param=None, body="/nope"), drawn) is NOT_SENT
    assert oracle.filter_value(flt("eq", param="other"), drawn) is NOT_SENT
    assert oracle.filter_value(flt("eq", param=None, body=""), Drawn()) is NOT_SENT


# -- filter ops -------------------------------------------------------------------------


def test_eq_and_in() -> None:
    assert kept(flt("eq", field="actor.type"), "User") == ["a"]
    assert kept(flt("eq", field="n"), "12") == ["c"]  # text when types differ
    assert kept(flt("eq", field="n"), 12) == ["c"]
    assert kept(flt("eq", field="tags"), "green") == ["a"]  # any value of a list
    assert kept(flt("in", field="actor.id"), ["u2", "u9"]) == ["b"]
    assert kept(flt("in", field="actor.id"), "u1") == ["a"]
    assert kept(flt("eq", field="actor.id"), ["u1"]) is None


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("lt", 10, ["a"]),
        ("lte", 10, ["a", "b"]),
        ("gt", 5, ["b"]),
        ("gte", 5, ["a", "b"]),
        ("lt", 6, ["a", "c"]),  # "12" is text, and "12" < "6" as text
        ("gt", 11, ["c"]),  # and "12" > "11"
    ],
)
def test_comparisons_on_numbers(op: str, value: int, expected: list[str]) -> None:
    assert kept(flt(op, field="n"), value) == expected


def test_comparisons_on_text() -> None:
    assert kept(flt("lt", field="name"), "Login") == ["a"]  # "Deploy Flag" < "Login"
    assert kept(flt("gte", field="name"), "a") == ["b"]


@pytest.mark.parametrize(
    ("op", "bound", "expected"),
    [
        ("lt", "2026-01-02T00:00:00Z", ["a"]),
        ("lte", "2026-01-02T00:00:00.000Z", ["a", "b"]),
        ("gt", "2026-01-02T01:00:00+01:00", ["c"]),  # the same instant as b
        ("gte", 1_767_312_000_000, ["b", "c"]),  # 2026-01-02 in epoch ms
        ("eq", "2026-01-03T00:00:00Z", ["c"]),
    ],
)
def test_comparisons_on_the_time_field_read_both_sides_as_times(
    op: str, bound: Any, expected: list[str]
) -> None:
    assert kept(flt(op, field="at"), bound) == expected


def test_time_comparisons_with_epoch_seconds_records() -> None:
    records = [{"id": "x", "at": 100}, {"id": "y", "at": 200}]
    test = oracle.predicate(flt("gte", field="at"), 150_000, EPOCH_S, Drawn())
    assert test is not None
    assert [r["id"] for r in records if test(r)] == ["y"]


def test_a_time_bound_that_is_not_a_time_is_not_judged() -> None:
    assert kept(flt("gte", field="at"), "soon") is None


def test_search_and_contains_ignore_case_unless_told() -> None:
    search = flt("search", fields=["name", "actor.type"])
    assert kept(search, "DELETE") == ["b"]
    assert kept(search, "user") == ["a"]
    assert kept(search, "") == ["a", "b", "c"]
    assert kept(flt("search", fields=["name"], case_sensitive=True), "login") == []
    assert kept(flt("search", fields=["name"], case_sensitive=True), "Login") == ["c"]
    assert kept(flt("contains", field="name"), "flag") == ["a"]


def test_glob_wildcards_and_tags() -> None:
    spec = flt("glob", field="target.resources")
    assert kept(spec, "proj/default:env/*") == ["a", "b"]
    assert kept(spec, "proj/*:env/prod:flag/*") == ["a"]
    assert kept(spec, "proj/*;beta") == ["a"]  # tags after ';' are required
    assert kept(spec, "proj/*;beta,ops") == []
    assert kept(spec, "*segment/beta") == ["b"]
    assert kept(spec, "segment") == []  # the whole name must match
    assert kept(spec, "proj/.*") == []  # regex characters are literal
    assert kept(spec, "proj/?efault*") is None  # '?' is not defined
    assert oracle.glob("a*c", "a*c") is True
    assert oracle.glob("abc", "a[b]c") is None


def test_object_match() -> None:
    match = flt(
        "object-match",
        fields={"actor": {"id": "actor.id", "type": "actor.type"}, "tag": "tags"},
    )
    assert kept(match, {"actor": [{"id": "u1"}]}) == ["a"]
    assert kept(match, {"actor": [{"id": "u1", "type": "Token"}]}) == []
    assert kept(match, {"actor": [{"id": "u1"}, {"type": "Token"}]}) == ["a", "b"]
    assert kept(match, {"actor": [{"type": "User"}], "tag": ["red"]}) == []
    assert kept(match, {"tag": ["red", "green"]}) == ["a", "b"]
    assert kept(match, {"tag": "red"}) == ["b"]
    assert kept(match, {"actor": [], "unmapped": ["x"]}) == ["a", "b", "c"]
    assert kept(match, {"actor": [{}]}) == ["a", "b", "c"]  # no given field: all match
    assert kept(match, {"actor": ["u1"]}) is None  # an object target needs objects
    assert kept(match, ["u1"]) is None


def test_column_values() -> None:
    columns = flt("column-values", param="q", combine_param="op", fields=["name", "tags"])
    assert kept(columns, ["name:flag,segment"]) == ["a", "b"]
    assert kept(columns, ["name:LOGIN"]) == ["c"]
    assert kept(columns, "tags:ed") == ["b"]  # "red" contains "ed"
    assert kept(columns, ["name:flag", "tags:red"]) == ["a", "b"]
    both = Drawn({("query", "op"): "and"})
    assert kept(columns, ["name:de", "tags:red"], drawn=both) == ["b"]
    assert kept(columns, ["name:"]) == []  # a clause without values matches nothing
    assert kept(columns, ["actor:u1"]) is None  # a column not allowed: a 4xx, not judged
    assert kept(columns, ["no colon"]) is None
    assert kept(columns, ["name:x"], drawn=Drawn({("query", "op"): "xor"})) is None


def test_column_values_combine_from_the_body() -> None:
    columns = flt("column-values", param=None, body="/q", combine_body="/how", fields=None)
    drawn = Drawn({}, {"q": ["name:de", "tags:red"], "how": "and"})
    assert kept(columns, ["name:de", "tags:red"], drawn=drawn) == ["b"]
    assert kept(columns, ["name:de", "tags:red"], drawn=Drawn({}, {})) == ["a", "b"]


def test_statements() -> None:
    policy = flt(
        "statements",
        param=None,
        body="",
        fields={"resources": "target.resources", "actions": "accesses.action"},
    )
    allow_all = {"effect": "allow", "resources": ["*"], "actions": ["*"]}
    assert kept(policy, [allow_all]) == ["a", "b"]  # c has no resource to match
    deny_test = {"effect": "deny", "resources": ["proj/*:env/test:*"]}
    assert kept(policy, [allow_all, deny_test]) == ["a"]
    updates = {"effect": "allow", "actions": ["update*"]}
    assert kept(policy, [updates]) == ["a"]
    not_prod = {"effect": "allow", "notResources": ["proj/*:env/prod:*"]}
    assert kept(policy, [not_prod]) == ["b", "c"]
    assert kept(policy, [{"effect": "deny", "resources": ["*"]}]) == []
    assert kept(policy, [{"effect": "maybe", "resources": ["*"]}]) == []
    assert kept(policy, [{"effect": "allow", "resources": ["a?"]}]) is None
    assert kept(policy, [{"effect": "allow", "resources": ["*"], "notResources": ["x"]}]) is None
    assert kept(policy, {"effect": "allow"}) is None


# -- sorting ----------------------------------------------------------------------------


def test_sort_keys_in_field_syntax() -> None:
    sort = Sort("by", "dir", "field", {"when": "at"}, "at", "desc")
    assert oracle.sort_keys(sort, Drawn()) == [SortKey("at", "at", "desc")]
    asked = Drawn({("query", "by"): "when", ("query", "dir"): "asc"})
    assert oracle.sort_keys(sort, asked) == [SortKey("when", "at", "asc")]
    assert oracle.sort_keys(sort, Drawn({("query", "by"): "n"})) == [SortKey("n", "n", "desc")]
    assert oracle.sort_keys(sort, Drawn({("query", "dir"): "sideways"})) is None
    assert oracle.sort_keys(Sort(), Drawn()) == []  # no order asked, none declared


def test_sort_keys_in_signed_list_syntax() -> None:
    sort = Sort("sort", None, "signed-list", {}, "-at", "desc")
    assert oracle.sort_keys(sort, Drawn()) == [SortKey("at", "at", "desc")]
    asked = Drawn({("query", "sort"): "name,-n"})
    assert oracle.sort_keys(sort, asked) == [
        SortKey("name", "name", "asc"),
        SortKey("n", "n", "desc"),
    ]
    assert oracle.sort_keys(sort, Drawn({("query", "sort"): ""})) == [SortKey("at", "at", "desc")]


@pytest.mark.parametrize(
    ("a", "b", "fmt", "expected"),
    [
        (1, 2, None, -1),
        (2.5, 2, None, 1),
        (3, 3.0, None, 0),
        ("apple", "Banana", None, -1),  # text ignores case
        ("B", "b", None, 0),
        (False, True, None, -1),
        (1, "1", None, None),  # different kinds do not compare
        (True, 1, None, None),
        ({"a": 1}, {"a": 1}, None, None),
        ("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00Z", "iso8601", 0),
        ("2026-01-01T00:00:00Z", "2025-12-31T23:59:59.999Z", "iso8601", 1),
        (1000, 999, "epoch-ms", 1),
        ("1000", 999, "epoch-ms", 1),
        ("never", "2026-01-01", "iso8601", None),
    ],
)
def test_compare_over_mixed_types_and_times(a: Any, b: Any, fmt: str | None, expected: Any) -> None:
    assert compare(a, b, fmt) == expected


def items(*values: Any, field: str = "v") -> list[dict[str, Any]]:
    return [{field: v} if v is not None else {} for v in values]


def test_misordered_finds_the_first_pair_out_of_order() -> None:
    asc, desc = [SortKey("v", "v", "asc")], [SortKey("v", "v", "desc")]
    assert misordered(items(1, 2, 2, 3), asc, NO_TIME) is None
    assert misordered(items(3, 2, 2, 1), desc, NO_TIME) is None
    assert misordered(items(1, 3, 2), asc, NO_TIME) == (1, 2, asc[0])
    assert misordered(items("b", "A", "c"), asc, NO_TIME) == (0, 1, asc[0])
    assert misordered(items("a", "B", "c"), asc, NO_TIME) is None


def test_entries_without_the_field_come_last_in_either_direction() -> None:
    for direction in ("asc", "desc"):
        key = [SortKey("v", "v", direction)]
        assert misordered(items(1, None, None), key, NO_TIME) is None
        assert misordered(items(None, 1), key, NO_TIME) == (0, 1, key[0])
    assert misordered([{"v": None}, {"v": 1}], key, NO_TIME) == (0, 1, key[0])


def test_order_holds_across_values_that_do_not_compare_with_their_neighbours() -> None:
    key = [SortKey("v", "v", "asc")]
    assert misordered(items(1, 2, "a", "b"), key, NO_TIME) is None
    assert misordered(items(2, "a", 1), key, NO_TIME) == (0, 2, key[0])


def test_times_sort_as_instants_whatever_their_writing() -> None:
    key = [SortKey("at", "at", "desc")]
    newest_first = items(
        "2026-01-02T00:00:00Z", "2026-01-02T00:30:00+01:00", "2026-01-01", field="at"
    )
    assert misordered(newest_first, key, ISO) is None
    wrong = items("2026-01-02T00:30:00+01:00", "2026-01-02T00:00:00Z", field="at")
    assert misordered(wrong, key, ISO) == (0, 1, key[0])
    # the same strings on a field that is not the time field compare as text
    assert misordered(wrong, [SortKey("at", "at", "desc")], NO_TIME) is None


def test_later_keys_order_ties_of_earlier_ones() -> None:
    keys = [SortKey("a", "a", "asc"), SortKey("b", "b", "desc")]
    rows = [{"a": 1, "b": 9}, {"a": 1, "b": 3}, {"a": 2, "b": 10}]
    assert misordered(rows, keys, NO_TIME) is None
    rows = [{"a": 1, "b": 3}, {"a": 1, "b": 9}, {"a": 2, "b": 1}]
    assert misordered(rows, keys, NO_TIME) == (0, 1, keys[1])


# -- paging -----------------------------------------------------------------------------


def test_page_size() -> None:
    paging = Paging("offset", None, "offset", "limit", None, 0, 50)
    assert oracle.page_size(paging, Drawn({("query", "limit"): 7})) == 7
    assert oracle.page_size(paging, Drawn()) == 50
    assert oracle.page_size(Paging("offset", size_param="limit"), Drawn()) == 20
    assert oracle.page_size(Paging("offset"), Drawn({("query", "limit"): 7})) == 20
    assert oracle.page_size(paging, Drawn({("query", "limit"): 0})) is None
    assert oracle.page_size(paging, Drawn({("query", "limit"): -3})) is None
    assert oracle.page_size(paging, Drawn({("query", "limit"): True})) is None
