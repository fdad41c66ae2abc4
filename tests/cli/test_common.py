"""What the verbs share: report paths, one-line errors, formats, crashes kept per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.cli.common import CONFIG_NAMES, REPORT_FORMATS, SEVERITIES, error_line, writable
from mockserver.errors import UsageError
from mockserver.report import config, findings
from mockserver.report.plural import counted
from mockserver.report.reporters import FORMATS
from mockserver.validate import runner
from tests.conftest import DATA


def test_the_parser_lists_the_report_layers_names() -> None:
    assert sorted(REPORT_FORMATS) == sorted(FORMATS)
    assert SEVERITIES == findings.SEVERITIES
    assert CONFIG_NAMES == (config.YAML_NAME, config.TOML_NAME)


def test_writable_makes_the_folder_and_refuses_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.sarif"
    assert writable(target, "--output") == target
    assert target.parent.is_dir()
    assert writable(None, "--output") is None
    with pytest.raises(UsageError, match="--output is a folder"):
        writable(tmp_path, "--output")


def test_an_options_mistake_is_one_line_with_its_fix() -> None:
    error = UsageError(None, "port 8000 is already in use", hint="choose another --port")
    assert error_line("mockserver serve", error) == (
        "mockserver serve: port 8000 is already in use (choose another --port)"
    )
    assert (
        error_line("mockserver serve", UsageError(Path("x"), "gone")) == "mockserver serve: x: gone"
    )


def test_counted_nouns() -> None:
    assert counted(1, "problem") == "1 problem"
    assert counted(0, "file") == "0 files"
    assert counted(2, "operation") == "2 operations"
    assert counted(2, "copy", "copies") == "2 copies"


def test_a_crash_on_one_file_is_ms006_there_and_the_others_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\n")
    checked = runner.check_document_file

    def crash_on_broken(path: Path, ref_root: Path | None = None) -> list[object]:
        if path == broken:
            raise RuntimeError("boom")
        return checked(path, ref_root)  # type: ignore[return-value]

    monkeypatch.setattr(runner, "check_document_file", crash_on_broken)
    outcome = runner.validate_paths([broken, DATA / "petstore-v2.yaml"])
    assert outcome.checked == [broken, DATA / "petstore-v2.yaml"]
    errors = [f for f in outcome.findings if f.severity == "error"]  # warnings stay theirs
    assert [(f.code, f.file) for f in errors] == [("MS006", broken)]
    assert "RuntimeError: boom" in errors[0].message
    assert outcome.exit_code() == 2
