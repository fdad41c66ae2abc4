"""Run -> report -> exit: the one path by which a verb's findings leave the program.

The exit code is decided here and nowhere else: 0 clean, 1 findings at or above the fail
level, 2 when something could not be checked at all (an ``MS0xx`` finding).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.errors import EXIT_COULD_NOT_RUN, EXIT_FOUND_PROBLEMS, EXIT_OK
from mockserver.report.findings import Finding, Registry, Severity, at_least
from mockserver.report.reporters import REPORTERS, Report


@dataclass
class Outcome:
    """What a run found, and which files it looked at."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[Path] = field(default_factory=list)

    def sorted(self) -> Outcome:
        """The same outcome with findings in file, line, column order."""
        order = sorted(self.findings, key=lambda f: (str(f.file), f.line, f.column, f.code))
        return Outcome(order, self.checked)

    def exit_code(self, fail_level: Severity = "error") -> int:
        """The exit code for these findings (see :func:`exit_code`)."""
        return exit_code(self.findings, fail_level)


def exit_code(findings: list[Finding], fail_level: Severity = "error") -> int:
    """2 when a file could not be checked; 1 when a finding is at least ``fail_level``;
    else 0 (findings below the level are reported, and do not fail the run)."""
    if any(f.fatal for f in findings):
        return EXIT_COULD_NOT_RUN
    if any(at_least(f.severity, fail_level) for f in findings):
        return EXIT_FOUND_PROBLEMS
    return EXIT_OK


def deliver(
    outcome: Outcome,
    rules: Registry,
    *,
    verb: str,
    fmt: str = "text",
    output: Path | None = None,
    fail_level: Severity = "error",
) -> int:
    """Write ``outcome`` in ``fmt`` to ``output`` (default stdout); return the exit code."""
    text = REPORTERS[fmt](Report(outcome.findings, outcome.checked, rules, verb))
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return outcome.exit_code(fail_level)
