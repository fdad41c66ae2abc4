"""A bug in mockserver costs the file (or operation) it happened on, as MS006 and exit 2;
the others are still checked and reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import mockserver.diff.runner as diff_runner
from mockserver.cli.contract import _run_one
from mockserver.cli.diff import _guarded
from mockserver.contract.report import as_findings
from mockserver.report.run import exit_code
from tests.conftest import DATA

PETSTORE = DATA / "petstore-v2.yaml"


def test_a_pair_diff_fails_on_is_ms006_on_its_new_document(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(diff_runner, "diff_files", crash)
    outcome = _guarded(PETSTORE, Path("new.yaml"), None, 10)
    assert [(f.code, f.file) for f in outcome.findings] == [("MS006", Path("new.yaml"))]
    assert "RuntimeError: boom" in outcome.findings[0].message
    assert outcome.exit_code() == 2


class _CrashingSession:
    def run(self, spec: str, operation_id: str) -> Any:
        raise ValueError(f"cannot run {operation_id}")


def test_an_operation_contract_fails_on_is_ms006_naming_it() -> None:
    result = _run_one(_CrashingSession(), "specs/gorules.yaml", "getAuditLog")  # type: ignore[arg-type]
    assert (result.api, result.operation_id, result.spec_path) == (
        "gorules",
        "getAuditLog",
        "specs/gorules.yaml",
    )
    assert result.failures[0].check == "MS006"
    assert "ValueError: cannot run getAuditLog" in result.failures[0].message
    assert exit_code(as_findings([result])) == 2
