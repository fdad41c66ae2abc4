"""Recording folds valid answers into fixtures: secrets never written, records merged by id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from mockserver.data.declaration import Dataset, OperationBehaviour
from mockserver.data.recording import Answered, Recording
from mockserver.spec.loader import load_document
from mockserver.spec.model import Schema
from tests.conftest import WriteDoc, minimal_doc

USER = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": True},
        "pin": {"type": "string", "format": "password"},
        "profile": {
            "type": "object",
            "properties": {
                "secret": {"type": "string", "writeOnly": True},
                "bio": {"type": "string"},
            },
        },
    },
}


def _schema(write_doc: WriteDoc) -> tuple[Recording, Schema, Path]:
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": USER}}}
    content = {"application/json": {"schema": listing}}
    ok: dict[str, Any] = {"200": {"description": "ok", "content": content}}
    paths: dict[str, Any] = {"/users": {"get": {"operationId": "listUsers", "responses": ok}}}
    doc = minimal_doc(**paths)
    document = load_document(write_doc(doc))
    schema = document.operations[0].responses[0].content[0].schema
    assert schema is not None
    folder = document.path.parent / "recorded" / "api"
    return Recording(folder, "api", document.registry), schema, folder


DATASET = Dataset("users", Path("users.json"), "id", None, None, "")
LIST = OperationBehaviour("listUsers", "list", "users", "", items="/data")


def test_secrets_and_credentials_are_never_written(write_doc: WriteDoc) -> None:
    recording, schema, folder = _schema(write_doc)
    user = {"id": 1, "name": "Ann", "password": "p4ss", "pin": "1234"}
    user |= {"token": "Bearer s3cret-token", "profile": {"secret": "x", "bio": "hi"}}
    body = {"data": [user]}
    folded = recording.fold(Answered(LIST, DATASET, body, schema, frozenset({"s3cret-token"})))
    assert folded == 1
    written = json.loads((folder / "users.json").read_text())
    assert written == [{"id": 1, "name": "Ann", "profile": {"bio": "hi"}}]
    declaration = yaml.safe_load((folder / "mock.yaml").read_text())
    assert declaration == {
        "spec": "api",
        "datasets": {"users": {"file": "users.json", "id": "id"}},
        "operations": {"listUsers": {"behaviour": "list", "dataset": "users", "items": "/data"}},
    }


def test_records_merge_by_id_and_keep_what_was_there(write_doc: WriteDoc) -> None:
    recording, schema, folder = _schema(write_doc)
    recording.fold(Answered(LIST, DATASET, {"data": [{"id": 1, "name": "A"}, {"id": 2}]}, schema))
    recording.fold(Answered(LIST, DATASET, {"data": [{"id": 2, "name": "B"}, {"name": "no id"}]},
                            schema))  # fmt: skip
    written = json.loads((folder / "users.json").read_text())
    assert written == [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]
