"""Formats are asserted as their RFCs write them (the oracle: RFC 3339, RFC 3986 and the
Relative JSON Pointer draft, by their grammar), whatever jsonschema's own checker says."""

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


@pytest.mark.parametrize(
    ("value", "fmt", "valid"),
    [
        ("https://example.com/a?b=c#d", "uri", True),
        ("urn:isbn:0451450523", "uri", True),
        ("ldap://[2001:db8::7]/c=GB?objectClass?one", "uri", True),
        ("/relative/path", "uri", False),  # RFC 3986 URI: a scheme is required
        ("http://example.com/a b", "uri", False),  # a space is never in a URI
        ("http://example.com/%zz", "uri", False),  # a percent-escape is two hex digits
        ("/relative/path", "uri-reference", True),
        ("#fragment", "uri-reference", True),
        ("\\\\server\\share", "uri-reference", False),
        ("P1Y2M3DT4H5M6S", "duration", True),  # RFC 3339 appendix A
        ("P4W", "duration", True),
        ("PT36H", "duration", True),
        ("P1H", "duration", False),  # hours only after T
        ("P", "duration", False),
        ("PT", "duration", False),
        ("P1W2D", "duration", False),  # weeks stand alone
        ("PT0.5S", "duration", False),  # dur-second is 1*DIGIT: no fractions
        (17, "duration", True),  # a format judges strings only
    ],
)
def test_uri_and_duration_follow_rfc_3986_and_3339(value: object, fmt: str, valid: bool) -> None:
    assert FORMAT_CHECKER.conforms(value, fmt) is valid
