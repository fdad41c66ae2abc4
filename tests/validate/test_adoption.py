"""Adopting `mockserver validate` in a project: severities in every format, --fail-on,
the configuration file, the baseline, and a start-up that loads nothing else."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.cli import main
from mockserver.report.config import parse_policy
from mockserver.validate.rules import RULES
from tests.conftest import DATA, ROOT, WriteDoc

#: One MS132 (a warning by default): the status code is an unquoted YAML integer.
UNQUOTED = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {200: {description: ok}}
"""
#: One MS106 (an error): {id} is not declared.
UNDECLARED = UNQUOTED.replace("/a:", "/a/{id}:").replace("{200:", "{'200':")


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["validate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("fmt", "mark"),
    [
        ("text", ": warning MS132 non-string-key"),
        ("json", '"severity": "warning"'),
        ("sarif", '"level": "warning"'),
        ("github", "::warning file="),
        ("junit", 'severity="warning"'),
    ],
)
def test_a_warning_is_reported_as_one_in_every_format_and_passes(
    capsys: pytest.CaptureFixture[str], write_doc: WriteDoc, fmt: str, mark: str
) -> None:
    code, out, _ = run(capsys, write_doc(UNQUOTED), "--format", fmt)
    assert (code, mark in out) == (0, True)


def test_fail_on_warning_fails_on_a_warning(
    capsys: pytest.CaptureFixture[str], write_doc: WriteDoc
) -> None:
    path = write_doc(UNQUOTED)
    assert run(capsys, path, "--fail-on", "warning")[0] == 1
    assert run(capsys, path, "--fail-on", "error")[0] == 0


def test_the_configuration_changes_a_level_and_the_fail_level(
    capsys: pytest.CaptureFixture[str],
    write_doc: WriteDoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_doc(UNDECLARED)
    (tmp_path / ".mockserver.yaml").write_text("validate:\n  severity: {MS106: warning}\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, path)
    assert (code, ": warning MS106" in out) == (0, True)
    (tmp_path / ".mockserver.yaml").write_text(
        "validate:\n  severity: {MS106: warning}\n  fail-on: warning\n"
    )
    assert run(capsys, path)[0] == 1


def test_pyproject_ignores_a_rule_for_a_file_glob(
    capsys: pytest.CaptureFixture[str],
    write_doc: WriteDoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    legacy, new = write_doc(UNDECLARED, "legacy/old.yaml"), write_doc(UNDECLARED, "new.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mockserver.validate.per-file-ignores]\n"legacy/*.yaml" = ["MS106"]\n'
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, legacy, new, "--format", "json")
    assert code == 1
    assert [f["file"] for f in json.loads(out)["findings"]] == ["new.yaml"]


def test_an_unknown_code_in_the_configuration_exits_2_naming_file_and_code(
    capsys: pytest.CaptureFixture[str],
    write_doc: WriteDoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_doc(UNDECLARED)
    (tmp_path / ".mockserver.yaml").write_text("validate:\n  ignore: [MS106, MS1O6]\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, path)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert ".mockserver.yaml" in err and "MS1O6" in err


def test_a_legacy_document_adopts_the_check_in_two_commands(
    capsys: pytest.CaptureFixture[str],
    write_doc: WriteDoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_doc(
        UNDECLARED + "  /b/{x}:\n    get:\n      responses: {'200': {description: ok}}\n"
    )
    assert run(capsys, path)[0] == 1
    code, _, err = run(capsys, path, "--baseline-write", ".mockserver-baseline.json")
    assert (code, "2 findings recorded" in err) == (0, True)
    assert run(capsys, path, "--baseline", ".mockserver-baseline.json")[:2] == (
        0,
        "all clean: 1 file checked\n",
    )
    # an edit above moves every line; a new defect is the only finding
    new = "  /c/{z}:\n    get:\n      responses: {'200': {description: ok}}\n"
    path.write_text("# a comment\n" + path.read_text() + new)
    code, out, _ = run(capsys, path, "--baseline", ".mockserver-baseline.json", "--format", "json")
    assert code == 1
    assert [f["pointer"] for f in json.loads(out)["findings"]] == ["/paths/~1c~1{z}/get"]


def test_a_missing_baseline_or_both_options_exit_2(
    capsys: pytest.CaptureFixture[str], write_doc: WriteDoc, tmp_path: Path
) -> None:
    path, base = write_doc(UNDECLARED), tmp_path / "base.json"
    code, out, err = run(capsys, path, "--baseline", base)
    assert (code, out, "base.json" in err) == (2, "", True)
    code, _, err = run(capsys, path, "--baseline", base, "--baseline-write", base)
    assert (code, "not both" in err, base.exists()) == (2, True, False)


@pytest.mark.slow
def test_the_launchdarkly_document_adopts_the_check_in_two_commands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = tmp_path / "ld.json"
    shutil.copyfile(DATA / "ld-openapi.full.json", document)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, document, "--baseline-write", "base.json")[0] == 0
    recorded = json.loads((tmp_path / "base.json").read_text())["findings"]
    assert len(recorded) > 100  # a real legacy document: hundreds of findings
    assert run(capsys, document, "--baseline", "base.json")[:2] == (
        0,
        "all clean: 1 file checked\n",
    )


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args",
    [["--help"], [str(ROOT / "tests" / "validate" / "broken" / "duplicate-tag.3.0.yaml")]],
    ids=["help", "a-document"],
)
def test_validate_loads_neither_the_server_nor_contract_nor_diff(args: list[str]) -> None:
    probe = (
        "import sys\nfrom mockserver.cli import main\n"
        f"try:\n    main(['validate', *{args!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "(['mockserver', 'serve'], ['mockserver', 'contract'], ['mockserver', 'diff'])"
        " or m.split('.')[0] in ('connexion', 'granian', 'hypothesis', 'schemathesis')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]", result.stderr


def _documented(language: str) -> list[str]:
    page = (ROOT / "docs" / "validate.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", page, re.DOTALL)


def test_the_documented_configurations_are_valid() -> None:
    [toml] = _documented("toml")
    table = tomllib.loads(toml)["tool"]["mockserver"]["validate"]
    assert parse_policy(Path("pyproject.toml"), table, RULES).levels == {
        "MS132": "error",
        "MS104": "warning",
    }
    [config] = [y for y in _documented("yaml") if y.startswith("validate:")]
    policy = parse_policy(Path(".mockserver.yaml"), yaml.safe_load(config)["validate"], RULES)
    assert policy.fail_on == "warning"


def _documented_yaml(first_key: str) -> dict[str, Any]:
    [block] = [y for y in _documented("yaml") if y.startswith(f"{first_key}:")]
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


def test_the_documented_pre_commit_hook_is_the_repository_s_and_runs_with_its_args(
    capsys: pytest.CaptureFixture[str],
    write_doc: WriteDoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [hook] = _documented_yaml("repos")["repos"][0]["hooks"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [declared] = [h for h in hooks if h["id"] == hook["id"]]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert (declared["language"], declared["entry"]) == ("python", "mockserver validate")
    assert "mockserver" in scripts
    files = re.compile(declared["files"])
    assert [bool(files.search(n)) for n in ("a.yaml", "b.yml", "c.json", "README.md")] == [
        True, True, True, False,
    ]  # fmt: skip
    # pre-commit runs the entry, then the hook's args, then the changed files
    monkeypatch.chdir(tmp_path)
    path = write_doc(UNDECLARED, "specs/api.yaml")
    assert run(capsys, path, "--baseline-write", ".mockserver-baseline.json")[0] == 0
    assert run(capsys, *hook["args"], path)[0] == 0
    path.write_text(path.read_text() + "  /b/{x}:\n    get:\n      responses: {'200': {}}\n")
    assert run(capsys, *hook["args"], path)[0] == 1  # a new finding fails the commit


def test_the_documented_github_actions_steps_upload_the_sarif_validate_writes(
    capsys: pytest.CaptureFixture[str],
    write_doc: WriteDoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workflow = _documented_yaml("permissions")
    assert workflow["permissions"]["security-events"] == "write"  # what the upload needs
    [validate] = [s["run"] for s in workflow["steps"] if "mockserver validate" in s.get("run", "")]
    [upload] = [s for s in workflow["steps"] if "upload-sarif" in s.get("uses", "")]
    argv = shlex.split(validate)
    sarif = argv[argv.index("--output") + 1]
    assert (upload["if"], upload["with"]["sarif_file"]) == ("always()", sarif)
    monkeypatch.chdir(tmp_path)
    write_doc(UNDECLARED, "specs/api.yaml")
    code, _, _ = run(capsys, *argv[2:])
    report = json.loads((tmp_path / sarif).read_text())
    assert (code, report["version"]) == (1, "2.1.0")  # the job fails, the upload still runs
    [result] = report["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (result["ruleId"], location["artifactLocation"]["uri"]) == ("MS106", "specs/api.yaml")
