"""Meta-schema failures explained at the keyword, in the branch the object meant to be."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.validate.runner import validate_paths
from tests.validate.test_broken_documents import findings_of

BROKEN = Path(__file__).resolve().parent / "broken"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("exclusive-minimum-number.3.0.yaml", ["exclusiveMinimum is 5", "a boolean", "3.0"]),
        ("exclusive-minimum-boolean.3.1.yaml", ["exclusiveMinimum is true", "a number"]),
        ("schema-type-typo.3.1.yaml", ['type is "strng"', '"string"']),
        ("path-parameter-not-required.3.0.yaml", ["required is false", "only true"]),
        ("operation-unknown-field.3.0.yaml", ["'summery'"]),
        ("parameter-schema-and-content.3.0.yaml", ["'schema' and 'content'"]),
        ("response-without-description.3.1.yaml", ["'description'"]),
    ],
)
def test_the_message_names_the_keyword_its_value_and_what_is_allowed(
    name: str, words: list[str]
) -> None:
    (finding,) = findings_of(BROKEN / name)
    for word in words:
        assert word in finding.message


def test_a_misspelt_field_gets_a_suggestion() -> None:
    (finding,) = validate_paths([BROKEN / "operation-unknown-field.3.1.yaml"]).findings
    assert finding.hint == "did you mean 'summary'?"


def test_the_reference_branch_is_not_chosen_for_an_object_without_ref() -> None:
    (finding,) = validate_paths([BROKEN / "schema-type-typo.3.0.yaml"]).findings
    assert "$ref" not in finding.message
