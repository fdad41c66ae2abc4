"""Every report format carries file, line, column, pointer, code, severity, message and fix."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from mockserver.report.findings import LOADING_RULES, Finding, Registry, Rule
from mockserver.report.reporters import REPORTERS, Report

RULE = Rule("MS104", "invalid-example", "An example is not valid.", "change the example")
RULES = Registry((*LOADING_RULES, RULE))
FINDING = Finding(
    "MS104",
    Path("specs/x.yaml"),
    "/components/schemas/A/example",
    "example of A: 'x' is not of type 'integer'",
    12,
    7,
)
WARNING = Finding("MS104", Path("specs/y.yaml"), "/a", "looks wrong", 3, 1, severity="warning")
NOTE = Finding("MS104", Path("specs/y.yaml"), "/b", "worth a look", 4, 1, severity="info")
CHECKED = [Path("specs/x.yaml"), Path("specs/y.yaml")]


def render(fmt: str, *findings: Finding, verb: str = "mockserver validate") -> str:
    return REPORTERS[fmt](Report(findings, CHECKED, RULES, verb))


def test_text_names_everything_a_person_needs() -> None:
    text = render("text", FINDING)
    assert "specs/x.yaml:12:7: error MS104 invalid-example example of A" in text
    assert "at /components/schemas/A/example" in text
    assert f"fix: {RULE.hint}" in text
    assert "1 problem in 1 file (2 checked)" in text


def test_text_says_clean_when_clean() -> None:
    assert render("text") == "all clean: 2 files checked\n"


def test_text_names_a_warnings_severity() -> None:
    assert "specs/y.yaml:3:1: warning MS104 invalid-example looks wrong" in render("text", WARNING)


def test_json_is_machine_readable() -> None:
    report = json.loads(render("json", FINDING))
    assert report["findings"][0] == {
        "code": "MS104",
        "rule": "invalid-example",
        "severity": "error",
        "file": "specs/x.yaml",
        "line": 12,
        "column": 7,
        "pointer": "/components/schemas/A/example",
        "message": FINDING.message,
        "fix": RULE.hint,
        "fatal": False,
    }
    assert report["summary"] == {"files": 2, "problems": 1}


def test_json_gives_each_finding_its_severity() -> None:
    report = json.loads(render("json", FINDING, WARNING, NOTE))
    assert [f["severity"] for f in report["findings"]] == ["error", "warning", "info"]


def test_a_findings_own_hint_replaces_the_rules() -> None:
    hinted = Finding("MS104", Path("specs/x.yaml"), "/a", "m", hint="did you mean 'summary'?")
    assert json.loads(render("json", hinted))["findings"][0]["fix"] == "did you mean 'summary'?"


def test_github_prints_workflow_annotations() -> None:
    line = render("github", FINDING).splitlines()[0]
    assert line.startswith("::error file=specs/x.yaml,line=12,col=7,title=MS104 invalid-example::")
    assert "(at /components/schemas/A/example)" in line


def test_github_annotates_with_the_severitys_kind() -> None:
    lines = render("github", FINDING, WARNING, NOTE).splitlines()
    assert [line.split(" ")[0] for line in lines[:3]] == ["::error", "::warning", "::notice"]


def test_github_escapes_newlines_and_separators() -> None:
    odd = Finding("MS104", Path("a,b:c.yaml"), "/x", "two\nlines 100%", 1, 1)
    line = render("github", odd).splitlines()[0]
    assert "file=a%2Cb%3Ac.yaml" in line and "two%0Alines 100%25" in line


def test_junit_has_a_case_per_file_and_a_failure_per_finding() -> None:
    root = ET.fromstring(render("junit", FINDING, FINDING))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases["specs/x.yaml"].findall("failure")) == 2
    assert cases["specs/y.yaml"].find("failure") is None


def test_junit_names_the_suite_after_the_verb_and_each_failure_its_severity() -> None:
    root = ET.fromstring(render("junit", WARNING, verb="mockserver diff"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "mockserver diff"
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("severity") == "warning"
    assert (failure.get("message") or "").startswith("warning: invalid-example")


def test_sarif_is_2_1_0_with_rules_and_regions() -> None:
    sarif = json.loads(render("sarif", FINDING))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert run["tool"]["driver"]["rules"][0]["id"] == "MS104"
    location = run["results"][0]["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 7}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == FINDING.pointer


def test_sarif_levels_follow_severity() -> None:
    results = json.loads(render("sarif", FINDING, WARNING, NOTE))["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_handles_no_findings(name: str) -> None:
    assert render(name)


def test_sarif_rules_carry_their_default_level() -> None:
    rules = Registry((*LOADING_RULES, Rule("MS104", "n", "s", "h", severity="warning")))
    sarif = json.loads(REPORTERS["sarif"](Report([FINDING], CHECKED, rules, "v")))
    descriptor = sarif["runs"][0]["tool"]["driver"]["rules"][0]
    assert descriptor["defaultConfiguration"] == {"level": "warning"}


def test_a_rule_default_severity_grades_its_findings() -> None:
    rules = Registry((*LOADING_RULES, Rule("MS104", "n", "s", "h", severity="info")))
    assert rules.graded(FINDING).severity == "info"
    assert RULES.graded(FINDING) is FINDING
