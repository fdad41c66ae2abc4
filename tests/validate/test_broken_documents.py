"""Each deliberately broken document yields exactly its one rule code, at the right place.

CI configurations and SARIF dashboards key on rule codes, lines and pointers, so a
regression in any of them breaks users silently. ``broken/`` holds small documents with
one defect each (listed with the finding they must produce in ``broken/expected.yaml``),
and ``broken/clean/`` holds near misses that must produce nothing at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.report.findings import Finding
from mockserver.report.run import exit_code
from mockserver.validate.runner import validate_paths

BROKEN = Path(__file__).resolve().parent / "broken"
CLEAN = BROKEN / "clean"
#: A warning most of these small documents earn beside their one defect (an operation that
#: can refuse but declares no 4xx nor default): tests/validate/test_refusal_statuses.py
#: judges it; here it would hide the defect each document is about.
BESIDE_THE_POINT = "MS134"


def findings_of(path: Path) -> list[Finding]:
    """The findings for ``path`` but MS134."""
    return [f for f in validate_paths([path]).findings if f.code != BESIDE_THE_POINT]


def _expected() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(
        (BROKEN / "expected.yaml").read_text(encoding="utf-8")
    )
    return entries


def _case(entry: dict[str, Any]) -> Any:
    """One parameter; an ``xfail`` entry documents a known product bug, strictly."""
    marks = [pytest.mark.xfail(strict=True, reason=entry["xfail"])] if "xfail" in entry else []
    return pytest.param(entry, id=entry["file"], marks=marks)


def test_every_broken_document_has_an_expectation() -> None:
    listed = {entry["file"] for entry in _expected()}
    on_disk = {p.name for p in BROKEN.glob("*.yaml")} - {"expected.yaml"}
    assert listed == on_disk


@pytest.mark.parametrize("expected", [_case(e) for e in _expected()])
def test_broken_document_yields_its_one_finding(expected: dict[str, Any]) -> None:
    findings = findings_of(BROKEN / expected["file"])
    found = [(f.code, f.line, f.pointer) for f in findings]
    assert found == [(expected["code"], expected["line"], expected["pointer"])]
    assert findings[0].file.name == expected["file"]
    warning = findings[0].severity == "warning"  # MS132: reported, not failing
    assert exit_code(findings) == (2 if expected["code"] < "MS100" else 0 if warning else 1)


@pytest.mark.parametrize("path", sorted(CLEAN.glob("*.yaml")), ids=lambda p: p.name)
def test_clean_document_yields_nothing(path: Path) -> None:
    outcome = validate_paths([path])
    assert outcome.findings == []
    assert outcome.exit_code() == 0
