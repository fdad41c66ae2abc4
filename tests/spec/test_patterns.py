"""ECMA-262 patterns, translated once for every engine (``mockserver.spec.patterns``).

The oracle is ``regress``, an ECMA-262 engine of its own: each translation must find a
match exactly where it does.
"""

from __future__ import annotations

import re

import pytest
import regress
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.spec.patterns import PatternTimeout, ecma, unjudged_patterns, unjudged_warning

#: (pattern, strings to judge): the places where ECMA-262 and Python's dialects differ.
CASES = [
    (r"^[\w-.]+$", ["a-b.c", "a b", "-", ".", "é"]),
    (r"^[.-\d]+$", ["-", "5", ".", "/"]),
    (r"^[a-\d]$", ["a", "-", "5", "b"]),
    (r"^\d+$", ["123", "\u0663", "12a"]),
    (r"^\w+$", ["abc_1", "é", "a-b"]),
    (r"^\W$", ["é", "a", "-"]),
    ("^a$", ["a", "a\n", "\na"]),
    ("^a.b$", ["a-b", "a\nb", "a\rb", "a\u2028b"]),
    ("^[^]$", ["\n", "x", "xy"]),
    ("^a[]$", ["a", "a]"]),
    ("^a{,2}$", ["a{,2}", "aa", ""]),
    ("^x{1,2}$", ["x", "xx", "xxx"]),
    (r"^(?<y>\d{4})-\k<y>$", ["2024-2024", "2024-2025"]),
    (r"^\cJ$", ["\n", "cJ"]),
    (r"^\q$", ["q", "\\q"]),
    (r"^[[a]+$", ["[a[", "b"]),
    (r"^[a&&b]$", ["&", "a", "c"]),
    (r"(?<=a)b", ["ab", "cb"]),
    (r"^a\u{1F600}b$", ["a\U0001f600b", "au{1F600}b"]),
    (r"^\u00e9\x41$", ["\u00e9A", "u00e9x41"]),
    (r"^\u12\x4$", ["u12x4", "\u0012"]),  # too few hex digits: the letters themselves
    (r"^[\B]$", ["B", "b"]),
]


@pytest.mark.parametrize(("pattern", "texts"), CASES)
def test_the_engine_form_agrees_with_an_ecma_262_engine(pattern: str, texts: list[str]) -> None:
    compiled = ecma(pattern)
    assert compiled.problem == ""
    oracle = regress.Regex(pattern)
    for text in texts:
        assert compiled.search(text) == (oracle.find(text) is not None), text


@pytest.mark.parametrize(("pattern", "texts"), CASES)
def test_the_python_form_agrees_where_there_is_one(pattern: str, texts: list[str]) -> None:
    form = ecma(pattern).python
    if form is None:  # e.g. a back-reference by name before Python's re reads it
        return
    oracle = regress.Regex(pattern)
    for text in texts:
        assert (re.search(form, text) is not None) == (oracle.find(text) is not None), text


@settings(max_examples=50)
@given(st.data())
def test_strings_drawn_from_the_python_form_match_in_ecma_262(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from([p for p, _ in CASES if ecma(p).python]))
    text = data.draw(st.from_regex(ecma(pattern).python or ""))
    assert regress.Regex(pattern).find(text) is not None


def test_a_catastrophic_pattern_gives_up_instead_of_stalling() -> None:
    with pytest.raises(PatternTimeout, match=r"\^\(a\|a\)\+\$.*too slow"):
        ecma("^(a|a)+$").search("a" * 40 + "!")


def test_a_nested_quantifier_the_engine_handles_is_judged() -> None:
    assert ecma("^(a+)+$").search("a" * 40 + "!") is False


@pytest.mark.parametrize("pattern", ["(?P<x>a)", "[a-", "(?i)abc", "a++"])
def test_a_pattern_that_is_not_ecma_262_matches_anything_and_says_why(pattern: str) -> None:
    compiled = ecma(pattern)
    assert compiled.engine is None and compiled.python is None
    assert "not an ECMA-262 regular expression" in compiled.problem
    assert compiled.search("anything at all")


def test_a_pattern_is_translated_once() -> None:
    assert ecma(r"^[\w-.]+$") is ecma(r"^[\w-.]+$")


def test_unjudged_patterns_are_found_anywhere_in_a_schema_but_not_in_values() -> None:
    schema = {
        "properties": {
            "a": {"type": "string", "pattern": "(?P<x>a)"},
            "b": {"items": {"pattern": "^ok$"}},
            "c": {"patternProperties": {"[": {}}},
        },
        "example": {"pattern": "(?P<y>b)"},
    }
    found = sorted(p.source for p in unjudged_patterns(schema))
    assert found == ["(?P<x>a)", "["]
    warning = unjudged_warning(unjudged_patterns(schema)) or ""
    assert warning.startswith('199 mockserver "') and "any value is accepted" in warning
    assert unjudged_warning(()) is None
