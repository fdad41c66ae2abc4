"""$refs are followed inside the document's folder, and nowhere else."""

from __future__ import annotations

import pytest

from mockserver.errors import RefError
from mockserver.spec.loader import load_document
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
