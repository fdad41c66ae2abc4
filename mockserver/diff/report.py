"""Write a diff's findings with the validate reporters; unproven breaks as warnings.

The validate reporters know one level, error. A diff's unproven suspects are warnings,
so the formats that carry a level (GitHub annotations, SARIF, JSON) are given it here,
on the reporters' own output, without changing them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from mockserver.diff.rules import UNPROVEN
from mockserver.validate.findings import Finding
from mockserver.validate.reporters import REPORTERS

FORMATS = sorted(REPORTERS)


def render(fmt: str, findings: Sequence[Finding], checked: Sequence[Path]) -> str:
    """The whole report in ``fmt`` (text, json, github, junit or sarif)."""
    report = REPORTERS[fmt](findings, checked)
    if fmt == "github":
        return _github_levels(report)
    if fmt == "sarif":
        return _sarif_levels(report)
    if fmt == "json":
        return _json_levels(report)
    return report


def _github_levels(report: str) -> str:
    return "\n".join(
        "::warning " + line.removeprefix("::error ")
        if line.startswith("::error ") and f"title={UNPROVEN}" in line
        else line
        for line in report.split("\n")
    )


def _sarif_levels(report: str) -> str:
    data = json.loads(report)
    for run in data["runs"]:
        for result in run["results"]:
            if result["ruleId"] == UNPROVEN:
                result["level"] = "warning"
    return json.dumps(data, indent=2) + "\n"


def _json_levels(report: str) -> str:
    data = json.loads(report)
    for finding in data["findings"]:
        finding["level"] = "warning" if finding["code"] == UNPROVEN else "error"
    return json.dumps(data, indent=2) + "\n"
