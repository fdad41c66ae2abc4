"""``contract --base-url URL --compare-mock``: the same seeded cases against a real provider
(a second mockserver, on the document or on a drifted copy, in its own process) and the
in-process mock, and a report of where their answers part."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WriteDoc, launch, serving

pytestmark = pytest.mark.subprocess

PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def pets_doc() -> dict[str, Any]:
    def ok(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
        return {"200": {"description": "ok", "content": {media: {"schema": schema}}}}

    pets = {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
    path_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "pets", "version": "1"},
        "servers": [{"url": "/v1"}],
        "paths": {
            "/pets": {"get": {"operationId": "listPets", "responses": ok(pets)}},
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [path_id],
                    "responses": ok({"$ref": "#/components/schemas/Pet"}),
                }
            },
        },
        "components": {"schemas": {"Pet": PET}},
    }


def drifted_doc() -> dict[str, Any]:
    doc = copy.deepcopy(pets_doc())
    doc["components"]["schemas"]["Pet"]["properties"]["id"] = {"type": "string"}
    get = doc["paths"]["/pets/{id}"]["get"]
    get["responses"]["200"]["content"] = {"text/plain": {"schema": {"type": "string"}}}
    return doc


def no_fixtures(tmp_path: Path) -> str:
    """An empty fixtures folder (``--fixtures`` must name one that exists)."""
    folder = tmp_path / "no-fixtures"
    folder.mkdir(exist_ok=True)
    return str(folder)


def compare(doc: Path, provider_doc: Path, folder: Path, *extra: str) -> tuple[int, str]:
    with serving(str(provider_doc), "--fixtures", no_fixtures(folder)) as base:
        process = launch(
            "contract", "--spec", str(doc), "--fixtures", no_fixtures(folder),
            "--base-url", base + "/api", "--compare-mock", "--seed", "7",
            "--max-examples", "5", *extra,
        )  # fmt: skip
        output, _ = process.communicate(timeout=300)
    return process.returncode, output


def test_a_drifted_provider_is_reported_by_aspect(write_doc: WriteDoc, tmp_path: Path) -> None:
    doc = write_doc(pets_doc())
    provider = write_doc(drifted_doc(), "drifted/api.yaml")
    code, output = compare(doc, provider, tmp_path, "--format", "json")
    assert code == 1, output
    findings = json.loads(output)["findings"]
    by_code = {f["code"] for f in findings}
    assert by_code == {"schema-branch", "content-type"}, output
    listing = next(f for f in findings if f["code"] == "schema-branch")
    assert "listPets" in listing["message"] and "invalid" in listing["message"]
    getting = next(f for f in findings if f["code"] == "content-type")
    assert "text/plain" in getting["message"] and "application/json" in getting["message"]


def test_the_table_and_junit_name_each_difference(write_doc: WriteDoc, tmp_path: Path) -> None:
    doc = write_doc(pets_doc())
    provider = write_doc(drifted_doc(), "drifted/api.yaml")
    junit = tmp_path / "drift.xml"
    code, output = compare(doc, provider, tmp_path, "--junit-xml", str(junit))
    assert code == 1
    rows = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}
    # cases, then differences in status class, content type, schema branch; a list without
    # parameters has one request to draw
    assert rows["listPets"] == ["1", ".", ".", "1"]
    assert rows["getPet"] == ["5", ".", "5", "."]
    assert "reproduce: curl" in output
    assert junit.read_text().count("<failure") == 6


def test_a_provider_on_the_same_document_shows_no_drift(
    write_doc: WriteDoc, tmp_path: Path
) -> None:
    doc = write_doc(pets_doc())
    code, output = compare(doc, doc, tmp_path)
    assert code == 0, output
    assert "6 cases: no drift found" in output
