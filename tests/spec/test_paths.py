"""Path templates: their variables, and the values a request path gives them."""

from __future__ import annotations

import pytest

from mockserver.spec.paths import (
    key_conditions,
    last_variable,
    sent_path,
    template_pattern,
    template_variables,
)


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("/things", ()),
        ("/things/{id}", ("id",)),
        ("/things/{thing-id}/parts/{part}", ("thing-id", "part")),
        ("/files/{name}.{ext}", ("name", "ext")),
        ("/v1/{org.id}/{user_id}", ("org.id", "user_id")),
    ],
)
def test_template_variables_in_order(template: str, names: tuple[str, ...]) -> None:
    assert template_variables(template) == names


def _capture(template: str, path: str) -> tuple[str, ...] | None:
    found = template_pattern(template).fullmatch(path)
    return found.groups() if found else None


def test_fullmatch_captures_each_variable() -> None:
    assert _capture("/things/{id}/parts/{part}", "/things/abc/parts/7") == ("abc", "7")


def test_a_template_without_variables_matches_only_itself() -> None:
    assert _capture("/things", "/things") == ()
    assert _capture("/things", "/things/1") is None
    assert _capture("/things", "/thing") is None


@pytest.mark.parametrize(
    "value",
    [
        "a\nb",
        "line\n",
        "\r\n",
        "tab\there",
        "nul\x00byte",
        "bell\x07",
        "100%",
        "a%2Fb",
        "%0A",
        "space here",
        "semi;colon=1",
        ".dot",
        "ünïcödé",
    ],
)
def test_any_character_but_slash_is_a_value(value: str) -> None:
    assert _capture("/things/{id}/parts", f"/things/{value}/parts") == (value,)


@pytest.mark.parametrize(
    "path",
    [
        "/things/a/b",  # a value never spans a /
        "/things/",  # a value is never empty
        "/things/a/",  # no trailing slash
        "/things",
        "/other/a",
        "/things/a\n/b",
        "x/things/a",  # the whole path, not a search
    ],
)
def test_no_match(path: str) -> None:
    assert _capture("/things/{id}", path) is None


def test_the_literal_parts_are_not_patterns() -> None:
    assert _capture("/v1.0/{id}", "/v1.0/a") == ("a",)
    assert _capture("/v1.0/{id}", "/v1x0/a") is None
    assert _capture("/a+b/(x)/{id}", "/a+b/(x)/1") == ("1",)
    assert _capture("/a+b/{id}", "/aab/1") is None


def test_two_variables_in_one_segment() -> None:
    assert _capture("/files/{name}.{ext}", "/files/report.pdf") == ("report", "pdf")


@pytest.mark.parametrize(
    ("template", "last"),
    [
        ("/things/{id}", "id"),
        ("/things/{a}/parts/{b}", "b"),
        ("/things/{id}/parts", None),
        ("/things", None),
        ("/files/{name}.json", None),
        ("/files/{name}.{ext}", "ext"),
        ("/{thing-id}", "thing-id"),
    ],
)
def test_last_variable(template: str, last: str | None) -> None:
    assert last_variable(template) == last


@pytest.mark.parametrize(
    ("key", "path", "conditions"),
    [
        ("/pets/{id}", "/pets/{id}", ()),
        ("/{Bucket}#tagging", "/{Bucket}", ("tagging",)),
        ("/{Bucket}#intelligent-tiering&id", "/{Bucket}", ("intelligent-tiering", "id")),
        ("/#X-Amz-Target=Svc.Create", "/", ("X-Amz-Target=Svc.Create",)),
        ("/rest?method=flickr.x", "/rest", ("method=flickr.x",)),
        ("/export?filename={filename}", "/export", ("filename",)),
        ("/services?funcs=News&mobile=1", "/services", ("funcs=News", "mobile=1")),
    ],
)
def test_a_path_key_is_a_sent_path_and_the_conditions_that_tell_it_apart(
    key: str, path: str, conditions: tuple[str, ...]
) -> None:
    assert (sent_path(key), key_conditions(key)) == (path, conditions)
