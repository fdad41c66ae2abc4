"""A contract run's failures leave through the shared exit path: one error finding each."""

from __future__ import annotations

from mockserver.contract.report import ALL_CHECKS, as_findings, contract_rules
from mockserver.contract.runner import CheckFailure, OperationResult
from mockserver.report.run import exit_code


def _result(*checks: str) -> OperationResult:
    failures = [CheckFailure(c, f"{c} broke", "x", "y", "curl ...") for c in checks]
    return OperationResult("audit", "GET /logs", "listLogs", failures=failures, spec_path="a.yaml")


def test_each_failed_check_is_an_error_finding_on_its_operation() -> None:
    (finding,) = as_findings([_result("not_a_server_error")])
    assert (finding.code, finding.pointer, finding.severity) == (
        "not_a_server_error",
        "GET /logs",
        "error",
    )
    assert str(finding.file) == "a.yaml"


def test_failures_exit_1_and_a_clean_run_exits_0() -> None:
    assert exit_code(as_findings([_result("not_a_server_error")])) == 1
    assert exit_code(as_findings([_result()])) == 0


def test_contract_registers_a_rule_for_every_check() -> None:
    rules = contract_rules()
    assert all(check in rules for check in ALL_CHECKS)
