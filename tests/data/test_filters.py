"""Each filter operator keeps exactly the records fixtures/README.md says it keeps."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mockserver.data.declaration import Dataset, Filter, TimeField
from mockserver.data.filters import FilterValueError, filter_value, record_matcher
from mockserver.data.records import epoch_ms
from mockserver.spec.sentinel import NOT_SENT


class Request:
    """A checked request as filters read it: typed parameter values and a parsed body."""

    def __init__(self, values: dict[str, Any] | None = None, body: Any = NOT_SENT) -> None:
        self.values = values or {}
        self.body = body

    def value(self, name: str, location: str | None = None) -> Any:
        return self.values.get(name, NOT_SENT)


CREATED_AT = TimeField("createdAt", "iso8601")


def _dataset(time: TimeField | None = CREATED_AT) -> Dataset:
    return Dataset("things", Path("things.json"), "id", time, None, "/datasets/things")


def _filter(
    op: str,
    field: str | None = None,
    *,
    fields: Any = None,
    param: str | None = "v",
    body: str | None = None,
    combine_param: str | None = None,
    combine_body: str | None = None,
    case_sensitive: bool = False,
) -> Filter:
    return Filter(op, param, body, field, fields, combine_param, combine_body, case_sensitive)


def _kept(
    flt: Filter,
    value: Any,
    records: list[dict[str, Any]],
    request: Request | None = None,
    dataset: Dataset | None = None,
) -> list[Any]:
    """The ids of the records ``flt`` keeps for ``value``."""
    match = record_matcher(flt, value, dataset or _dataset(), request or Request())
    assert match is not None
    return [r["id"] for r in records if match(r)]


def _ms(year: int, month: int, day: int) -> int:
    """Midnight UTC of a day, in epoch ms, computed without the code under test."""
    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


NUMBERS = [{"id": n, "n": n} for n in (1, 2, 3)]


def test_eq_keeps_equal_values() -> None:
    records: list[dict[str, Any]] = [
        {"id": 1, "kind": "flag"},
        {"id": 2, "kind": "role"},
        {"id": 3},
    ]
    assert _kept(_filter("eq", "kind"), "flag", records) == [1]


def test_eq_compares_as_text_when_types_differ() -> None:
    records = [{"id": 1, "code": 200}, {"id": 2, "code": 404}, {"id": 3, "code": True}]
    assert _kept(_filter("eq", "code"), "200", records) == [1]
    assert _kept(_filter("eq", "code"), "True", records) == [3]


def test_in_keeps_any_listed_value() -> None:
    records = [{"id": i, "member": {"_id": m}} for i, m in enumerate(("a", "b", "c"))]
    assert _kept(_filter("in", "member._id"), ["a", "c"], records) == [0, 2]


def test_in_with_one_value_is_eq() -> None:
    records = [{"id": i, "member": {"_id": m}} for i, m in enumerate(("a", "b"))]
    assert _kept(_filter("in", "member._id"), "b", records) == [1]


@pytest.mark.parametrize(
    ("op", "kept"), [("lt", [1]), ("lte", [1, 2]), ("gt", [3]), ("gte", [2, 3])]
)
def test_comparisons_on_plain_fields(op: str, kept: list[int]) -> None:
    assert _kept(_filter(op, "n"), 2, NUMBERS) == kept


def test_comparisons_on_text_fields() -> None:
    records = [{"id": i, "name": s} for i, s in enumerate(("apple", "banana", "cherry"))]
    assert _kept(_filter("gte", "name"), "banana", records) == [1, 2]


def test_a_record_without_the_field_fails_a_comparison() -> None:
    assert _kept(_filter("gt", "n"), 0, [{"id": 1}, {"id": 2, "n": 5}]) == [2]


DAYS = [
    {"id": 1, "createdAt": "2026-01-01T00:00:00Z"},
    {"id": 2, "createdAt": "2026-01-02T00:00:00Z"},
    {"id": 3, "createdAt": "2026-01-03T00:00:00+00:00"},
]
JAN_2 = _ms(2026, 1, 2)


@pytest.mark.parametrize(
    ("op", "kept"), [("lt", [1]), ("lte", [1, 2]), ("gt", [3]), ("gte", [2, 3]), ("eq", [2])]
)
@pytest.mark.parametrize(
    "bound",
    ["2026-01-02T00:00:00Z", "2026-01-02T01:00:00+01:00", JAN_2, str(JAN_2)],
    ids=["iso-z", "iso-offset", "epoch-ms", "epoch-ms-text"],
)
def test_time_field_comparisons_read_both_sides_as_instants(
    op: str, kept: list[int], bound: Any
) -> None:
    assert _kept(_filter(op, "createdAt"), bound, DAYS) == kept


def test_time_field_compares_instants_not_text() -> None:
    # 2026-01-02T05:00+09:00 is 2026-01-01T20:00Z: earlier than the bound, though its
    # text sorts after it.
    records = [{"id": 1, "createdAt": "2026-01-02T05:00:00+09:00"}]
    assert _kept(_filter("gte", "createdAt"), "2026-01-01T21:00:00Z", records) == []
    assert _kept(_filter("lt", "createdAt"), "2026-01-01T21:00:00Z", records) == [1]


def test_time_field_in_epoch_ms_records() -> None:
    records = [{"id": i, "date": _ms(2026, 1, d)} for i, d in enumerate((1, 2, 3))]
    dataset = _dataset(TimeField("date", "epoch-ms"))
    flt = _filter("gte", "date")
    assert _kept(flt, "2026-01-02T00:00:00Z", records, dataset=dataset) == [1, 2]
    assert _kept(flt, JAN_2, records, dataset=dataset) == [1, 2]


def test_time_field_in_epoch_s_records() -> None:
    records = [{"id": i, "ts": _ms(2026, 1, d) // 1000} for i, d in enumerate((1, 2, 3))]
    dataset = _dataset(TimeField("ts", "epoch-s"))
    assert _kept(_filter("lt", "ts"), "2026-01-02T00:00:00Z", records, dataset=dataset) == [0]
    assert _kept(_filter("lt", "ts"), JAN_2, records, dataset=dataset) == [0]


def test_search_ignores_case_across_its_fields() -> None:
    records = [
        {"id": 1, "name": "Fluffy", "tag": "cat"},
        {"id": 2, "name": "Rex", "tag": "FLUFFY dog"},
        {"id": 3, "name": "Tom", "tag": "cat"},
    ]
    assert _kept(_filter("search", fields=["name", "tag"]), "fluff", records) == [1, 2]


def test_search_finds_a_substring_in_list_fields() -> None:
    records = [{"id": 1, "tags": ["alpha", "Beta"]}, {"id": 2, "tags": ["gamma"]}]
    assert _kept(_filter("search", fields=["tags"]), "bet", records) == [1]


def test_contains_with_one_field() -> None:
    records = [{"id": 1, "email": "Alice@Example.com"}, {"id": 2, "email": "bob@example.com"}]
    assert _kept(_filter("contains", "email"), "ALICE", records) == [1]


@pytest.mark.parametrize("op", ["search", "contains"])
def test_case_sensitive_search(op: str) -> None:
    records = [{"id": 1, "name": "Fluffy"}, {"id": 2, "name": "fluffy"}]
    flt = _filter(op, "name", case_sensitive=True)
    assert _kept(flt, "Fluff", records) == [1]
    assert _kept(flt, "FLUFF", records) == []


RESOURCES = [
    {"id": 1, "target": {"resources": ["proj/default:env/production:flag/a;beta,ui"]}},
    {"id": 2, "target": {"resources": ["proj/default:env/test:flag/b;beta"]}},
    {"id": 3, "target": {"resources": ["proj/mobile:env/production:flag/c"]}},
    {"id": 4, "target": {"resources": ["proj/mobile", "proj/default:env/test:flag/d;ui"]}},
]


@pytest.mark.parametrize(
    ("pattern", "kept"),
    [
        ("proj/default:*", [1, 2, 4]),
        ("proj/*:env/production:*", [1, 3]),
        ("proj/mobile", [4]),
        ("*", [1, 2, 3, 4]),
        ("proj/default:env/production:flag/a", [1]),
        ("proj/other:*", []),
    ],
)
def test_glob_star_is_a_wildcard(pattern: str, kept: list[int]) -> None:
    assert _kept(_filter("glob", "target.resources"), pattern, RESOURCES) == kept


@pytest.mark.parametrize(
    ("pattern", "kept"),
    [
        ("proj/*;beta", [1, 2]),
        ("proj/*;beta,ui", [1]),
        ("proj/*;ui", [1, 4]),
        ("proj/*:env/test:*;beta", [2]),
        ("proj/*;missing", []),
    ],
)
def test_glob_tags_require_every_tag_named(pattern: str, kept: list[int]) -> None:
    assert _kept(_filter("glob", "target.resources"), pattern, RESOURCES) == kept


def test_glob_with_several_patterns_keeps_any_match() -> None:
    flt = _filter("glob", "target.resources")
    assert _kept(flt, ["proj/mobile:*", "proj/*:env/test:*;beta"], RESOURCES) == [2, 3]


def test_glob_is_case_sensitive() -> None:
    assert _kept(_filter("glob", "target.resources"), "PROJ/*", RESOURCES) == []


def test_glob_has_no_wildcard_but_star() -> None:
    # The README documents `*` wildcards only: `?` and `[...]` are literal characters.
    records = [{"id": 1, "name": "flag/a"}, {"id": 2, "name": "flag/?"}, {"id": 3, "name": "[ab]"}]
    assert _kept(_filter("glob", "name"), "flag/?", records) == [2]
    assert _kept(_filter("glob", "name"), "[ab]", records) == [3]


AUDIT = [
    {"id": 1, "actorId": "u1", "actorType": "User", "actorName": "Ann", "status": 200},
    {"id": 2, "actorId": "u2", "actorType": "Device", "actorName": "Bot", "status": 404},
    {"id": 3, "actorId": "u1", "actorType": "Device", "actorName": "Ann", "status": 200},
]
OBJECT_MATCH = _filter(
    "object-match",
    fields={
        "actor": {"id": "actorId", "type": "actorType", "name": "actorName"},
        "responseCode": "status",
    },
)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ({"actor": [{"id": "u1", "type": "User"}]}, [1]),
        ({"actor": [{"id": "u1"}]}, [1, 3]),
        ({"actor": [{"id": "u1", "type": "User"}, {"id": "u2"}]}, [1, 2]),
        ({"responseCode": [404]}, [2]),
        ({"responseCode": ["200"]}, [1, 3]),
        ({"responseCode": [200, 404]}, [1, 2, 3]),
        ({"actor": [{"id": "u1"}], "responseCode": [404]}, []),
        ({"actor": [{"type": "Device"}], "responseCode": [200]}, [3]),
        ({"actor": [], "responseCode": [200]}, [1, 3]),
        ({"unknown": [{"x": 1}]}, [1, 2, 3]),
    ],
)
def test_object_match(value: dict[str, Any], kept: list[int]) -> None:
    assert _kept(OBJECT_MATCH, value, AUDIT) == kept


def test_object_match_ignores_a_value_that_is_not_an_object() -> None:
    assert record_matcher(OBJECT_MATCH, "actor", _dataset(), Request()) is None


EVENTS = [
    {"id": 1, "actor_email": "alice@example.com", "action_key": "user.create"},
    {"id": 2, "actor_email": "bob@example.com", "action_key": "user.delete"},
    {"id": 3, "actor_email": "carol@example.com", "action_key": "org.delete"},
]
COLUMNS = ["actor_email", "action_key"]


def _columns(**kwargs: Any) -> Filter:
    return _filter("column-values", fields=COLUMNS, param="q", **kwargs)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (["actor_email:alice"], [1]),
        (["actor_email:ALICE"], [1]),
        ("actor_email:bob", [2]),
        (["actor_email:alice,carol"], [1, 3]),
        (["actor_email:alice", "action_key:delete"], [1, 2, 3]),
        (["action_key:user.", "action_key:org."], [1, 2, 3]),
    ],
)
def test_column_values_combine_with_or_by_default(value: Any, kept: list[int]) -> None:
    assert _kept(_columns(), value, EVENTS) == kept


@pytest.mark.parametrize("combine", ["and", "AND"])
def test_column_values_combine_with_and_from_a_parameter(combine: str) -> None:
    flt = _columns(combine_param="op")
    value = ["action_key:delete", "actor_email:bob,carol,alice"]
    assert _kept(flt, value, EVENTS, Request({"op": combine})) == [2, 3]
    assert (
        _kept(flt, ["action_key:user", "actor_email:carol"], EVENTS, Request({"op": combine})) == []
    )


def test_column_values_combine_with_or_from_a_parameter() -> None:
    flt = _columns(combine_param="op")
    value = ["action_key:org", "actor_email:alice"]
    assert _kept(flt, value, EVENTS, Request({"op": "or"})) == [1, 3]


def test_column_values_combine_from_the_body() -> None:
    flt = _filter("column-values", fields=COLUMNS, param=None, body="/q", combine_body="/op")
    value = ["action_key:delete", "actor_email:bob"]
    assert _kept(flt, value, EVENTS, Request(body={"op": "and", "q": value})) == [2]
    assert _kept(flt, value, EVENTS, Request(body={"q": value})) == [2, 3]


@pytest.mark.parametrize("entry", ["alice", ":alice", "unknown_column:alice", "actor_email"])
def test_column_values_reject_a_malformed_entry(entry: str) -> None:
    with pytest.raises(FilterValueError) as raised:
        record_matcher(_columns(), ["action_key:user", entry], _dataset(), Request())
    assert (raised.value.location, raised.value.name) == ("query", "q")
    assert entry in raised.value.message


def test_column_values_reject_a_malformed_body_entry_as_a_body_error() -> None:
    flt = _filter("column-values", fields=COLUMNS, param=None, body="/q")
    with pytest.raises(FilterValueError) as raised:
        record_matcher(flt, ["nope"], _dataset(), Request())
    assert raised.value.location == "body"


def test_column_values_without_entries_filter_nothing() -> None:
    assert record_matcher(_columns(), [], _dataset(), Request()) is None


ENTRIES = [
    {
        "id": 1,
        "target": {"resources": ["proj/default:env/production:flag/a;beta"]},
        "accesses": [{"action": "updateOn"}, {"action": "updateRules"}],
    },
    {
        "id": 2,
        "target": {"resources": ["proj/default:env/test:flag/b"]},
        "accesses": [{"action": "createFlag"}],
    },
    {
        "id": 3,
        "target": {"resources": ["proj/mobile:env/production:flag/c"]},
        "accesses": [{"action": "deleteFlag"}],
    },
]
STATEMENTS = _filter(
    "statements",
    param=None,
    body="/statements",
    fields={"resources": "target.resources", "actions": "accesses.action"},
)


def _allow(**rule: Any) -> dict[str, Any]:
    return {"effect": "allow", **rule}


def _deny(**rule: Any) -> dict[str, Any]:
    return {"effect": "deny", **rule}


@pytest.mark.parametrize(
    ("statements", "kept"),
    [
        ([_allow(resources=["proj/default:*"], actions=["*"])], [1, 2]),
        ([_allow(resources=["proj/*"], actions=["updateOn"])], [1]),
        ([_allow(resources=["proj/*"], actions=["update*"])], [1]),
        ([_allow(resources=["proj/*;beta"], actions=["*"])], [1]),
        (
            [
                _allow(resources=["proj/*"], actions=["*"]),
                _deny(resources=["*:env/test:*"], actions=["*"]),
            ],
            [1, 3],
        ),
        (
            [
                _allow(resources=["proj/*"], actions=["*"]),
                _deny(resources=["proj/*"], actions=["deleteFlag"]),
            ],
            [1, 2],
        ),
        ([_allow(notResources=["proj/mobile:*"], actions=["*"])], [1, 2]),
        ([_allow(resources=["proj/*"], notActions=["deleteFlag", "createFlag"])], [1]),
        ([_allow(notResources=["proj/default:*"], notActions=["createFlag"])], [3]),
        ([_deny(resources=["proj/*"], actions=["*"])], []),
        ([_allow(resources=["proj/other:*"], actions=["*"])], []),
        (
            [
                _allow(resources=["proj/default:*"], actions=["*"]),
                _allow(resources=["proj/mobile:*"], actions=["*"]),
            ],
            [1, 2, 3],
        ),
    ],
)
def test_statements_allow_unless_denied(statements: list[dict[str, Any]], kept: list[int]) -> None:
    assert _kept(STATEMENTS, statements, ENTRIES) == kept


def test_statements_deny_wins_over_allow_on_the_same_record() -> None:
    statements = [
        _deny(resources=["*"], actions=["updateRules"]),
        _allow(resources=["*"], actions=["*"]),
    ]
    assert _kept(STATEMENTS, statements, ENTRIES) == [2, 3]


def test_no_statements_filter_nothing() -> None:
    assert record_matcher(STATEMENTS, [], _dataset(), Request()) is None


NESTED = [
    {"id": 1, "accesses": [{"action": "read"}, {"action": "write"}]},
    {"id": 2, "accesses": [{"action": "read"}]},
    {"id": 3, "accesses": []},
    {"id": 4, "groups": [{"members": [{"name": "ann"}, {"name": "bob"}]}, {"members": []}]},
    {"id": 5, "groups": [{"members": [{"name": "cy"}]}, {"members": [{"name": "bob"}]}]},
    {"id": 6, "tags": ["x", "y"]},
]


def test_dotted_paths_flatten_lists_along_the_way() -> None:
    assert _kept(_filter("eq", "accesses.action"), "write", NESTED) == [1]
    assert _kept(_filter("eq", "accesses.action"), "read", NESTED) == [1, 2]


def test_dotted_paths_flatten_lists_at_every_level() -> None:
    assert _kept(_filter("eq", "groups.members.name"), "bob", NESTED) == [4, 5]
    assert _kept(_filter("in", "groups.members.name"), ["cy", "ann"], NESTED) == [4, 5]


def test_a_list_field_matches_any_of_its_items() -> None:
    assert _kept(_filter("eq", "tags"), "y", NESTED) == [6]


def test_filter_value_from_a_parameter() -> None:
    request = Request({"since": "2026-01-01T00:00:00Z", "limit": 5})
    assert filter_value(_filter("gte", "createdAt", param="since"), request) == (
        "2026-01-01T00:00:00Z"
    )
    assert filter_value(_filter("eq", "kind", param="kind"), request) is NOT_SENT


def test_filter_value_from_a_body_pointer() -> None:
    statements = [_allow(resources=["*"], actions=["*"])]
    body = {"statements": statements, "filter": {"kinds": ["flag", "role"]}, "a/b": 1}
    request = Request(body=body)
    assert filter_value(STATEMENTS, request) == statements
    assert (
        filter_value(_filter("in", "kind", param=None, body="/filter/kinds/1"), request) == "role"
    )
    assert filter_value(_filter("eq", "x", param=None, body="/a~1b"), request) == 1
    assert filter_value(_filter("eq", "x", param=None, body=""), request) == body


@pytest.mark.parametrize("body", [{"other": 1}, {"statements": None}, [], None, "text", NOT_SENT])
def test_filter_value_from_a_body_without_it_is_missing(body: Any) -> None:
    pointer = "/statements/0" if body == {"statements": None} else "/statements"
    flt = _filter("statements", param=None, body=pointer)
    assert filter_value(flt, Request(body=body)) is NOT_SENT


def test_iso_times_are_read_to_the_exact_millisecond() -> None:
    # a float timestamp would read .187 s as 186 ms for this instant
    assert (
        epoch_ms("2038-10-10T00:38:37.187Z")
        == calendar.timegm((2038, 10, 10, 0, 38, 37)) * 1000 + 187
    )
