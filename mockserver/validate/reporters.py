"""Reporters: one interface, one function per output format.

Each takes the findings and the files that were checked and returns the whole report as
text, so the CLI decides where it goes and the exit code is decided in one place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from mockserver import __version__
from mockserver.validate.findings import RULES, Finding

Reporter = Callable[[Sequence[Finding], Sequence[Path]], str]


def _display(path: Path) -> str:
    """Paths relative to the current folder when possible: what editors and CI expect."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def text_report(findings: Sequence[Finding], checked: Sequence[Path]) -> str:
    """``file:line:col: CODE name message`` lines for people, then a summary."""
    lines = []
    for f in findings:
        lines.append(f"{_display(f.file)}:{f.line}:{f.column}: {f.code} {f.rule.name} {f.message}")
        lines.append(f"    at {f.pointer or '/'}")
        lines.append(f"    fix: {f.fix}")
    files = len({f.file for f in findings})
    if findings:
        lines.append(
            f"{len(findings)} problem{'s' * (len(findings) != 1)} in {files} "
            f"file{'s' * (files != 1)} ({len(checked)} checked)"
        )
    else:
        lines.append(f"all clean: {len(checked)} file{'s' * (len(checked) != 1)} checked")
    return "\n".join(lines) + "\n"


def json_report(findings: Sequence[Finding], checked: Sequence[Path]) -> str:
    """A stable JSON document for tools."""
    return (
        json.dumps(
            {
                "tool": "mockserver",
                "version": __version__,
                "checked": [_display(p) for p in checked],
                "findings": [
                    {
                        "code": f.code,
                        "rule": f.rule.name,
                        "file": _display(f.file),
                        "line": f.line,
                        "column": f.column,
                        "pointer": f.pointer,
                        "message": f.message,
                        "fix": f.fix,
                        "fatal": f.fatal,
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


def github_report(findings: Sequence[Finding], checked: Sequence[Path]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        props = (
            f"file={_escape_property(_display(f.file))},line={f.line},col={f.column},"
            f"title={_escape_property(f'{f.code} {f.rule.name}')}"
        )
        body = f"{f.message} (at {f.pointer or '/'}). Fix: {f.fix}"
        lines.append(f"::error {props}::{_escape_data(body)}")
    lines.append(f"{len(findings)} problems, {len(checked)} files checked")
    return "\n".join(lines) + "\n"


def junit_report(findings: Sequence[Finding], checked: Sequence[Path]) -> str:
    """JUnit XML: a test case per checked file, a failure per finding."""
    suite = ET.Element(
        "testsuite",
        name="mockserver validate",
        tests=str(len(checked)),
        failures=str(len({f.file for f in findings})),
        errors="0",
    )
    by_file: dict[Path, list[Finding]] = {p: [] for p in checked}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for path, problems in by_file.items():
        case = ET.SubElement(
            suite, "testcase", classname="mockserver.validate", name=_display(path)
        )
        for f in problems:
            failure = ET.SubElement(
                case, "failure", type=f.code, message=f"{f.rule.name}: {f.message}"
            )
            failure.text = (
                f"{_display(f.file)}:{f.line}:{f.column} at {f.pointer or '/'}\nfix: {f.fix}"
            )
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def sarif_report(findings: Sequence[Finding], checked: Sequence[Path]) -> str:
    """SARIF 2.1.0, for code-scanning dashboards."""
    used = sorted({f.code for f in findings})
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": RULES[code].summary},
            "help": {"text": RULES[code].hint},
        }
        for code in used
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": used.index(f.code),
            "level": "error",
            "message": {"text": f"{f.message} Fix: {f.fix}"},
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
                            "driver": {"name": "mockserver", "version": __version__, "rules": rules}
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
