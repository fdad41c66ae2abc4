"""Formats are asserted as their RFCs write them (the oracle: RFC 3339 and the Relative
JSON Pointer draft, by their grammar), whatever jsonschema's own checker says."""

from __future__ import annotations

import pytest

from mockserver.spec.dialect_classes import FORMAT_CHECKER


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("14:38:39.344931+19:44", True),  # time-numoffset: any hour 00-23
        ("16:39:57-08:00", True),
        ("14:38:39Z", True),
        ("23:59:60z", True),  # a leap second; lower-case z is allowed
        ("23:20:50.52", False),  # full-time needs its time-offset
        ("24:00:00Z", False),
        ("14:38:39+24:00", False),
        ("14:38Z", False),
    ],
)
def test_time_is_rfc_3339_full_time(value: str, valid: bool) -> None:
    assert FORMAT_CHECKER.conforms(value, "time") is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("3000323/\x93ê", True),  # jsonschema refused a 0 after the first digit
        ("30", True),
        ("0#", True),
        ("1/a~0b~1c", True),
        ("01/a", False),  # a leading zero
        ("2/~2", False),  # ~ escapes only 0 and 1
        ("-1/a", False),
        ("", False),
    ],
)
def test_relative_json_pointer_is_its_draft_s_grammar(value: str, valid: bool) -> None:
    assert FORMAT_CHECKER.conforms(value, "relative-json-pointer") is valid
