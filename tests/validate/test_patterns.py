"""``mockserver validate`` reports every pattern the mock cannot judge (MS114): one that is
not ECMA-262, and one that is but names a construct no engine here evaluates; an ECMA-262
pattern Python's ``re`` rejects (``^[\\w-.]+$``) is not reported."""

from __future__ import annotations

from mockserver.validate.runner import validate_paths
from tests.conftest import WriteDoc

DOCUMENT = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Thing:
      type: object
      properties:
        python: {type: string, pattern: "(?P<x>a)"}  # MS114
        unknown: {type: string, pattern: "^\\\\p{Nonsense}$"}  # MS114
        dashed: {type: string, pattern: "^[\\\\w-.]+$"}
        slow: {type: string, pattern: "^(a|a)+$"}
      patternProperties:
        "[a-": {type: string}  # MS114
"""


def test_unjudged_patterns_are_reported_at_their_line_and_pointer(write_doc: WriteDoc) -> None:
    findings = validate_paths([write_doc(DOCUMENT)]).findings
    planted = [
        number
        for number, line in enumerate(DOCUMENT.splitlines(), start=1)
        if line.endswith("# MS114")
    ]
    assert sorted((f.code, f.line) for f in findings) == [("MS114", n) for n in planted]
    by_pointer = {f.pointer: f.message for f in findings}
    base = "/components/schemas/Thing"
    assert "not an ECMA-262" in by_pointer[f"{base}/properties/python/pattern"]
    assert "cannot be translated" in by_pointer[f"{base}/properties/unknown/pattern"]
    assert f"{base}/patternProperties/[a-" in by_pointer
    assert all("accepts any value" in message for message in by_pointer.values())
