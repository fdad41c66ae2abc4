"""A hand-made pair: every breaking change found at its line with a witness; and a pure
refactor ($ref extraction, allOf wrapping, a renamed path parameter, nullable as a type
array, 3.0 -> 3.1) that reports nothing, whichever side ``--fail-on`` asks about.

Each expected break is marked in the documents themselves, ``# break: CODE`` on the line
the finding must point at (NEW's line, or OLD's for something removed).
"""

from __future__ import annotations

import re
from pathlib import Path

from mockserver.diff.runner import diff_files

HANDMADE = Path(__file__).parent / "handmade"
_MARK = re.compile(r"#\s*break:\s*(MS\d{3})")


def _marks(path: Path) -> set[tuple[str, int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        (path.name, number, match.group(1))
        for number, line in enumerate(lines, start=1)
        if (match := _MARK.search(line))
    }


def test_every_marked_break_is_found_at_its_line_with_a_witness() -> None:
    old, new = HANDMADE / "breaking" / "old.yaml", HANDMADE / "breaking" / "new.yaml"
    expected = _marks(old) | _marks(new)

    findings = diff_files(old, new).findings

    assert {(f.file.name, f.line, f.code) for f in findings} == expected
    assert all(f.details["proven"] and f.details["witness"] for f in findings)
    assert len(expected) == 8


def test_a_pure_refactor_reports_nothing() -> None:
    old, new = HANDMADE / "refactor" / "old.yaml", HANDMADE / "refactor" / "new.yaml"

    assert diff_files(old, new).findings == []
