"""The runner: how far ``$ref``s may reach, and that one file's crash costs only that file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.report.findings import Finding
from mockserver.validate import runner
from mockserver.validate.runner import default_ref_root, validate_paths

DOCUMENT = """\
openapi: 3.1.0
info: {title: Up, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "../common/pet.yaml"
"""


@pytest.fixture
def up_a_folder(tmp_path: Path) -> Path:
    """root/spec/openapi.yaml refers to root/common/pet.yaml, one folder up."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "pet.yaml").write_text("type: object\n", encoding="utf-8")
    document = tmp_path / "spec" / "openapi.yaml"
    document.write_text(DOCUMENT, encoding="utf-8")
    return document


def test_a_ref_up_a_folder_is_followed_within_the_ref_root(up_a_folder: Path) -> None:
    outcome = validate_paths([up_a_folder], ref_root=up_a_folder.parent.parent)
    assert outcome.findings == []


def test_a_ref_escaping_the_ref_root_is_refused(up_a_folder: Path) -> None:
    outcome = validate_paths([up_a_folder], ref_root=up_a_folder.parent)
    assert [f.code for f in outcome.findings] == ["MS103"]
    assert "leaves" in outcome.findings[0].message


def test_the_cli_takes_a_ref_root(up_a_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inside = main(["validate", "--ref-root", str(up_a_folder.parent.parent), str(up_a_folder)])
    escaping = main(["validate", "--ref-root", str(up_a_folder.parent), str(up_a_folder)])
    assert (inside, escaping) == (0, 1)
    assert "MS103" in capsys.readouterr().out


def test_the_default_ref_root_is_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert default_ref_root(tmp_path / "a" / "b" / "api.yaml") == tmp_path.resolve()


def test_a_crash_is_ms006_for_that_file_and_the_others_are_still_reported(
    up_a_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "broken.yaml"
    other.write_text(DOCUMENT.replace("../common/pet.yaml", "#/nowhere"), encoding="utf-8")
    real = runner.check_document_file

    def crash_on_one(path: Path, ref_root: Path | None = None) -> list[Finding]:
        if path == up_a_folder:
            raise ValueError("boom")
        return real(path, ref_root)

    monkeypatch.setattr(runner, "check_document_file", crash_on_one)
    outcome = validate_paths([up_a_folder, other])
    assert {(f.code, f.file) for f in outcome.findings} == {
        ("MS006", up_a_folder),
        ("MS102", other),
    }
    assert "ValueError: boom" in next(f.message for f in outcome.findings if f.code == "MS006")
    assert outcome.exit_code() == 2
