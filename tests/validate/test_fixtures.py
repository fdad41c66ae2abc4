"""Fixture folders: the declaration binds to real operations and every record is valid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.spec.source import load_source
from mockserver.validate.runner import validate_paths
from tests.conftest import DATA

DECLARATION: dict[str, Any] = {
    "spec": "keywords-3.1",
    "datasets": {"things": {"file": "things.json", "id": "id"}},
    "operations": {
        "listThings": {
            "behaviour": "list",
            "items": "/items",
            "paging": {"style": "offset", "size-param": "limit"},
        },
        "getThing": {"behaviour": "get", "param": "thingId"},
    },
}
GOOD = {"id": "a-1", "kind": "widget", "point": [1, 2]}


def make_folder(
    tmp_path: Path, records: list[Any], declaration: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(DATA / "keywords-3.1.yaml", specs)
    folder = tmp_path / "fixtures" / "zoo"
    folder.mkdir(parents=True)
    (folder / "mock.yaml").write_text(yaml.safe_dump(declaration or DECLARATION, sort_keys=False))
    (folder / "things.json").write_text(json.dumps(records, indent=2))
    return folder, specs


def test_a_valid_folder_is_clean(tmp_path: Path) -> None:
    folder, specs = make_folder(tmp_path, [GOOD, {**GOOD, "id": "a-2"}])
    assert validate_paths([folder], specs).findings == []


def test_a_record_breaking_its_schema_is_named_with_line(tmp_path: Path) -> None:
    folder, specs = make_folder(tmp_path, [GOOD, {"id": "b", "kind": "widget", "point": [1, "x"]}])
    findings = validate_paths([folder], specs).findings
    codes = {(f.code, f.pointer, f.line) for f in findings}
    # served twice (list and get), the same defect is reported once per operation
    assert codes == {("MS201", "/1/point/1", 15)}
    assert len(findings) == 2
    assert {f.message.split(":")[0] for f in findings} == {
        "record 1 as served by GET /things",
        "record 1 as served by GET /things/{thingId}",
    }


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    folder, specs = make_folder(tmp_path, [GOOD, GOOD])
    [finding] = validate_paths([folder], specs).findings
    assert (finding.code, finding.pointer) == ("MS203", "/1/id")


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"operations": {"nope": {"behaviour": "get"}}}, "/operations/nope"),
        (
            {"operations": {"getThing": {"behaviour": "get", "param": "nope"}}},
            "/operations/getThing/param",
        ),
        ({"operations": {"getThing": {"behaviour": "fly"}}}, "/operations/getThing/behaviour"),
        (
            {"operations": {"listThings": {"behaviour": "list", "items": "/nope"}}},
            "/operations/listThings/items",
        ),
        ({"spec": "missing"}, "/spec"),
    ],
)
def test_broken_declarations_are_mS202_at_the_pointer(
    tmp_path: Path, change: dict[str, Any], pointer: str
) -> None:
    folder, specs = make_folder(tmp_path, [GOOD], {**DECLARATION, **change})
    outcome = validate_paths([folder], specs)
    [finding] = outcome.findings
    assert (finding.code, finding.pointer, outcome.exit_code()) == ("MS202", pointer, 1)
    where = load_source(folder / "mock.yaml").position(pointer)
    assert (finding.file.name, finding.line) == ("mock.yaml", where.line)
