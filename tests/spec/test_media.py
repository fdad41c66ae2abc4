"""Media types: reading a Content-Type, matching ranges, and Accept negotiation.

Accept semantics follow RFC 9110 section 12.5.1: a weight of 0 means "not acceptable",
the most specific matching range decides a type's weight, and the weight parameter's
name is case-insensitive.
"""

from __future__ import annotations

import pytest

from mockserver.spec.media import acceptable, concrete, media_matches, media_type_of

JSON = "application/json"
XML = "application/xml"
CSV = "text/csv"


@pytest.mark.parametrize(
    ("header", "media"),
    [
        ("application/json", JSON),
        ("application/json; charset=utf-8", JSON),
        ("application/json;charset=utf-8;foo=bar", JSON),
        ("Application/JSON", JSON),
        ("  text/csv  ", CSV),
        ("application/problem+json", "application/problem+json"),
        ("", ""),
    ],
)
def test_media_type_of(header: str, media: str) -> None:
    assert media_type_of(header) == media


@pytest.mark.parametrize(
    ("pattern", "media", "matches"),
    [
        (JSON, JSON, True),
        ("*/*", JSON, True),
        ("*/*", CSV, True),
        ("application/*", JSON, True),
        ("application/*", CSV, False),
        ("text/*", CSV, True),
        (JSON, XML, False),
        (JSON, "application/problem+json", False),
        ("APPLICATION/Json", "application/JSON", True),
        (JSON, "application/*", False),
    ],
)
def test_media_matches(pattern: str, media: str, matches: bool) -> None:
    assert media_matches(pattern, media) is matches


@pytest.mark.parametrize("accept", ["", "   "])
def test_no_accept_allows_the_first_produced_type(accept: str) -> None:
    assert acceptable(accept, (JSON, XML)) == JSON


def test_nothing_produced_is_never_unacceptable() -> None:
    # An answer without a body cannot be refused for its media type.
    assert acceptable(CSV, ()) is not None


@pytest.mark.parametrize(
    ("accept", "produces", "chosen"),
    [
        (JSON, (JSON,), JSON),
        (XML, (JSON, XML), XML),
        ("*/*", (JSON, XML), JSON),
        ("application/*", (CSV, JSON), JSON),
        ("text/*", (JSON, CSV), CSV),
        ("text/html, application/json", (JSON,), JSON),
        ("application/json; charset=utf-8", (JSON,), JSON),
        ("Application/JSON", (JSON,), JSON),
        (JSON, ("*/*",), "*/*"),
        (JSON, ("application/*",), "application/*"),
    ],
)
def test_acceptable_picks_a_produced_type_the_header_allows(
    accept: str, produces: tuple[str, ...], chosen: str
) -> None:
    assert acceptable(accept, produces) == chosen


@pytest.mark.parametrize(
    ("accept", "produces"),
    [
        ("text/html", (JSON,)),
        ("text/*", (JSON, XML)),
        ("application/json", ("application/problem+json",)),
    ],
)
def test_acceptable_refuses_what_the_header_does_not_allow(
    accept: str, produces: tuple[str, ...]
) -> None:
    assert acceptable(accept, produces) is None


@pytest.mark.parametrize(
    "accept",
    [
        "application/json;q=0",
        "application/json; q=0",
        "application/json;q=0.0",
        "text/html, application/json;q=0.000",
    ],
)
def test_a_zero_weight_excludes_the_type(accept: str) -> None:
    assert acceptable(accept, (JSON,)) is None


def test_a_small_nonzero_weight_is_still_acceptable() -> None:
    assert acceptable("application/json;q=0.001", (JSON,)) == JSON


def test_a_zero_weight_range_excludes_only_what_it_names() -> None:
    assert acceptable("application/xml;q=0, application/json", (XML, JSON)) == JSON


def test_the_weight_parameter_name_ignores_case() -> None:
    # RFC 9110 12.4.2 writes it "q=" in ABNF, whose quoted strings ignore case (RFC 5234).
    assert acceptable("application/json;Q=0", (JSON,)) is None


def test_a_specific_zero_weight_overrides_a_wildcard() -> None:
    # RFC 9110 12.5.1: the most specific reference has precedence.
    assert acceptable("application/json;q=0, */*", (JSON, XML)) == XML


def test_the_heavier_type_wins_whatever_the_header_order() -> None:
    # RFC 9110 12.5.1: weights, not the order of the ranges, say which type is preferred.
    assert acceptable("text/csv;q=0.5, application/json", (CSV, JSON)) == JSON


@pytest.mark.parametrize(
    ("declared", "sent"),
    [
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/*", "text/plain"),
        ("image/*", "application/octet-stream"),
    ],
)
def test_a_declared_range_is_sent_as_a_concrete_type(declared: str, sent: str) -> None:
    assert concrete(declared) == sent
