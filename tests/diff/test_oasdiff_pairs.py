"""oasdiff's own test pairs: every break its tests assert is proven, no false alarm.

The pairs and oasdiff's verdicts are in tests/diff/oasdiff/ (manifest.yaml, with the
provenance). A breaking pair must have, at every place oasdiff names (request, response,
webhook), a finding there that a witness proves; a safe pair must have no proven break of
clients. Response and body witnesses are confirmed by ``mockserver validate``'s payload
check, which shares no code with the diff. Debatable pairs are not scored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.diff.runner import diff_files
from mockserver.report.findings import Finding
from mockserver.spec.loader import load_document
from mockserver.validate.payload import check_payload

PAIRS = Path(__file__).parent / "oasdiff"
MANIFEST: dict[str, dict[str, Any]] = yaml.safe_load((PAIRS / "manifest.yaml").read_text())
#: The rule codes that prove a break at each place oasdiff names.
PLACES = {
    "request": {"MS401", "MS402", "MS403", "MS404", "MS409"},
    "response": {"MS405", "MS406", "MS407", "MS408", "MS410", "MS411", "MS412", "MS413"},
    "webhook": {"MS414", "MS415", "MS416"},
}


def _pairs(verdict: str) -> list[str]:
    return sorted(name for name, entry in MANIFEST.items() if entry["verdict"] == verdict)


def _findings(name: str) -> list[Finding]:
    entry = MANIFEST[name]
    return diff_files(PAIRS / "data" / entry["old"], PAIRS / "data" / entry["new"]).findings


def test_the_manifest_scores_about_fifty_breaking_and_twenty_safe_pairs() -> None:
    assert len(_pairs("breaking")) >= 47
    assert len(_pairs("safe")) >= 19
    assert all(MANIFEST[name].get("reason") for name in _pairs("debatable"))
    for entry in MANIFEST.values():
        assert (PAIRS / "data" / entry["old"]).is_file()
        assert (PAIRS / "data" / entry["new"]).is_file()


@pytest.mark.parametrize("name", _pairs("breaking"))
def test_every_break_oasdiff_asserts_is_proven_at_its_place(name: str, tmp_path: Path) -> None:
    findings = _findings(name)
    proven = [f for f in findings if f.details.get("proven")]

    assert not any(f.fatal for f in findings), findings
    for place in MANIFEST[name]["breaks"]:
        assert {f.code for f in proven} & PLACES[place], (place, [f.message for f in findings])
    for finding in proven:
        _confirm(finding, MANIFEST[name], tmp_path)


@pytest.mark.parametrize("name", _pairs("safe"))
def test_a_safe_pair_raises_no_alarm_for_clients(name: str) -> None:
    findings = _findings(name)

    alarms = [f for f in findings if f.details.get("proven") and f.details["breaks"] == "clients"]
    assert not any(f.fatal for f in findings)
    assert alarms == [], [f.message for f in alarms]


def _confirm(finding: Finding, entry: dict[str, Any], tmp_path: Path) -> None:
    """The witness is a field of the finding, and both documents' validators agree on it."""
    witness = finding.details["witness"]
    assert witness["accepted_by"] != witness["rejected_by"]
    operation = finding.details["operations"][0]
    if finding.code in PLACES["webhook"]:
        return  # a webhook is not a served operation: validate cannot judge it
    violation = witness["violation"]
    if witness["kind"] == "request":
        assert witness["curl"].startswith("curl ")
        if not violation["at"].startswith("/body") or violation["keyword"] in _NAMED:
            return  # parameters are judged as they arrive on the wire; parts by their rule
        media = witness["headers"].get("Content-Type")
        _agree(witness, entry, tmp_path, operation, status=None, request=True, media=media)
        return
    if violation["keyword"] in _NAMED:
        return  # a media type or status no longer served: named by the rule, not a value
    _agree(witness, entry, tmp_path, operation, witness["status"], False, witness["content_type"])


#: Keywords that name a missing or refused part, not a value a validator can judge.
_NAMED = frozenset({"required", "mediaType", "operation", "security", "status"})


def _agree(
    witness: dict[str, Any],
    entry: dict[str, Any],
    tmp_path: Path,
    operation: str,
    status: int | None,
    request: bool,
    media: str | None,
) -> None:
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(witness["body"]))
    for who, clean in ((witness["accepted_by"], True), (witness["rejected_by"], False)):
        document = load_document(PAIRS / "data" / entry[who.lower()])
        found = check_payload(
            payload, document, operation, status=status, request=request, content_type=media
        )
        assert (found == []) is clean, (who, found)
