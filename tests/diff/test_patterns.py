"""``mockserver diff`` draws witnesses from ECMA-262 patterns without crashing (issue: the
pattern ``^[\\w-.]+$`` crashed Hypothesis's ``from_regex`` and exited 1, as a break)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockserver.cli import main as cli_main


def _document(required: list[str]) -> dict[str, object]:
    schema = {
        "type": "object",
        "required": required,
        "properties": {
            "id": {"type": "string", "pattern": r"^[\w-.]+$"},
            "code": {"type": "string"},
        },
    }
    operation = {
        "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string", "pattern": r"^[\w-.]+$"}}
        ],
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": operation}},
    }


def test_a_break_behind_an_ecma_only_pattern_is_proven_not_crashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(yaml.safe_dump(_document(["id", "code"])), encoding="utf-8")
    new.write_text(yaml.safe_dump(_document(["id"])), encoding="utf-8")

    code = cli_main(["diff", str(old), str(new)])

    out = capsys.readouterr().out
    assert code == 1, out
    assert "MS412" in out and "witness response" in out  # no longer required
    assert "Traceback" not in out and "bad character range" not in out


def test_an_unchanged_document_with_the_pattern_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    for path in (old, new):
        path.write_text(yaml.safe_dump(_document(["id"])), encoding="utf-8")
    assert cli_main(["diff", str(old), str(new)]) == 0, capsys.readouterr().out
