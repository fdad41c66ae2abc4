"""``mockserver diff``: formats, exit codes, ``--fail-on`` and ``--base``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.cli import main as cli_main


def main(argv: list[str]) -> int:
    """``mockserver diff ARGV``."""
    return cli_main(["diff", *argv])


PAIRS = Path(__file__).parent / "pairs"
ROOT = Path(__file__).resolve().parents[2]


def _pair(name: str) -> list[str]:
    return [str(PAIRS / name / "old.yaml"), str(PAIRS / name / "new.yaml")]


def test_a_break_exits_1_and_prints_the_witness_and_both_places(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(_pair("request-maximum-lowered"))

    out = capsys.readouterr().out
    assert code == 1
    assert "MS404 request-narrowed" in out
    assert "witness request: curl -i -X GET 'http://localhost:8000/pets?limit=" in out
    assert "OLD accepts it; NEW rejects it: maximum at /query/limit" in out
    assert "request-maximum-lowered/old.yaml:" in out
    assert "request-maximum-lowered/new.yaml:" in out


def test_a_safe_change_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_pair("ref-extraction")) == 0
    assert "all clean" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["json", "github", "junit", "sarif", "text"])
def test_every_validate_format_carries_the_rule_code(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_pair("op-removed"), "--format", fmt]) == 1
    assert "MS401" in capsys.readouterr().out


def test_json_names_code_severity_and_witness(capsys: pytest.CaptureFixture[str]) -> None:
    main([*_pair("response-enum-widened"), "--format", "json"])

    finding = json.loads(capsys.readouterr().out)["findings"][0]
    assert finding["code"] == "MS407"
    assert finding["severity"] == "error"
    assert '"status": "pending"' in finding["message"]


def test_an_unproven_suspect_is_a_warning_unless_fail_on_unproven(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a pattern that only a handful of strings break: no witness within a budget of one
    old = PAIRS / "request-pattern-added" / "old.yaml"
    new = PAIRS / "request-pattern-added" / "new.yaml"
    args = [str(old), str(new), "--budget", "1", "--format", "github"]

    assert main(args) == 0
    out = capsys.readouterr().out
    assert main([*args, "--fail-on-unproven"]) == 1
    assert main([*args, "--fail-on", "unproven"]) == 1  # the former spelling
    assert "::warning " in out and "MS499" in out
    assert "::error " not in out


def test_the_junit_suite_is_named_after_diff(capsys: pytest.CaptureFixture[str]) -> None:
    main([*_pair("op-removed"), "--format", "junit"])

    assert '<testsuite name="mockserver diff"' in capsys.readouterr().out


def test_sarif_gives_an_unproven_break_the_warning_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = PAIRS / "request-pattern-added" / "old.yaml"
    new = PAIRS / "request-pattern-added" / "new.yaml"
    main([str(old), str(new), "--budget", "1", "--format", "sarif"])

    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert {r["ruleId"]: r["level"] for r in results} == {"MS499": "warning"}


def test_an_unreadable_document_exits_2(tmp_path: Path) -> None:
    assert main([str(tmp_path / "missing.yaml"), str(PAIRS / "op-removed" / "new.yaml")]) == 2


def test_one_path_without_base_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(PAIRS / "op-removed" / "new.yaml")]) == 2
    assert "OLD NEW" in capsys.readouterr().err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.subprocess
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_base_compares_the_working_tree_with_a_ref(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    _git(repo, "init", "-q")
    shutil.copy(PAIRS / "response-type-changed" / "old.yaml", repo / "specs" / "api.yaml")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    shutil.copy(PAIRS / "response-type-changed" / "new.yaml", repo / "specs" / "api.yaml")
    _git(repo, "commit", "-qam", "two")

    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "diff", "--base", "HEAD~1", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("{"), result.stderr
    report = json.loads(result.stdout)
    assert {f["code"] for f in report["findings"]} == {"MS406", "MS410"}
    assert "HEAD~1:specs/api.yaml" in report["checked"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_base_with_an_unknown_ref_exits_2(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "api.yaml").write_text((PAIRS / "op-removed" / "new.yaml").read_text())

    code = main(["--base", "no-such-ref", str(tmp_path / "api.yaml")])

    assert code == 2
