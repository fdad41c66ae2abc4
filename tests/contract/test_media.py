"""The contract's own media-type comparison."""

from __future__ import annotations

import pytest

from mockserver.contract.media import media_matches, media_type_of


def test_media_type_of_drops_parameters_and_case() -> None:
    assert media_type_of("Application/JSON; charset=utf-8") == "application/json"
    assert media_type_of("") == ""


@pytest.mark.parametrize(
    ("declared", "actual", "expected"),
    [
        ("application/json", "application/json", True),
        ("application/*", "application/problem+json", True),
        ("*/*", "text/csv", True),
        ("application/json; charset=utf-8", "application/json", True),
        ("text/csv", "application/json", False),
        ("application/json", "application/problem+json", False),
        ("application/json", "", False),
    ],
)
def test_media_matches_declared_ranges(declared: str, actual: str, expected: bool) -> None:
    assert media_matches(declared, actual) is expected
