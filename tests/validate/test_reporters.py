"""Every report format carries file, line, column, pointer, code, message and fix."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from mockserver.validate.findings import RULES, Finding
from mockserver.validate.reporters import REPORTERS

FINDING = Finding(
    "MS104",
    Path("specs/x.yaml"),
    "/components/schemas/A/example",
    "example of A: 'x' is not of type 'integer'",
    12,
    7,
)
CHECKED = [Path("specs/x.yaml"), Path("specs/y.yaml")]


def test_text_names_everything_a_person_needs() -> None:
    text = REPORTERS["text"]([FINDING], CHECKED)
    assert "specs/x.yaml:12:7: MS104 invalid-example example of A" in text
    assert "at /components/schemas/A/example" in text
    assert f"fix: {RULES['MS104'].hint}" in text
    assert "1 problem in 1 file (2 checked)" in text


def test_text_says_clean_when_clean() -> None:
    assert REPORTERS["text"]([], CHECKED) == "all clean: 2 files checked\n"


def test_json_is_machine_readable() -> None:
    report = json.loads(REPORTERS["json"]([FINDING], CHECKED))
    assert report["findings"][0] == {
        "code": "MS104",
        "rule": "invalid-example",
        "file": "specs/x.yaml",
        "line": 12,
        "column": 7,
        "pointer": "/components/schemas/A/example",
        "message": FINDING.message,
        "fix": RULES["MS104"].hint,
        "fatal": False,
    }
    assert report["summary"] == {"files": 2, "problems": 1}


def test_github_prints_workflow_annotations() -> None:
    line = REPORTERS["github"]([FINDING], CHECKED).splitlines()[0]
    assert line.startswith("::error file=specs/x.yaml,line=12,col=7,title=MS104 invalid-example::")
    assert "(at /components/schemas/A/example)" in line


def test_github_escapes_newlines_and_separators() -> None:
    odd = Finding("MS101", Path("a,b:c.yaml"), "/x", "two\nlines 100%", 1, 1)
    line = REPORTERS["github"]([odd], CHECKED).splitlines()[0]
    assert "file=a%2Cb%3Ac.yaml" in line and "two%0Alines 100%25" in line


def test_junit_has_a_case_per_file_and_a_failure_per_finding() -> None:
    root = ET.fromstring(REPORTERS["junit"]([FINDING, FINDING], CHECKED))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases["specs/x.yaml"].findall("failure")) == 2
    assert cases["specs/y.yaml"].find("failure") is None


def test_sarif_is_2_1_0_with_rules_and_regions() -> None:
    sarif = json.loads(REPORTERS["sarif"]([FINDING], CHECKED))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert run["tool"]["driver"]["rules"][0]["id"] == "MS104"
    location = run["results"][0]["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 7}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == FINDING.pointer


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_handles_no_findings(name: str) -> None:
    assert REPORTERS[name]([], CHECKED)
