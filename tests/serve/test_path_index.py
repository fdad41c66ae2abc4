"""The segment tree finds exactly the shapes a whole-path pattern would, in the order
given, with the same values, and compiles nothing until a mixed segment is reached."""

from __future__ import annotations

import re

import pytest

from mockserver.serve import path_index
from mockserver.serve.path_index import PathIndex
from mockserver.spec.paths import ENCODED_SLASH

SHAPES = [
    "/things/export",
    "/things/{}.json",
    "/things/{}",
    "/things/{}/parts/{}",
    "/things/{}/parts/{}-{}",
    "/{}/parts/{}",
    "/{}",
    "/things/",
    "/a/{}/",
]
PATHS = [
    "/things/export",
    "/things/a.json",
    "/things/a",
    "/things/",
    "/things",
    "/things/a/parts/b",
    "/things/a/parts/b-c",
    "/things/a/parts/",
    "/other/parts/x",
    "/a/b/",
    "/a//",
    "/things/a%2Fb".replace("%2F", ENCODED_SLASH),
    "/things/line\nbreak",
    "",
    "/",
]


def _expected(path: str) -> list[tuple[str, tuple[str, ...]]]:
    """What matching each shape's whole-path pattern in turn finds (written here)."""
    found = []
    for shape in SHAPES:
        regex = "([^/]+)".join(re.escape(part) for part in shape.split("{}"))
        hit = re.fullmatch(regex, path, re.DOTALL)
        if hit:
            found.append((shape, tuple(v.replace(ENCODED_SLASH, "/") for v in hit.groups())))
    return found


@pytest.mark.parametrize("path", PATHS)
def test_the_tree_finds_what_whole_path_patterns_find(path: str) -> None:
    index = PathIndex([(shape, shape) for shape in SHAPES])
    assert index.matches(path) == _expected(path)


def test_an_encoded_slash_stays_in_its_value() -> None:
    index = PathIndex([("/things/{}", "thing")])
    assert index.matches(f"/things/a{ENCODED_SLASH}b") == [("thing", ("a/b",))]


def test_building_compiles_no_pattern() -> None:
    before = path_index._segment_pattern.cache_info().currsize
    shapes = [(f"/r{n}/{{}}/{{}}.v{n}", n) for n in range(500)]
    index = PathIndex(shapes)
    assert path_index._segment_pattern.cache_info().currsize == before
    assert index.matches("/r7/x/y.v7") == [(7, ("x", "y"))]
    # one request compiles the mixed segment it reached, not the 499 others
    assert path_index._segment_pattern.cache_info().currsize <= before + 1


def test_an_empty_segment_takes_a_bare_variable_only_when_asked() -> None:
    index = PathIndex([("/things/{}/parts", "parts"), ("/things/{}.json", "json")])
    assert index.matches("/things//parts") == []
    assert index.matches("/things//parts", empty_variables=True) == [("parts", ("",))]
    assert index.matches("/things/.json", empty_variables=True) == []  # a mixed segment never
