"""The ``set:`` templates give the values fixtures/README.md lists, and omit unknown ones."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.data.templates import OMIT, Facts, apply, evaluate, put
from mockserver.spec.sentinel import NOT_SENT


class Request:
    """A checked request as templates read it: typed values by location and name."""

    def __init__(self, **locations: dict[str, Any]) -> None:
        self.locations = locations
        self.body = NOT_SENT

    def value(self, name: str, location: str | None = None) -> Any:
        places = [location] if location else list(self.locations)
        for place in places:
            if name in self.locations.get(place or "", {}):
                return self.locations[place or ""][name]
        return NOT_SENT


REQUEST = Request(
    query={"limit": 5, "q": "x"},
    path={"orgId": "org-1"},
    header={"X-Org-Name": "acme"},
)
PAGE = {
    "count": 2,
    "total": 7,
    "number": 0,
    "size": 2,
    "offset": 0,
    "from": 1,
    "to": 2,
    "next": "/things?offset=2&limit=2",
    "self": "/things?offset=0&limit=2",
}
JOB = {"id": "job-1", "status": "completed", "progress": 100, "count": 7, "org_id": "acme"}
COUNT = {"total": 7, "interval": 3_600_000}
FACTS = Facts(REQUEST, page=PAGE, sort=("created", "asc"), job=JOB, count=COUNT)


@pytest.mark.parametrize("literal", [5, 0, 1.5, True, None, "plain", "", "a $ inside", [1, 2]])
def test_literals_are_themselves(literal: Any) -> None:
    assert evaluate(literal, FACTS) == literal


@pytest.mark.parametrize(
    ("template", "value"), [("$$", "$"), ("$$5", "$5"), ("$$page.total", "$page.total")]
)
def test_double_dollar_escapes_a_literal_dollar(template: str, value: str) -> None:
    assert evaluate(template, FACTS) == value


@pytest.mark.parametrize("name", sorted(PAGE))
def test_page_facts(name: str) -> None:
    assert evaluate(f"$page.{name}", FACTS) == PAGE[name]


def test_a_zero_page_fact_is_a_value_not_absent() -> None:
    assert evaluate("$page.offset", FACTS) == 0


def test_the_next_link_is_absent_on_the_last_page() -> None:
    last = Facts(REQUEST, page={**PAGE, "next": None})
    assert evaluate("$page.next", last) is OMIT
    assert evaluate("$page.next", Facts(REQUEST)) is OMIT


def test_sort_facts() -> None:
    assert evaluate("$sort.field", FACTS) == "created"
    assert evaluate("$sort.direction", FACTS) == "asc"


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("$request.query.limit", 5),
        ("$request.path.orgId", "org-1"),
        ("$request.header.X-Org-Name", "acme"),
    ],
)
def test_request_values_by_location(template: str, value: Any) -> None:
    assert evaluate(template, FACTS) == value


@pytest.mark.parametrize(
    "template", ["$request.query.offset", "$request.header.limit", "$request.path.q"]
)
def test_a_request_value_missing_from_its_location_is_omitted(template: str) -> None:
    assert evaluate(template, FACTS) is OMIT


@pytest.mark.parametrize("name", sorted(JOB))
def test_job_facts(name: str) -> None:
    assert evaluate(f"$job.{name}", FACTS) == JOB[name]


def test_count_facts() -> None:
    assert evaluate("$count.total", FACTS) == 7
    assert evaluate("$count.interval", FACTS) == 3_600_000


@pytest.mark.parametrize("template", ["$job.download_url", "$count.buckets", "$nothing.here"])
def test_unknown_facts_are_omitted(template: str) -> None:
    assert evaluate(template, FACTS) is OMIT


def test_an_object_template_evaluates_each_value() -> None:
    template = {"href": "$page.next", "type": "application/json", "cost": "$$1"}
    assert evaluate(template, FACTS) == {
        "href": PAGE["next"],
        "type": "application/json",
        "cost": "$1",
    }


def test_an_object_with_one_unknown_value_is_omitted_whole() -> None:
    template = {"href": "$page.next", "type": "application/json"}
    assert evaluate(template, Facts(REQUEST, page={**PAGE, "next": None})) is OMIT


def test_an_unknown_value_deep_inside_omits_the_outermost_object() -> None:
    template = {"links": {"next": {"href": "$request.query.cursor"}}, "total": "$page.total"}
    assert evaluate(template, FACTS) is OMIT


def test_apply_writes_each_pointer_and_leaves_unknown_ones_absent() -> None:
    settings = {
        "/total": "$page.total",
        "/_links/self/href": "$page.self",
        "/_links/next": {"href": "$page.next", "type": "application/json"},
        "/cursor": "$request.query.cursor",
    }
    last = Facts(REQUEST, page={**PAGE, "next": None})
    body: dict[str, Any] = {"items": [1, 2]}
    result = apply(settings, body, last)
    assert result is body
    assert result == {"items": [1, 2], "total": 7, "_links": {"self": {"href": PAGE["self"]}}}


def test_put_creates_objects_along_the_way_and_keeps_siblings() -> None:
    body: dict[str, Any] = {"meta": {"kept": True}}
    put(body, "/meta/paging/total", 3)
    put(body, "/top", "x")
    assert body == {"meta": {"kept": True, "paging": {"total": 3}}, "top": "x"}


def test_put_replaces_an_existing_value() -> None:
    body: dict[str, Any] = {"total": 0}
    put(body, "/total", 9)
    assert body == {"total": 9}


def test_put_unescapes_pointer_tokens() -> None:
    body: dict[str, Any] = {}
    put(body, "/a~1b/c~0d", 1)
    assert body == {"a/b": {"c~d": 1}}
