"""$refs are followed inside the document's folder, and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.errors import RefError
from mockserver.spec.loader import load_document
from mockserver.spec.refs import _may_leave
from mockserver.spec.source import load_source
from tests.conftest import WriteDoc, minimal_doc

OK = {
    "200": {
        "description": "ok",
        "content": {
            "application/json": {"schema": {"$ref": "common.yaml#/components/schemas/Error"}}
        },
    }
}


def test_relative_file_refs_are_followed(write_doc: WriteDoc) -> None:
    write_doc({"components": {"schemas": {"Error": {"type": "object"}}}}, "common.yaml")
    path = write_doc(minimal_doc("3.1.0", **{"/a": {"get": {"responses": OK}}}))
    document = load_document(path)
    assert [f.name for f in document.files] == ["api.yaml", "common.yaml"]


@pytest.mark.parametrize(
    "ref", ["https://example.com/x.yaml#/E", "../outside.yaml#/E", "/etc/passwd#/E"]
)
def test_remote_and_outside_refs_are_refused(write_doc: WriteDoc, ref: str) -> None:
    responses = {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}
    }
    path = write_doc(
        minimal_doc("3.0.3", **{"/a": {"get": {"responses": responses}}}), "inner/api.yaml"
    )
    with pytest.raises(RefError) as caught:
        load_document(path)
    assert caught.value.code == "MS103"
    assert caught.value.pointer.endswith("/schema/$ref")


def test_missing_target_names_the_ref(write_doc: WriteDoc) -> None:
    doc = minimal_doc(
        "3.0.3",
        **{
            "/a": {
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/Nope"}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    )
    with pytest.raises(RefError, match="points at nothing"):
        load_document(write_doc(doc))


def test_ref_loops_are_refused(write_doc: WriteDoc) -> None:
    doc = minimal_doc("3.0.3", **{"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"}})
    with pytest.raises(RefError, match="loops"):
        load_document(write_doc(doc))


# The walk for other files is skipped when the text names none: whatever way a ref to
# another file is spelled, it must still be found.
_HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
_OK = "      responses:\n        '200':\n          description: ok\n          content:\n"


@pytest.mark.parametrize(
    "written",
    [
        "$ref: common.yaml#/E",
        "'$ref': \"common.yaml#/E\"",
        "$ref: # a comment, then the value on the next line\n              common.yaml#/E",
        '"\\x24ref": common.yaml#/E',  # $ by a YAML escape
        '"$r\\x65f": common.yaml#/E',  # e by a YAML escape
    ],
)
def test_refs_to_other_files_are_found_however_written(write_doc: WriteDoc, written: str) -> None:
    write_doc({"E": {"type": "object"}}, "common.yaml")
    body = f"            application/json:\n              schema:\n                {written}\n"
    path = write_doc(
        _HEAD + _OK + body.replace("\n              common", "\n                  common")
    )
    document = load_document(path)
    assert [f.name for f in document.files] == ["api.yaml", "common.yaml"]


def test_a_json_ref_spelled_with_an_escape_is_refused_when_remote(write_doc: WriteDoc) -> None:
    schema = '{"\\u0024ref": "https://example.com/x.json#/E"}'
    media = f'{{"application/json": {{"schema": {schema}}}}}'
    ok = f'{{"200": {{"description": "ok", "content": {media}}}}}'
    text = (
        '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, '
        f'"paths": {{"/a": {{"get": {{"responses": {ok}}}}}}}}}'
    )
    path = write_doc(text, "api.json")
    with pytest.raises(RefError) as caught:
        load_document(path)
    assert caught.value.code == "MS103"


@pytest.mark.parametrize(
    ("text", "may_leave"),
    [
        ('{"paths": {"/owners/$ref": {"get": {}}}}', False),  # a path, not a reference
        ('{"a": {"$ref": "#/b"}, "b": {}}', False),
        ('{"a": {"$ref": "other.json#/b"}}', True),
        ("a:\n  $ref: other.yaml\n", True),
        ("a: {$ref: other.yaml}\n", True),
        ("- $ref: other.yaml\n", True),
        ("$ref: other.yaml\n", True),  # the very first key of the text
        ("x$ref: other.yaml\n", False),  # the end of a longer key
        ('{"x$ref": "other.json"}', False),
        ('{"a": {"$ref": "#/b"}, "c": {"$ref": "other.json"}}', True),  # after a local one
    ],
)
def test_the_text_search_for_refs_to_other_files_reads_whole_keys(
    tmp_path: Path, text: str, may_leave: bool
) -> None:
    path = tmp_path / ("api.json" if text.startswith("{") else "api.yaml")
    path.write_text(text, encoding="utf-8")
    assert _may_leave(load_source(path)) is may_leave
