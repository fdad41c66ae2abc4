"""The baseline: findings matched by rule, file and pointer (never line), counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.errors import UsageError
from mockserver.report.baseline import new_findings, read_baseline, write_baseline
from mockserver.report.findings import Finding

OLD = Finding("MS501", Path("a.yaml"), "/paths/~1a", "old", line=3)
OTHER = Finding("MS502", Path("a.yaml"), "/paths/~1a", "other rule, same place", line=3)
UNREADABLE = Finding("MS001", Path("b.yaml"), "", "cannot read")


def test_a_recorded_finding_is_not_new_even_on_another_line(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline(path, [OLD]) == 1
    moved = Finding("MS501", Path("a.yaml"), "/paths/~1a", "old", line=40)
    assert new_findings([moved, OTHER], read_baseline(path)) == [OTHER]


def test_matches_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, [OLD])
    assert new_findings([OLD, OLD], read_baseline(path)) == [OLD]


def test_files_that_could_not_be_checked_are_never_recorded(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline(path, [UNREADABLE, OLD]) == 1
    assert new_findings([UNREADABLE], read_baseline(path)) == [UNREADABLE]


def test_the_file_holds_rule_file_and_pointer_only(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, [OLD])
    entries = json.loads(path.read_text())["findings"]
    assert entries == [{"code": "MS501", "file": "a.yaml", "pointer": "/paths/~1a"}]


def test_a_malformed_baseline_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text('{"findings": [{"code": "MS501"}]}')
    with pytest.raises(UsageError, match="not a baseline written by --baseline-write"):
        read_baseline(path)
