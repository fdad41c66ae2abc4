"""Real documents: the 2.6 MB vendored upstream against its 3.1 upgrade and a broken copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.diff.documents import load_side
from mockserver.diff.runner import iter_verdicts

FULL = Path(__file__).resolve().parents[1] / "data" / "ld-openapi.full.json"


def _upgrade(value: Any) -> Any:
    """OpenAPI 3.0 to 3.1 by hand: nullable to type arrays, boolean bounds to numbers,
    and a $ref's siblings dropped (3.0 ignores them; 3.1 would apply them)."""
    if isinstance(value, list):
        return [_upgrade(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$ref" in value:
        return {"$ref": value["$ref"]}
    out = {k: v if k in ("example", "enum", "default") else _upgrade(v) for k, v in value.items()}
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(flag), bool) and out.pop(flag) and bound in out:
            out[flag] = out.pop(bound)
    return out


pytestmark = pytest.mark.slow  # LaunchDarkly's full document, diffed whole


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FULL.read_text())
    return data


def test_the_3_1_upgrade_of_a_large_document_reports_nothing(
    full: dict[str, Any], tmp_path: Path
) -> None:
    upgraded = {**_upgrade(full), "openapi": "3.1.0"}
    path = tmp_path / "upgraded.json"
    path.write_text(json.dumps(upgraded))

    assert list(iter_verdicts(load_side(FULL), load_side(path))) == []


def test_three_breaks_in_a_large_document_are_each_proven(
    full: dict[str, Any], tmp_path: Path
) -> None:
    changed = json.loads(json.dumps(full))
    apps = changed["paths"]["/api/v2/applications"]["get"]
    next(p for p in apps["parameters"] if p.get("name") == "limit")["schema"]["maximum"] = 5
    apps["parameters"].append(
        {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    del changed["paths"]["/api/v2/applications/{applicationKey}"]["get"]
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))

    verdicts = list(iter_verdicts(load_side(FULL), load_side(path)))

    assert sorted(v.suspect.code for v in verdicts) == ["MS401", "MS402", "MS404"]
    assert all(v.witness is not None for v in verdicts)
