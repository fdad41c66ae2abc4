"""``x-mockserver-ignore`` inside a document: a local exception for its subtree only."""

from __future__ import annotations

from mockserver.validate.runner import check_document_file
from tests.conftest import WriteDoc

#: Two undeclared path parameters (MS106); the first operation is excepted.
TWO_UNDECLARED = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/{id}:
    x-mockserver-ignore: [MS106]
    get:
      responses: {"200": {description: ok}}
  /b/{id}:
    get:
      responses: {"200": {description: ok}}
"""


def test_the_exception_covers_its_subtree_and_nothing_else(write_doc: WriteDoc) -> None:
    findings = check_document_file(write_doc(TWO_UNDECLARED))
    assert [(f.code, f.pointer) for f in findings] == [("MS106", "/paths/~1b~1{id}/get")]


def test_the_exception_names_only_the_codes_it_lists(write_doc: WriteDoc) -> None:
    text = TWO_UNDECLARED.replace("[MS106]", "[MS108]")
    assert [f.code for f in check_document_file(write_doc(text))] == ["MS106", "MS106"]


def test_at_the_root_it_covers_the_whole_document(write_doc: WriteDoc) -> None:
    text = TWO_UNDECLARED.replace("    x-mockserver-ignore: [MS106]\n", "")
    text = text.replace("paths:\n", "x-mockserver-ignore: [MS106]\npaths:\n", 1)
    assert check_document_file(write_doc(text)) == []


def test_an_unknown_code_is_a_finding_where_it_is_written(write_doc: WriteDoc) -> None:
    text = TWO_UNDECLARED.replace("[MS106]", "[MS106, MS999]")
    findings = check_document_file(write_doc(text))
    assert [(f.code, f.line, f.pointer) for f in findings] == [
        ("MS106", 9, "/paths/~1b~1{id}/get"),
        ("MS133", 5, "/paths/~1a~1{id}/x-mockserver-ignore"),
    ]
    assert "MS999" in findings[1].message
