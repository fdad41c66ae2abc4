"""contract --base-url without the API's mount: one line saying so, with the path to add."""

from __future__ import annotations

from mockserver.cli.contract import not_found_hint
from mockserver.contract.runner import CheckFailure, OperationResult


def _result(*statuses: int) -> OperationResult:
    failures = [CheckFailure("status_code_conformance", "m", "", "", "", s) for s in statuses]
    return OperationResult("gorules", "GET /api/audit-logs", "getAuditLogs", failures=failures)


def test_nearly_all_404_suggests_the_mount() -> None:
    hint = not_found_hint([_result(404, 404), _result(404, 404, 500)], "http://127.0.0.1:8000/")
    assert hint == (
        "mockserver contract: 4 of 5 failed answers were 404: does --base-url include the "
        "API's path? mockserver serve mounts it at /gorules: "
        "--base-url http://127.0.0.1:8000/gorules"
    )


def test_failures_of_other_kinds_get_no_hint() -> None:
    assert not_found_hint([_result(404, 500, 500)], "http://x") == ""
    assert not_found_hint([_result(404)], "http://x") == ""
