"""Every check runs on every document, whatever the others find."""

from __future__ import annotations

import json

import pytest

from mockserver.cli import main
from mockserver.validate.runner import validate_paths
from tests.conftest import WriteDoc

#: Six defects, one of them an unresolved $ref, and a warning (MS134: the operation has
#: parameters but declares no 4xx); each line ends with the code it must get.
SIX_DEFECTS = """\
openapi: 3.1.0
info: {title: t, version: "1"}
servers:
  - url: https://{region}.example.org
    variables:
      region: {enum: [eu, us], default: asia}  # MS111
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}  # MS110
      responses:  # MS134
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Missing"  # MS102
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: strng}  # MS101
        tag: {type: string, pattern: "[a-"}  # MS114
        age: {type: integer, minimum: 9, maximum: 1}  # MS115
"""


def _planted(text: str) -> list[tuple[str, int]]:
    return [
        (line.rsplit("# ", 1)[1], number)
        for number, line in enumerate(text.splitlines(), start=1)
        if "  # MS" in line
    ]


def test_an_unresolved_ref_does_not_silence_the_other_checks(write_doc: WriteDoc) -> None:
    path = write_doc(SIX_DEFECTS)
    found = sorted((f.code, f.line) for f in validate_paths([path]).findings)
    assert found == sorted(_planted(SIX_DEFECTS))


@pytest.mark.parametrize("form", ["json", "sarif", "github", "junit", "text"])
def test_every_format_keeps_code_line_and_pointer(
    form: str, write_doc: WriteDoc, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_doc(SIX_DEFECTS)
    assert main(["validate", str(path), "--format", form]) == 1
    out = capsys.readouterr().out
    planted = _planted(SIX_DEFECTS)
    assert len(planted) == 7  # six defects and a warning
    for code, line in planted:
        assert code in out
        assert str(line) in out
    assert "/components/schemas/Pet/properties/age/minimum" in out


def test_json_findings_carry_a_fix(write_doc: WriteDoc, capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", str(write_doc(SIX_DEFECTS)), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings
    assert all(f["fix"] and f["message"] and f["pointer"] for f in findings)


def test_a_ref_in_another_file_is_followed_and_its_schema_checked(write_doc: WriteDoc) -> None:
    write_doc(
        "Pet:\n  type: object\n  properties:\n    age: {minLength: 3, maxLength: 1}\n",
        "common.yaml",
    )
    path = write_doc(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /p:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: 'common.yaml#/Pet'}\n"
    )
    found = [(f.code, f.file.name, f.line, f.pointer) for f in validate_paths([path]).findings]
    assert found == [("MS115", "common.yaml", 4, "/Pet/properties/age/minLength")]


def test_a_broken_document_structure_is_reported_not_raised(write_doc: WriteDoc) -> None:
    path = write_doc(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /p:\n    parameters: 5\n"
        "    get:\n      parameters: [1, {$ref: '#/nope'}]\n      responses: []\n"
    )
    codes = {f.code for f in validate_paths([path]).findings}
    assert codes == {"MS101", "MS102"}


def test_an_example_a_format_parser_trips_over_is_a_finding_not_a_crash(
    write_doc: WriteDoc,
) -> None:
    path = write_doc(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
        "  schemas:\n    Blob:\n      type: string\n      format: byte\n"
        "      example: 'MIIé€'\n"
    )
    found = [(f.code, f.line, f.pointer) for f in validate_paths([path]).findings]
    assert found == [("MS104", 9, "/components/schemas/Blob/example")]


def test_a_keyword_of_the_wrong_shape_is_reported_at_its_line_not_a_crash(
    write_doc: WriteDoc,
) -> None:
    path = write_doc(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
        "  schemas:\n    Thing:\n      type: object\n"
        "      allOf: {'0': {required: [a]}}\n"
        "      example: {a: 1}\n"
    )
    found = {(f.code, f.line) for f in validate_paths([path]).findings}
    assert ("MS101", 8) in found


def test_an_example_through_a_discriminator_cycle_is_checked_once(write_doc: WriteDoc) -> None:
    path = write_doc(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
        "  schemas:\n"
        "    Pet:\n      type: object\n      discriminator: {propertyName: kind}\n"
        "      oneOf: [{$ref: '#/components/schemas/Cat'}]\n"
        "      example: {kind: Cat, lives: nine}\n"
        "    Cat:\n      allOf:\n        - $ref: '#/components/schemas/Pet'\n"
        "        - properties: {lives: {type: integer}}\n"
    )
    found = [(f.code, f.line) for f in validate_paths([path]).findings]
    assert found == [("MS104", 10)]
