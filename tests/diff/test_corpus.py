"""The labelled corpus: every breaking pair proven, every safe pair silent.

Witnesses are confirmed by an oracle that shares nothing with the diff: bodies and
responses through ``mockserver validate``'s payload check, parameter values by the
OpenAPI schema validators on the raw document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator

from mockserver.diff.calls import ABSENT, Call, template_names
from mockserver.diff.documents import Side, load_side
from mockserver.diff.runner import Verdict, iter_verdicts
from mockserver.spec.pointer import resolve_pointer
from mockserver.validate.payload import check_payload

PAIRS = Path(__file__).parent / "pairs"
LABELS: dict[str, dict[str, str]] = yaml.safe_load((PAIRS / "labels.yaml").read_text())


def _sides(name: str) -> tuple[Side, Side]:
    return load_side(PAIRS / name / "old.yaml"), load_side(PAIRS / name / "new.yaml")


def test_the_corpus_covers_thirty_kinds_in_every_version() -> None:
    versions = {_version(PAIRS / name / "old.yaml") for name in LABELS}
    assert len(LABELS) >= 30
    assert versions == {"2.0", "3.0", "3.1"}
    assert {"breaking", "safe"} == {label["label"] for label in LABELS.values()}


def _version(path: Path) -> str:
    data = yaml.safe_load(path.read_text())
    return "2.0" if "swagger" in data else str(data["openapi"])[:3]


@pytest.mark.parametrize("name", sorted(n for n, v in LABELS.items() if v["label"] == "safe"))
def test_a_safe_pair_reports_nothing(name: str) -> None:
    old, new = _sides(name)

    assert list(iter_verdicts(old, new)) == []


@pytest.mark.parametrize("name", sorted(n for n, v in LABELS.items() if v["label"] == "breaking"))
def test_a_breaking_pair_is_proven(name: str, tmp_path: Path) -> None:
    old, new = _sides(name)

    verdicts = list(iter_verdicts(old, new))

    assert LABELS[name]["code"] in {v.suspect.code for v in verdicts}
    for verdict in verdicts:
        assert verdict.witness is not None, f"unproven: {verdict.suspect.summary}"
        _confirm(verdict, old, new, tmp_path)


def _confirm(verdict: Verdict, old: Side, new: Side, tmp_path: Path) -> None:
    """Both documents, judged by code outside the diff, disagree on the witness."""
    witness = verdict.witness
    assert witness is not None
    sides = {"OLD": (old, verdict.suspect.old_op), "NEW": (new, verdict.suspect.new_op)}
    if witness.kind == "response":
        payload = tmp_path / "response.json"
        payload.write_text(json.dumps(witness.value))
        for who, expected_clean in ((witness.accepted_by, True), (witness.rejected_by, False)):
            side, op = sides[who]
            assert op is not None
            found = check_payload(
                payload, side.document, op.key, status=witness.status, request=False
            )
            assert (found == []) is expected_clean, (who, found)
        return
    call = witness.value
    assert isinstance(call, Call)
    violation = witness.violation
    if violation.pointer.startswith("/body") and violation.keyword not in ("required", "mediaType"):
        _confirm_body(call, sides, tmp_path)
    elif violation.pointer.startswith(("/query/", "/path/", "/header/")) and (
        violation.keyword != "required"
    ):
        _confirm_parameter(call, violation.pointer, old, new, sides)
    else:  # missing parts, media types, credentials, operations: named by the rule
        expected = {
            "MS401": "operation",
            "MS402": "required",
            "MS403": "required",
            "MS404": "mediaType",
            "MS409": "security",
        }
        assert violation.keyword == expected[verdict.suspect.code]


def _confirm_body(call: Call, sides: Any, tmp_path: Path) -> None:
    payload = tmp_path / "body.json"
    payload.write_text(json.dumps(call.body))
    for who, expected_clean in (("OLD", True), ("NEW", False)):
        side, op = sides[who]
        found = check_payload(
            payload, side.document, op.key, status=None, request=True, content_type=call.media
        )
        assert (found == []) is expected_clean, (who, found)


def _confirm_parameter(call: Call, pointer: str, old: Side, new: Side, sides: Any) -> None:
    location, name = pointer.split("/")[1:3]
    value = call.params.get((location, name), ABSENT)
    assert value is not ABSENT
    for who, expected_valid in (("OLD", True), ("NEW", False)):
        side, op = sides[who]
        param = next(p for p in op.parameters if p.location == location and _named(op, p, name))
        raw = resolve_pointer(side.document.raw, param.pointer)
        schema = raw.get("schema", raw)  # Swagger 2.0 keeps the keywords on the parameter
        cls = OAS31Validator if side.document.version.startswith("3.1") else OAS30Validator
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        assert validator.is_valid(value) is expected_valid, (who, value)


def _named(op: Any, param: Any, name: str) -> bool:
    if param.location != "path":
        return bool(param.name == name)
    return template_names(op).index(param.name) == int(name)
