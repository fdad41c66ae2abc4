"""One exit path: 0 clean, 1 findings at or above the fail level, 2 could not check; and a
registry each verb fills explicitly."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.errors import LoadError, MockserverError
from mockserver.report.findings import LOADING_RULES, Finding, Registry, Rule
from mockserver.report.run import Outcome, deliver, exit_code

ERROR = Finding("MS401", Path("a.yaml"), "/", "broken")
WARNING = Finding("MS499", Path("a.yaml"), "/", "maybe broken", severity="warning")
INFO = Finding("MS499", Path("a.yaml"), "/", "note", severity="info")
UNREADABLE = Finding("MS001", Path("a.yaml"), "", "cannot read")


def test_no_findings_exit_0() -> None:
    assert exit_code([]) == 0


def test_an_error_exits_1() -> None:
    assert exit_code([ERROR, WARNING]) == 1


def test_findings_below_the_fail_level_exit_0() -> None:
    assert exit_code([WARNING, INFO]) == 0
    assert exit_code([INFO], "warning") == 0


def test_a_lower_fail_level_fails_on_warnings() -> None:
    assert exit_code([WARNING], "warning") == 1
    assert exit_code([INFO], "info") == 1


def test_a_file_that_could_not_be_checked_exits_2_whatever_else() -> None:
    assert exit_code([ERROR, UNREADABLE]) == 2


def test_deliver_writes_the_report_and_returns_the_exit_code(tmp_path: Path) -> None:
    rules = Registry(
        (*LOADING_RULES, Rule("MS401", "operation-removed", "Gone.", "keep it")),
    )
    out = tmp_path / "report.txt"
    code = deliver(Outcome([ERROR], [Path("a.yaml")]), rules, verb="x", output=out)
    assert code == 1
    assert "error MS401 operation-removed broken" in out.read_text(encoding="utf-8")


def test_a_registry_refuses_a_code_taken_by_another_rule() -> None:
    registry = Registry([Rule("MS900", "one", "One.", "fix one")])
    registry.register(Rule("MS900", "one", "One.", "fix one"))  # the same rule again is fine
    with pytest.raises(ValueError, match="MS900"):
        registry.register(Rule("MS900", "two", "Two.", "fix two"))


def test_an_error_with_a_code_the_registry_does_not_know_is_not_an_openapi_document() -> None:
    registry = Registry(LOADING_RULES)
    assert Finding.from_error(MockserverError(None, "odd"), registry).code == "MS005"
    assert Finding.from_error(LoadError(Path("x.yaml"), "gone"), registry).fatal
