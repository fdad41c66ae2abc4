"""Wire text and back: what the contract sends and how it reads a scalar it receives."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.generation.serialize import NOT_SENT, Drawn, read_text, text


@pytest.mark.parametrize(
    ("raw", "types", "expected"),
    [
        ("5", {"integer"}, 5),
        ("-5", {"integer", "string"}, -5),
        ("5", {"string"}, "5"),
        ("5", set(), "5"),
        ("2.5", {"number"}, 2.5),
        ("2", {"number"}, 2),
        ("2.0", {"number"}, 2.0),
        ("1e3", {"number"}, 1000.0),
        ("true", {"boolean"}, True),
        ("True", {"boolean"}, "True"),
        ("null", {"null", "integer"}, None),
        ("", {"null", "string"}, ""),
        ("x", {"integer"}, "x"),
    ],
)
def test_read_text_reads_the_first_type_that_fits(raw: str, types: set[str], expected: Any) -> None:
    value = read_text(raw, frozenset(types))
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("value", [5, -2, 2.5, True, False, "x y"])
def test_read_text_inverts_text(value: Any) -> None:
    types = frozenset({"integer", "number", "boolean", "string"})
    assert read_text(text(value), types) == value


def test_drawn_values_by_name_and_location() -> None:
    drawn = Drawn({("query", "q"): "a", ("header", "X-Org"): "o", ("path", "id"): 7}, [1])
    assert drawn.param("q") == "a"
    assert drawn.param("x-org") == "o"
    assert drawn.param("id", "path") == 7
    assert drawn.param("id", "query") is NOT_SENT
    assert drawn.body_at("") == [1]
    assert drawn.body_at("/0") == 1
    assert drawn.body_at("/5") is NOT_SENT
    assert Drawn().body_at("") is NOT_SENT
