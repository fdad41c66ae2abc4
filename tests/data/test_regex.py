"""Strings for patterns meet their length bounds, and ECMA-262 patterns are understood.

The oracle is JSON Schema 2020-12 (``jsonschema``) with ``pattern`` read by the ``regex``
module, which knows the ``\\p{..}`` property escapes that OpenAPI patterns may use and
Python's ``re`` does not. Which lengths each pattern admits is written out by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import regex
import regress
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mockserver.data.generate import GenerationError, ValueGenerator
from mockserver.data.regex import PatternError, string_matching
from mockserver.spec.model import Dialect, Schema


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Oracle = extend(Draft202012Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


def oracle_errors(schema: dict[str, Any], value: Any) -> list[str]:
    """Every violation an independent 2020-12 validator finds."""
    validator = Oracle(schema, format_checker=FormatChecker())
    return [error.message for error in validator.iter_errors(value)]


def generate(schema: dict[str, Any], seed: int) -> Any:
    """What the generator makes for an OpenAPI 3.1 schema at ``file:///inline.json#/s``."""
    registry = Registry().with_resource(
        "file:///inline.json", DRAFT202012.create_resource({"s": schema})
    )
    wrapped = Schema(
        schema, Dialect.OPENAPI_3_1, "file:///inline.json#/s", Path("/inline.json"), "/s"
    )
    return ValueGenerator(registry).generate(wrapped, seed)


def test_a_pattern_with_a_minimum_length_beyond_its_natural_range() -> None:
    schema = {"type": "string", "pattern": "[a-z0-9]+", "minLength": 26, "maxLength": 26}
    for seed in range(20):
        value = generate(schema, seed)
        assert len(value) == 26 and oracle_errors(schema, value) == []


def test_unicode_property_escapes_are_understood() -> None:
    schema = {"type": "string", "pattern": r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", "maxLength": 256}
    for seed in range(20):
        assert oracle_errors(schema, generate(schema, seed)) == []


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\p{Lu}\p{Ll}+$",
        r"^\P{L}{3}$",
        r"^[^\p{L}\p{N}]{2}$",
        r"^\p{Lo}{2}$",
        r"^\p{Script=Greek}+$",
        r"^\pL\pN$",
        r"^(?<word>a|b)-\k<word>$",
        r"^[a-zA-Z0-9\s-_()\[\]]+$",  # a class escape then '-': a literal '-' (AWS)
        r"^[\d-x]{3}$",
        r"\A[a-zA-Z0-9_]+\z",  # Perl's anchors, as the validator's engine reads them (AWS)
    ],
)
def test_ecma_262_only_syntax_generates_matching_strings(pattern: str) -> None:
    rng = random.Random(7)
    for _ in range(10):
        assert regex.search(
            pattern.replace(r"\k<word>", "(?P=word)"), string_matching(pattern, rng)
        )


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[\w-.]+$",  # ECMA: '-' after a class escape is literal; Python's re: a bad range
        r"^[.-\d]{2,5}$",
        r"^\d{3}-\w{2}$",  # ASCII digits and word characters only, as ECMA-262 means them
        r"^a.b$",  # '.' is no line terminator
        r"^x{,2}$",  # no quantifier: the brace is itself
        r"^\u{1F600}\cJ$",
    ],
)
def test_strings_drawn_match_in_an_ecma_262_engine(pattern: str) -> None:
    oracle = regress.Regex(pattern)
    rng = random.Random(3)
    for _ in range(10):
        text = string_matching(pattern, rng)
        assert oracle.find(text) is not None, text


def test_a_schema_with_an_ecma_262_only_pattern_generates_valid_values() -> None:
    schema = {"type": "string", "pattern": r"^[\w-.]+$", "minLength": 3}
    for seed in range(10):
        value = generate(schema, seed)
        assert regress.Regex(schema["pattern"]).find(value) is not None and len(value) >= 3


@pytest.mark.parametrize(
    ("pattern", "low", "high", "shape"),
    [
        ("^abc", 10, 12, r"^abc[a-z0-9]{7,9}$"),
        ("abc$", 10, 10, r"^[a-z0-9]{7}abc$"),
        ("abc", 6, 6, r"abc"),
    ],
)
def test_an_unanchored_pattern_is_padded_to_the_minimum_length(
    pattern: str, low: int, high: int, shape: str
) -> None:
    text = string_matching(pattern, random.Random(1), min_length=low, max_length=high)
    assert low <= len(text) <= high and regex.search(shape, text)


def test_an_anchored_pattern_that_cannot_reach_the_length_is_refused() -> None:
    with pytest.raises(PatternError):
        string_matching("^abc$", random.Random(1), min_length=5)


#: Patterns, and (independently of the generator) which lengths of string they admit.
PATTERNS: dict[str, Callable[[int], bool]] = {
    r"^[a-z]{3}$": lambda n: n == 3,
    r"^[a-z0-9]+$": lambda n: n >= 1,
    r"[a-z0-9]+": lambda n: n >= 1,
    r"^ab(cd)*$": lambda n: n >= 2 and n % 2 == 0,
    r"^(x|yy){2,3}$": lambda n: 2 <= n <= 6,
    r"^\p{L}{2,4}$": lambda n: 2 <= n <= 4,
    r"[\p{L}\p{N}_.-]*": lambda n: True,
    r"^\d{3}-\d{4}$": lambda n: n == 8,
    r"abc$": lambda n: n >= 3,
    r"^\P{L}?$": lambda n: n <= 1,
    r"^[^a-z]{2}[a-z]*$": lambda n: n >= 2,
    r"^(a|bcd)?e{0,2}$": lambda n: n <= 5,
}


@settings(max_examples=300)
@given(
    pattern=st.sampled_from(sorted(PATTERNS)),
    low=st.one_of(st.none(), st.integers(0, 40)),
    high=st.one_of(st.none(), st.integers(0, 60)),
    seed=st.integers(0, 2**32),
)
def test_generated_strings_are_valid_and_found_whenever_one_exists(
    pattern: str, low: int | None, high: int | None, seed: int
) -> None:
    schema: dict[str, Any] = {"type": "string", "pattern": pattern}
    if low is not None:
        schema["minLength"] = low
    if high is not None:
        schema["maxLength"] = high
    lengths = range(low or 0, (high if high is not None else (low or 0) + 100) + 1)
    satisfiable = any(PATTERNS[pattern](n) for n in lengths)
    if not satisfiable:
        with pytest.raises(GenerationError):
            generate(schema, seed)
        return
    value = generate(schema, seed)
    assert oracle_errors(schema, value) == [], value
