"""The breaks oasdiff's pairs showed mockserver missing, each on a small pair of its own,
and what a machine reads: the witness and both places as fields, the side a break hurts,
``--fail-on`` by side, a crash that exits 2 naming the pair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.cli import main as cli_main
from mockserver.diff import runner
from mockserver.diff.runner import diff_files
from mockserver.diff.witness import curl
from mockserver.generation.serialize import WireRequest
from mockserver.report.findings import Finding

PAIRS = Path(__file__).parent / "pairs"


def _document(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def _get(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    content = {media: {"schema": schema}}
    return {"get": {"responses": {"200": {"description": "ok", "content": content}}}}


def _post(schema: dict[str, Any]) -> dict[str, Any]:
    body = {"required": True, "content": {"application/json": {"schema": schema}}}
    return {"post": {"requestBody": body, "responses": {"204": {"description": "ok"}}}}


def _diff(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
    paths = _write(tmp_path, old, new)
    return diff_files(*paths).findings


def _write(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[Path, Path]:
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new), encoding="utf-8")
    return tmp_path / "old.yaml", tmp_path / "new.yaml"


def _proven(findings: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in findings if f.details.get("proven")}


_PET = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}


def test_a_response_under_a_wildcard_media_type_is_compared(tmp_path: Path) -> None:
    loose = {"type": "object", "properties": {"id": {"type": "integer"}}}
    old = _document({"/pets": _get(_PET, "*/*")})
    new = _document({"/pets": _get(loose, "*/*")})

    found = _proven(_diff(tmp_path, old, new))

    assert found["MS412"].details["witness"]["body"] == {}


def test_a_removed_response_media_type_is_a_break_for_clients(tmp_path: Path) -> None:
    both = _get(_PET)
    both["get"]["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    old, new = (
        _document({"/pets": both}),
        _document({"/pets": _get({"type": "string"}, "text/csv")}),
    )

    finding = _proven(_diff(tmp_path, old, new))["MS413"]

    assert finding.details["breaks"] == "clients"
    assert finding.details["witness"]["content_type"] == "application/json"
    assert finding.details["witness"]["violation"]["keyword"] == "mediaType"


@pytest.mark.parametrize(
    "nullable",
    [{"type": ["string", "null"]}, {"anyOf": [{"type": "string"}, {"type": "null"}]}],
)
def test_a_response_that_became_nullable_is_proven_with_null(
    tmp_path: Path, nullable: dict[str, Any]
) -> None:
    old = _document({"/name": _get({"type": "string"})})
    new = _document({"/name": _get(nullable)})

    findings = _diff(tmp_path, old, new)

    assert [f.details["witness"]["body"] for f in findings if f.details["proven"]] == [None]


def test_undeclared_keys_prove_a_property_names_change(tmp_path: Path) -> None:
    named = {**_PET, "propertyNames": {"pattern": "^[a-z]+$"}}
    old, new = _document({"/pets": _post(_PET)}), _document({"/pets": _post(named)})

    finding = _proven(_diff(tmp_path, old, new))["MS404"]

    body = finding.details["witness"]["body"]
    assert set(body) - {"id"}, body  # a key the schema does not declare
    assert finding.details["witness"]["violation"]["keyword"] in ("propertyNames", "pattern")


def test_a_required_read_only_field_binds_responses_only(tmp_path: Path) -> None:
    ids = {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}}
    old_schema = {"type": "object", "properties": ids}
    new_schema = {**old_schema, "required": ["id"]}
    old, new = _document({"/pets": _post(old_schema)}), _document({"/pets": _post(new_schema)})

    assert [f.code for f in _diff(tmp_path, old, new)] == []


def test_webhooks_are_compared_with_the_roles_reversed(tmp_path: Path) -> None:
    def hooks(status: dict[str, Any]) -> dict[str, Any]:
        body = {"type": "object", "properties": {"status": status}}
        return {"orderCreated": _post(body), "orderDeleted": _post({"type": "object"})}

    old = _document({}, webhooks=hooks({"enum": ["new", "paid"]}))
    new = _document({}, webhooks=hooks({"enum": ["new", "paid", "lost"]}))
    del new["webhooks"]["orderDeleted"]

    found = _proven(_diff(tmp_path, old, new))

    assert found["MS414"].details["operations"] == ["POST /webhooks/orderDeleted"]
    sent = found["MS415"].details["witness"]
    assert sent["body"] == {"status": "lost"}
    assert (sent["accepted_by"], sent["rejected_by"]) == ("NEW", "OLD")


def test_one_change_through_several_operations_is_one_finding(tmp_path: Path) -> None:
    pet = {"components": {"schemas": {"Pet": _PET}}}
    ref = {"$ref": "#/components/schemas/Pet"}
    paths = {"/pets": _get(ref), "/pets/{id}": _get(ref)}
    old = _document(paths, **pet)
    new = json.loads(json.dumps(old))
    new["components"]["schemas"]["Pet"]["required"] = []

    findings = _diff(tmp_path, old, new)

    assert len(findings) == 1
    assert findings[0].details["operations"] == ["GET /pets", "GET /pets/{id}"]


def test_json_carries_the_witness_and_both_places_as_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pair = [str(PAIRS / "required-query-added" / f) for f in ("old.yaml", "new.yaml")]
    assert cli_main(["diff", *pair, "--format", "json"]) == 1

    details = json.loads(capsys.readouterr().out)["findings"][0]["details"]
    assert details["breaks"] == "clients"
    assert details["old"]["file"].endswith("old.yaml") and details["old"]["line"] > 1
    assert details["new"]["file"].endswith("new.yaml") and details["new"]["line"] > 1
    witness = details["witness"]
    assert {"method", "path", "query", "headers", "body", "curl"} <= set(witness)
    assert witness["rejected_by"] == "NEW"


def test_sarif_carries_the_same_fields_as_properties(capsys: pytest.CaptureFixture[str]) -> None:
    pair = [str(PAIRS / "response-enum-widened" / f) for f in ("old.yaml", "new.yaml")]
    cli_main(["diff", *pair, "--format", "sarif"])

    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    witness = result["properties"]["witness"]
    assert (witness["kind"], witness["status"]) == ("response", 200)
    assert result["properties"]["breaks"] == "clients"


@pytest.mark.parametrize(("fail_on", "code"), [("clients", 0), ("providers", 1), ("both", 1)])
def test_fail_on_picks_the_side_whose_breaks_fail_the_run(
    fail_on: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = [str(PAIRS / "response-narrowed" / f) for f in ("old.yaml", "new.yaml")]

    assert cli_main(["diff", *pair, "--fail-on", fail_on]) == code
    out = capsys.readouterr().out
    assert "MS410" in out and "(breaks providers)" in out


def test_a_client_break_passes_when_only_providers_fail_the_run() -> None:
    pair = [str(PAIRS / "required-query-added" / f) for f in ("old.yaml", "new.yaml")]

    assert cli_main(["diff", *pair, "--fail-on", "providers"]) == 0
    assert cli_main(["diff", *pair, "--fail-on", "both"]) == 1


def test_a_crash_exits_2_and_names_the_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> list[Finding]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "diff_sides", broken)  # our own function, not a library's
    old, new = _write(tmp_path, _document({}), _document({}))

    assert cli_main(["diff", str(old), str(new)]) == 2
    out = capsys.readouterr().out
    assert "MS098" in out and "old.yaml with" in out and "new.yaml failed" in out
    assert "Traceback" not in out


def test_the_curl_witness_fills_templates_and_runs_as_printed(tmp_path: Path) -> None:
    filters = {
        "name": "filter",
        "in": "query",
        "style": "deepObject",
        "schema": {"type": "object", "properties": {"size": {"type": "integer"}}},
    }
    pet = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    op = {"parameters": [pet, filters], "responses": {"204": {"description": "ok"}}}
    old = _document({"/pets/{id}": {"get": op}})
    new = json.loads(json.dumps(old))
    new["paths"]["/pets/{id}"]["get"]["parameters"][1]["schema"]["properties"]["size"][
        "maximum"
    ] = 5

    witness = _proven(_diff(tmp_path, old, new))["MS404"].details["witness"]

    assert "{" not in witness["path"]
    url = witness["curl"].split("'")[1]
    assert url.endswith("?filter%5Bsize%5D=6")  # encoded: nothing for curl to glob
    assert not any(c in url for c in "[]{}") or witness["curl"].startswith("curl -g ")


def test_curl_turns_globbing_off_where_brackets_remain() -> None:
    assert curl(WireRequest("get", "/files/[draft]")).startswith("curl -g -i -X GET ")
    assert curl(WireRequest("get", "/files/draft")).startswith("curl -i -X GET ")


def test_a_response_left_undescribed_is_named_not_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _document({"/pets": _get(_PET)})
    new = _document({"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}})
    paths = _write(tmp_path, old, new)

    assert cli_main(["diff", *map(str, paths)]) == 0
    out = capsys.readouterr().out
    assert "info MS417 response-not-compared" in out
    assert "response 200 (application/json) not compared" in out
    assert "all clean" not in out


def test_a_callback_request_widened_breaks_its_subscribers(tmp_path: Path) -> None:
    def subscribe(kinds: list[str]) -> dict[str, Any]:
        event = {"type": "object", "properties": {"kind": {"enum": kinds}}}
        callback = {"{$request.body#/url}": _post(event)}
        operation = _post({"type": "object"})
        operation["post"]["callbacks"] = {"onEvent": callback}
        return _document({"/subscribe": operation})

    found = _proven(_diff(tmp_path, subscribe(["created"]), subscribe(["created", "lost"])))

    finding = found["MS415"]
    assert finding.details["operations"] == ["POST /subscribe/callbacks/onEvent"]
    assert finding.details["witness"]["body"] == {"kind": "lost"}


def test_a_pattern_every_string_matches_is_no_constraint(tmp_path: Path) -> None:
    old = _document({"/tags": _post({"type": "string", "pattern": ".*"})})
    new = _document({"/tags": _post({"type": "string"})})

    assert _diff(tmp_path, old, new) == []
    assert _diff(tmp_path, new, old) == []


def test_a_one_of_with_null_is_the_nullable_type_it_spells(tmp_path: Path) -> None:
    wrapped = {"oneOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]}
    typed = {"type": ["string", "null"], "enum": ["a", "b", None]}
    old, new = _document({"/tags": _get(wrapped)}), _document({"/tags": _get(typed)})

    assert _diff(tmp_path, old, new) == []
