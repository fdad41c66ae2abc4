"""Request checks read ``pattern`` as ECMA-262, never stall on one, and say when they cannot
judge one (see ``mockserver.spec.patterns``). Each test runs over a real app; time bounds
are "the next request is answered", never a clock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client, MakeClient, WriteDoc, minimal_doc


def _doc(pattern: str) -> dict[str, Any]:
    operation = {
        "operationId": "find",
        "parameters": [
            {
                "name": "name",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "pattern": pattern},
            }
        ],
        "responses": {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"type": "string"}}},
            },
            "422": {"description": "refused"},
        },
    }
    return minimal_doc("3.1.0", **{"/q": {"get": operation}})


@pytest.fixture
def served(make_client: MakeClient, write_doc: WriteDoc) -> Any:
    def serve(pattern: str) -> Client:
        return make_client(write_doc(_doc(pattern)))

    return serve


def test_a_catastrophic_pattern_refuses_the_value_naming_the_pattern(served: Any) -> None:
    client = served("^(a|a)+$")
    response = client.get("/q", params={"name": "a" * 30 + "!"})
    assert response.status_code == 422  # the operation's declared 4xx
    assert "'^(a|a)+$'" in response.text and "too slow to evaluate" in response.text
    assert client.get("/q", params={"name": "aaaa"}).status_code == 200  # the next is answered


def test_a_dash_after_a_class_escape_is_literal_as_in_ecma_262(served: Any) -> None:
    client = served(r"^[\w-.]+$")
    assert client.get("/q", params={"name": "a-b.c_9"}).status_code == 200
    assert client.get("/q", params={"name": "a b"}).status_code == 422


@pytest.mark.parametrize(
    ("pattern", "accepted", "refused"),
    [
        (r"^\d+$", "123", "\u0663"),  # ECMA's \d is ASCII
        ("^a$", "a", "a\n"),  # ECMA's $ does not match before a final newline
        (r"^\p{Lu}x$", "Ax", "ax"),  # property escapes
        (r"^[^]$", "\n", "ab"),  # [^] is any character
    ],
)
def test_ecma_262_meaning(served: Any, pattern: str, accepted: str, refused: str) -> None:
    client = served(pattern)
    assert client.get("/q", params={"name": accepted}).status_code == 200
    assert client.get("/q", params={"name": refused}).status_code == 422


def test_an_unreadable_pattern_accepts_anything_with_a_warning(served: Any) -> None:
    client = served("(?P<x>a)")  # Python's syntax, not ECMA-262's
    response = client.get("/q", params={"name": "zzz"})
    assert response.status_code == 200
    warning = response.headers["Warning"]
    assert "(?P<x>a)" in warning and "any value is accepted" in warning


def test_a_readable_pattern_carries_no_warning(served: Any) -> None:
    response = served("^a+$").get("/q", params={"name": "aa"})
    assert response.status_code == 200 and "Warning" not in response.headers
