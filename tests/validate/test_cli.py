"""`mockserver validate` from the command line: outputs and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.cli import main
from tests.conftest import DATA, WriteDoc

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    code = main(["validate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_documents_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, DATA / "keywords-3.1.yaml")
    assert (code, out) == (0, "all clean: 1 file checked\n")


def test_warnings_alone_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    # the petstore's uploadImage declares only 200: a warning (MS134), reported, not failing
    code, out, _ = run(capsys, DATA / "petstore-v2.yaml", DATA / "keywords-3.1.yaml")
    assert code == 0
    assert "warning MS134" in out and "uploadImage" in out and "error" not in out


def test_findings_exit_1_and_name_file_line_pointer(
    capsys: pytest.CaptureFixture[str], write_doc: WriteDoc
) -> None:
    path = write_doc(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n"
        "    get:\n      responses: {'200': {description: ok}}\n"
    )
    code, out, _ = run(capsys, path, "--format", "json")
    finding = json.loads(out)["findings"][0]
    assert code == 1
    assert (finding["code"], finding["line"], finding["pointer"]) == (
        "MS106",
        5,
        "/paths/~1a~1{id}/get",
    )


def test_missing_file_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, tmp_path / "nope.yaml")
    assert code == 2
    assert "MS001 unreadable-file no such file" in out


def test_unparsable_yaml_exits_2(capsys: pytest.CaptureFixture[str], write_doc: WriteDoc) -> None:
    code, out, _ = run(capsys, write_doc("a: [1, 2\n"))
    assert code == 2 and "MS002" in out and "Traceback" not in out


def test_output_file_and_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "report.sarif"
    code, out, _ = run(capsys, DATA / "keywords-3.1.yaml", "--format", "sarif", "--output", report)
    assert code == 0 and out == ""
    assert json.loads(report.read_text())["version"] == "2.1.0"


PAYLOAD_ARGS = ("--spec", DATA / "keywords-3.1.yaml")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "widget", "point": [1, 2], "label": "a", "labelLanguage": "en"}, []),
        ({"kind": "gadget"}, ["/kind"]),  # const
        ({"kind": "widget", "point": [1, "2"]}, ["/point/1"]),  # prefixItems
        ({"kind": "widget", "point": [1, 2, 3]}, ["/point"]),  # items: false after prefixItems
        ({"kind": "widget", "extra": 1}, [""]),  # unevaluatedProperties
        ({"kind": "widget", "label": "a"}, [""]),  # dependentRequired
        ({"kind": "widget", "size": None}, []),  # type array admits null
        ({"kind": "widget", "size": "big"}, ["/size"]),
    ],
)
def test_request_payloads_follow_2020_12(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: object, expected: list[str]
) -> None:
    payload = tmp_path / "body.json"
    payload.write_text(json.dumps(body))
    code, out, _ = run(
        capsys,
        *PAYLOAD_ARGS,
        "--operation",
        "createThing",
        "--request",
        payload,
        "--format",
        "json",
    )
    pointers = [f["pointer"] for f in json.loads(out)["findings"]]
    assert (code, pointers) == (1 if expected else 0, expected)


def test_response_payload_lines_point_into_the_payload(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    payload = tmp_path / "resp.json"
    payload.write_text('{\n  "id": "x",\n  "kind": "widget",\n  "point": [1, "two"]\n}\n')
    code, out, _ = run(
        capsys,
        *PAYLOAD_ARGS,
        "--operation",
        "getThing",
        "--status",
        "200",
        payload,
        "--format",
        "json",
    )
    findings = json.loads(out)["findings"]
    assert code == 1
    assert ("MS301", 4, "/point/1") in [(f["code"], f["line"], f["pointer"]) for f in findings]


def test_undeclared_status_is_a_finding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    payload = tmp_path / "resp.json"
    payload.write_text("{}")
    code, out, _ = run(capsys, *PAYLOAD_ARGS, "--operation", "getThing", "--status", "500", payload)
    assert code == 1 and "MS302" in out


def test_unknown_operation_exits_2_and_lists_the_known(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    payload = tmp_path / "resp.json"
    payload.write_text("{}")
    code, _, err = run(capsys, *PAYLOAD_ARGS, "--operation", "nope", "--status", "200", payload)
    assert code == 2 and "listThings" in err


def test_payload_mode_needs_a_status_or_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, *PAYLOAD_ARGS, "--operation", "getThing", tmp_path / "x.json")
    assert code == 2 and "--status" in err


@pytest.mark.subprocess
def test_module_entry_point_lists_the_verbs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--help"], capture_output=True, text=True, check=True
    )
    assert "validate" in result.stdout and "serve" in result.stdout
