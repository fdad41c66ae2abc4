"""`make compare` (bench/compare.py, bench/official.py) always writes its report: a tool that
hangs on a document is stopped at its deadline and reported as "timeout after N s", a tool
that is missing as "not installed", and neither hides the other tools' results.

A run once never ended because Spectral spun on the YAML alias bomb; these pin the parts
that make that impossible, with stand-in commands instead of the real tools.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from bench import compare, external, official

#: A stand-in for a tool that hangs, and leaves a child holding its output open.
HANG = [sys.executable, "-c", "import subprocess, time; subprocess.Popen(['sleep', '60']); "
        "time.sleep(60)"]  # fmt: skip


def test_a_hanging_tool_and_its_children_are_stopped_at_the_deadline(tmp_path: Path) -> None:
    start = time.perf_counter()
    outcome = external.run(HANG, timeout=1, cwd=tmp_path)
    assert (outcome.ok, outcome.problem) == (False, "timeout after 1 s")
    assert time.perf_counter() - start < 30  # not the child's 60 s: the group was killed


def test_a_missing_tool_is_not_installed(tmp_path: Path) -> None:
    outcome = external.run([str(tmp_path / "spectral"), "lint"], timeout=5, cwd=tmp_path)
    assert outcome.problem == external.NOT_INSTALLED


def test_a_tool_that_ends_gives_its_exit_code_and_output(tmp_path: Path) -> None:
    outcome = external.run(
        [sys.executable, "-c", "print('[]'); raise SystemExit(3)"], timeout=30, cwd=tmp_path
    )
    assert (outcome.ok, outcome.code, outcome.stdout) == (True, 3, "[]\n")


def test_the_suites_report_a_timeout_and_a_missing_tool_beside_the_others() -> None:
    valid, invalid = [Path(official.OFFICIAL / "v.yaml")], [Path(official.OFFICIAL / "i.yaml")]
    slow = official.score("Slow", lambda p: "timeout after 30 s", valid, invalid)
    right = official.score(
        "Right", lambda p: official.ACCEPTED if p in valid else official.REJECTED, valid, invalid
    )
    absent = official.score("Absent", official.spectral_judge(None), valid, invalid)
    report = official.render([right, slow, absent], 1, 1)
    assert "| Right | 1 of 1 | 0 of 1 | 0 | 0 |" in report
    assert "| Slow | 0 of 1 | 0 of 1 | 0 | 2 |" in report
    assert "`i.yaml (timeout after 30 s)`" in report
    assert "| Absent | not installed | not installed |" in report


def test_the_corpus_rows_keep_a_timeout_and_a_missing_tool_as_their_results() -> None:
    path = Path("/corpus/alias-bomb.3.0.yaml")
    entry = {"file": path.name, "code": "MS004", "line": 2}
    verdicts: dict[str, compare.Verdicts | str] = {
        "mockserver": {path: {("MS004", 2)}},
        "Spectral": {path: "timeout after 30 s"},
        "Redocly": external.NOT_INSTALLED,
        compare.OSV: {path: {("Error:", compare.NO_LINE)}},
    }
    row = compare._row(entry, path, verdicts)
    assert [row[t] for t in compare.TOOLS_SHOWN] == [
        True, "timeout after 30 s", "not installed", "no line",
    ]  # fmt: skip


def test_a_batch_that_hangs_is_run_again_one_document_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compare, "DOC_TIMEOUT", 1.0)
    monkeypatch.setattr(compare, "BATCH_PER_DOC", 0.5)
    monkeypatch.setattr(compare, "TOOLS", tmp_path)
    # hangs on more than one file and on the bomb; a JSON report of no problem otherwise
    tool = (
        "import sys, time\nfiles = sys.argv[1:]\n"
        "if len(files) > 1 or 'bomb' in files[0]:\n    time.sleep(60)\nprint('[]')\n"
    )
    a, b, bomb = (tmp_path / f"{n}.yaml" for n in ("a", "b", "bomb"))
    verdicts = compare.lint([sys.executable, "-c", tool], compare.spectral_parse, [bomb], [a, b])
    assert verdicts == {a: set(), b: set(), bomb: "timeout after 1 s"}
