"""The formats mockserver asserts, and the one function that checks each.

``format`` is asserted, not just annotated. The reference validators (jsonschema, in
:mod:`mockserver.spec.dialect_classes`) check a format with the function found here; the
compiled check (jsonschema-rs, :mod:`mockserver.spec.compiled`) is lent the same function
for any format its draft does not read exactly as the reference does, so a value it
vouches for is one the reference accepts. This module imports neither the reference's
dialect classes nor openapi-schema-validator: the compiled check must stay cheap to build.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import jsonschema_rs
from jsonschema import FormatChecker

Check = Callable[[object], bool]

#: OpenAPI's own formats, which the reference reads through openapi-schema-validator
#: (its OAS 3.0 format checker), so only with the dialect classes imported.
OPENAPI_FORMATS = frozenset({"int32", "int64", "float", "double", "byte", "binary", "password"})

#: Formats jsonschema checks only through an optional package, read by jsonschema-rs
#: instead (its own, to the RFCs JSON Schema cites): ``uri`` and ``uri-reference`` (RFC
#: 3986), ``duration`` (RFC 3339 appendix A). The packages cost a tenth of a second of
#: import in every process that imports jsonschema (rfc3986-validator compiles its grammar,
#: isoduration brings arrow and dateutil), whether or not a document uses the format.
RUST_FORMATS = ("uri", "uri-reference", "duration")

#: RFC 3339's ``full-time`` (``partial-time time-offset``), JSON Schema's ``time`` since
#: Draft 7: ``14:38:39.5+19:44`` and ``23:59:60Z`` (a leap second) are times.
_FULL_TIME = re.compile(
    r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[zZ]|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)

#: A Relative JSON Pointer (draft-handrews-relative-json-pointer-01, JSON Schema's
#: ``relative-json-pointer``): a non-negative integer without leading zeros, then ``#`` or
#: a JSON Pointer. (jsonschema refuses any number with a 0 after its first digit: ``30``.)
_RELATIVE_POINTER = re.compile(r"(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^/~]|~[01])*)*)", re.DOTALL)


def never_raising(check: Check) -> Check:
    """``check``, with any exception it raises read as "not this format": a parser that
    trips over a value (openapi-schema-validator's ``byte`` raises ``UnicodeEncodeError`` on
    non-ASCII text) must refuse the value, not crash ``validate`` or answer a 500."""

    @functools.wraps(check)
    def guarded(instance: object) -> bool:
        try:
            return bool(check(instance))
        except Exception:
            return False

    return guarded


def _is_time(instance: object) -> bool:
    return not isinstance(instance, str) or _FULL_TIME.fullmatch(instance) is not None


def _is_relative_pointer(instance: object) -> bool:
    return not isinstance(instance, str) or _RELATIVE_POINTER.fullmatch(instance) is not None


def _rust_format(name: str) -> Check:
    """jsonschema-rs's check of the format ``name``."""
    checker = jsonschema_rs.Draft202012Validator({"format": name}, validate_formats=True)

    def check(instance: object) -> bool:
        return not isinstance(instance, str) or bool(checker.is_valid(instance))

    return check


@functools.cache
def format_checks() -> dict[str, Check]:
    """Every JSON Schema format the reference checks, by name, each never raising (OpenAPI's
    own, :data:`OPENAPI_FORMATS`, are added by the dialect classes). ``time`` is RFC
    3339's (jsonschema reads it as Draft 3's ``hh:mm:ss`` unless an optional package is
    there), ``relative-json-pointer`` its draft's, and :data:`RUST_FORMATS` jsonschema-rs's."""
    checks: dict[str, Check] = {
        name: check for name, (check, _raises) in FormatChecker().checkers.items()
    }
    checks["time"] = _is_time
    checks["relative-json-pointer"] = _is_relative_pointer
    checks.update((name, _rust_format(name)) for name in RUST_FORMATS)
    return {name: never_raising(check) for name, check in checks.items()}
