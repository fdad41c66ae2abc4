"""Reporters: one interface, one function per output format, severity in each.

Each takes a :class:`Report` (the findings, the files that were checked, the rules they
name and the verb that ran) and returns the whole report as text, so the caller decides
where it goes and the exit code is decided in one place (:mod:`mockserver.report.run`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from mockserver import __version__
from mockserver.report.findings import Finding, Registry, Severity
from mockserver.report.plural import counted


@dataclass(frozen=True)
class Report:
    """What a run reports: its findings, the files it checked, the rules the findings
    name, and the verb (``mockserver diff``) that names the JUnit suite."""

    findings: Sequence[Finding]
    checked: Sequence[Path]
    rules: Registry
    verb: str


Reporter = Callable[[Report], str]
#: GitHub annotation commands and SARIF levels for each severity.
GITHUB_KIND: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_LEVEL: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}


def _display(path: Path) -> str:
    """Paths relative to the current folder when possible: what editors and CI expect."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def text_report(report: Report) -> str:
    """``file:line:col: severity CODE name message`` lines for people, then a summary."""
    findings, checked, rules = report.findings, report.checked, report.rules
    lines = []
    for f in findings:
        lines.append(
            f"{_display(f.file)}:{f.line}:{f.column}: {f.severity} "
            f"{f.code} {rules[f.code].name} {f.message}"
        )
        lines.append(f"    at {f.pointer or '/'}")
        lines.append(f"    fix: {rules.fix(f)}")
    files = len({f.file for f in findings})
    if findings:
        lines.append(
            f"{counted(len(findings), 'problem')} in {counted(files, 'file')} "
            f"({len(checked)} checked)"
        )
    else:
        lines.append(f"all clean: {counted(len(checked), 'file')} checked")
    return "\n".join(lines) + "\n"


def json_report(report: Report) -> str:
    """A stable JSON document for tools."""
    findings, checked, rules = report.findings, report.checked, report.rules
    return (
        json.dumps(
            {
                "tool": "mockserver",
                "version": __version__,
                "checked": [_display(p) for p in checked],
                "findings": [
                    {
                        "code": f.code,
                        "rule": rules[f.code].name,
                        "severity": f.severity,
                        "file": _display(f.file),
                        "line": f.line,
                        "column": f.column,
                        "pointer": f.pointer,
                        "message": f.message,
                        "fix": rules.fix(f),
                        "fatal": f.fatal,
                        **({"details": dict(f.details)} if f.details else {}),
                    }
                    for f in findings
                ],
                "summary": {"files": len(checked), "problems": len(findings)},
            },
            indent=2,
        )
        + "\n"
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_report(report: Report) -> str:
    """GitHub Actions workflow commands: one annotation per finding, of its severity's
    kind (error, warning or notice)."""
    findings, checked, rules = report.findings, report.checked, report.rules
    lines = []
    for f in findings:
        props = (
            f"file={_escape_property(_display(f.file))},line={f.line},col={f.column},"
            f"title={_escape_property(f'{f.code} {rules[f.code].name}')}"
        )
        body = f"{f.message} (at {f.pointer or '/'}). Fix: {rules.fix(f)}"
        lines.append(f"::{GITHUB_KIND[f.severity]} {props}::{_escape_data(body)}")
    lines.append(f"{counted(len(findings), 'problem')}, {counted(len(checked), 'file')} checked")
    return "\n".join(lines) + "\n"


def junit_report(report: Report) -> str:
    """JUnit XML: a suite named after the verb, a test case per checked file, a failure
    per finding (its type the code, its message led by the severity)."""
    findings, checked, rules = report.findings, report.checked, report.rules
    suite = ET.Element(
        "testsuite",
        name=report.verb,
        tests=str(len(checked)),
        failures=str(len({f.file for f in findings})),
        errors="0",
    )
    by_file: dict[Path, list[Finding]] = {p: [] for p in checked}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for path, problems in by_file.items():
        case = ET.SubElement(
            suite, "testcase", classname=report.verb.replace(" ", "."), name=_display(path)
        )
        for f in problems:
            failure = ET.SubElement(
                case,
                "failure",
                type=f.code,
                message=f"{f.severity}: {rules[f.code].name}: {f.message}",
                severity=f.severity,
            )
            failure.text = (
                f"{_display(f.file)}:{f.line}:{f.column} at {f.pointer or '/'}\nfix: {rules.fix(f)}"
            )
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def sarif_report(report: Report) -> str:
    """SARIF 2.1.0, for code-scanning dashboards; each result's ``level`` its severity's."""
    findings, checked, rules = report.findings, report.checked, report.rules
    used = sorted({f.code for f in findings})
    descriptors = [
        {
            "id": code,
            "name": rules[code].name,
            "shortDescription": {"text": rules[code].summary},
            "help": {"text": rules[code].hint},
            "defaultConfiguration": {"level": SARIF_LEVEL[rules[code].severity]},
        }
        for code in used
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": used.index(f.code),
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message} Fix: {rules.fix(f)}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _display(f.file)},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    },
                    "logicalLocations": [
                        {"fullyQualifiedName": f.pointer or "/", "kind": "member"}
                    ],
                }
            ],
            **({"properties": dict(f.details)} if f.details else {}),
        }
        for f in findings
    ]
    return (
        json.dumps(
            {
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {
                            "driver": {
                                "name": "mockserver",
                                "version": __version__,
                                "rules": descriptors,
                            }
                        },
                        "artifacts": [{"location": {"uri": _display(p)}} for p in checked],
                        "results": results,
                    }
                ],
            },
            indent=2,
        )
        + "\n"
    )


REPORTERS: dict[str, Reporter] = {
    "text": text_report,
    "json": json_report,
    "github": github_report,
    "junit": junit_report,
    "sarif": sarif_report,
}
FORMATS = sorted(REPORTERS)
