"""A bug in mockserver costs the operation it happened on, as MS006 and exit 2; the other
operations are still run and reported (validate's files and diff's pairs: their own tests)."""

from __future__ import annotations

from typing import Any

from mockserver.cli.contract import _run_one
from mockserver.contract.report import as_findings
from mockserver.report.run import exit_code
from tests.conftest import DATA

PETSTORE = DATA / "petstore-v2.yaml"


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
