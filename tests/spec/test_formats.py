"""One function per format, for both validators: the compiled check is lent the reference's
own function for a format its draft reads differently, so its "yes" stays the reference's."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

from mockserver.spec.compiled import compiled
from mockserver.spec.formats import OPENAPI_FORMATS, format_checks
from mockserver.spec.model import Dialect


def test_openapi_formats_are_those_only_openapi_schema_validator_knows() -> None:
    only_openapi = set(OAS30Validator.FORMAT_CHECKER.checkers) - set(FormatChecker().checkers)
    assert only_openapi == OPENAPI_FORMATS


@pytest.mark.parametrize("dialect", [Dialect.OPENAPI_3_0, Dialect.SWAGGER_2, Dialect.OPENAPI_3_1])
@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("uuid", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "3f2504e04f8941d39a0c0305e82c3301"),
        ("time", "14:38:39Z", "14:38:39"),  # RFC 3339 full-time needs its offset
        ("duration", "PT36H", "P1H"),
        ("uri-reference", "/a/b", "\\\\server\\share"),
        ("relative-json-pointer", "30", "01/a"),
    ],
)
def test_a_format_its_draft_reads_otherwise_is_checked_by_the_reference_s_function(
    dialect: Dialect, fmt: str, good: str, bad: str
) -> None:
    check = compiled({"type": "string", "format": fmt}, dialect)
    assert check is not None, "the schema fell back to the slow validator"
    assert check.accepts(good)
    assert not check.accepts(bad)
    assert format_checks()[fmt](good) and not format_checks()[fmt](bad)


def test_a_format_only_openapi_schema_validator_reads_is_left_to_the_reference() -> None:
    schema: dict[str, Any] = {"type": "string", "format": "byte"}
    assert compiled(schema, Dialect.OPENAPI_3_0) is None


def test_a_format_no_validator_knows_keeps_the_compiled_check() -> None:
    check = compiled({"type": "string", "format": "base64url"}, Dialect.OPENAPI_3_0)
    assert check is not None
    assert check.accepts("anything at all")
