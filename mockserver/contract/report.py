"""What a contract run prints: progress, a summary table, failures with curl, JUnit XML;
and its failures as findings of the shared report layer, which decides the exit code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from mockserver.contract.checks import RESPONSE_CHECKS
from mockserver.contract.runner import OperationResult, summary
from mockserver.contract.stateful import STATEFUL_CHECKS
from mockserver.data.declaration import SEMANTIC_CHECKS
from mockserver.report.findings import LOADING_RULES, Finding, Registry, Rule
from mockserver.report.plural import counted

ALL_CHECKS = (*RESPONSE_CHECKS, *SEMANTIC_CHECKS, *STATEFUL_CHECKS)
PASS, FAIL, NOT_RUN, SKIPPED = "✓", "✗", ".", "s"


def progress_line(result: OperationResult) -> str:
    """One line per operation as it finishes."""
    verdict = "FAILED " + ", ".join(sorted(result.failed)) if result.failures else "ok"
    return (
        f"{result.api:<14} {result.key:<48} {result.cases:>5} cases "
        f"{result.seconds:>6.1f} s  {verdict}"
    )


def table(results: Sequence[OperationResult]) -> str:
    """Operation x check: ✓ passed, ✗ failed, s skipped (mock-only), . not applicable."""
    used = [c for c in ALL_CHECKS if any(c in r.ran or c in r.skipped for r in results)]
    width = max((len(f"{r.api} {r.key}") for r in results), default=10)
    header = " " * width + "  " + " ".join(f"{i + 1:>2}" for i in range(len(used)))
    lines = [header]
    for r in results:
        cells = [
            FAIL
            if c in r.failed
            else PASS
            if c in r.ran
            else SKIPPED
            if c in r.skipped
            else NOT_RUN
            for c in used
        ]
        lines.append(f"{f'{r.api} {r.key}':<{width}}  " + " ".join(f"{c:>2}" for c in cells))
    lines.append("checks: " + ", ".join(f"{i + 1} {c}" for i, c in enumerate(used)))
    return "\n".join(lines)


def failures_text(results: Sequence[OperationResult], seed: int, command: str) -> str:
    """Each failure: check, what was expected, what came back, and how to reproduce it."""
    blocks = []
    for r in results:
        for f in r.failures:
            blocks.append(
                "\n".join(
                    [
                        f"FAILED {r.api} {r.key}: {f.check}",
                        f"  {f.message}",
                        f"  expected: {f.expected}",
                        f"  actual:   {f.actual}" + (f" (status {f.status})" if f.status else ""),
                        f"  reproduce: {f.curl}" if f.curl else "  reproduce: (no request)",
                        f"  seed: {seed}  ({command} --seed {seed})",
                    ]
                )
            )
    return "\n\n".join(blocks)


def totals_line(results: Sequence[OperationResult]) -> str:
    """The last line: counts and speed."""
    s = summary(list(results))
    status = "all checks passed" if not s["failures"] else counted(s["failures"], "failed check")
    return (
        f"{counted(s['operations'], 'operation')}, {counted(s['cases'], 'case')} "
        f"in {s['seconds']:.1f} s "
        f"({s['cases_per_second']:.0f} cases/s): {status}"
    )


def junit_xml(results: Sequence[OperationResult]) -> str:
    """A test case per operation and check."""
    root = ET.Element("testsuites")
    by_api: dict[str, list[OperationResult]] = {}
    for r in results:
        by_api.setdefault(r.api, []).append(r)
    for api, rows in by_api.items():
        cases = [(r, c) for r in rows for c in ALL_CHECKS if c in r.ran or c in r.skipped]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"mockserver contract {api}",
            tests=str(len(cases)),
            failures=str(sum(len(r.failures) for r in rows)),
            skipped=str(sum(len(r.skipped) for r in rows)),
        )
        for r, check in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{api}.{r.operation_id}",
                name=check,
                time=f"{r.seconds:.3f}",
            )
            for f in (f for f in r.failures if f.check == check):
                failure = ET.SubElement(case, "failure", type=check, message=f.message)
                failure.text = f"expected: {f.expected}\nactual: {f.actual}\n{f.curl}"
            if check in r.skipped:
                ET.SubElement(case, "skipped", message="needs the mock's own data")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def contract_rules() -> Registry:
    """Contract's own registry: a rule per check, named after it."""
    return Registry(
        (
            *LOADING_RULES,
            *(
                Rule(c, c, f"The contract check {c} did not hold.", "reproduce it with its curl")
                for c in ALL_CHECKS
            ),
        )
    )


def as_findings(results: Sequence[OperationResult]) -> list[Finding]:
    """Each failed check as an error finding on its document and operation."""
    return [
        Finding(f.check, Path(r.spec_path or r.api), r.key, f.message)
        for r in results
        for f in r.failures
    ]
