"""Hints: values that matter, so that generated requests reach the interesting cases."""

from __future__ import annotations

from mockserver.contract.hints import hints_from_declaration
from mockserver.contract.oracle import epoch_ms
from mockserver.serve.mount import MountedApi


def _hints(api: MountedApi) -> dict[tuple[str, str, str], list[object]]:
    assert api.declaration is not None and api.responder.engine is not None
    locations = {
        (op.operation_id, p.name): p.location
        for op in api.document.operations
        for p in op.parameters
    }
    hints, _ = hints_from_declaration(api.declaration, api.responder.engine.records, locations)
    return hints


def test_combining_words_are_hinted_for_column_clauses(vendored_apis: list[MountedApi]) -> None:
    hints = _hints(next(a for a in vendored_apis if a.name == "anaconda"))
    assert hints[("get_audit_logs__get", "query", "search_operator")] == ["or", "and"]
    assert hints[("create_export_job_export_post", "body", "/search_operator")] == ["or", "and"]


def test_time_bounds_are_record_times_in_both_writings(vendored_apis: list[MountedApi]) -> None:
    api = next(a for a in vendored_apis if a.name == "gorules")
    assert api.responder.engine is not None
    times = {epoch_ms(r["createdAt"]) for r in api.responder.engine.records["auditLogs"]}
    hinted = _hints(api)[("getAuditLogs", "query", "dateFrom")]
    assert hinted and all(epoch_ms(v) in times for v in hinted)
    assert {type(v) for v in hinted} == {int, str}
