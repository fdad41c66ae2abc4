"""validate on suites no one here wrote: the OpenAPI Initiative's schema tests and
openapi-spec-validator's documents (``tests/data/official``, provenance in its README).

Every invalid document gets at least one finding, every valid one none, and nothing
crashes. A valid document that breaks a requirement of the specification's text (which
the suite's JSON Schema cannot express) is listed in ``SPEC_BREAKS`` with the reason and
must be flagged with exactly those rules; ``REFUSED_BY_DESIGN`` lists what mockserver
refuses on purpose. Both lists are in the table of docs/validate.md, which a test holds
to them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockserver.validate.runner import validate_paths

OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "official"

#: Valid in the suite, but breaking a MUST (or the data model) of the specification text.
SPEC_BREAKS: dict[str, tuple[frozenset[str], str]] = {
    "oai-3.1/pass/operation-object-example.yaml": (
        frozenset({"MS106", "MS107", "MS109"}),
        "the path's {id} has no parameter and the parameter petId is in no template (3.1 "
        "Path Templating: each template expression MUST correspond to a path parameter, and "
        "a path parameter's name MUST occur in the path); the security requirement names "
        "petstore_auth, which no Security Scheme declares (each name MUST correspond to one)",
    ),
    "oai-3.1/pass/link-object-examples.yaml": (
        frozenset({"MS120"}),
        "three links name operations the document does not have (a Link's operationId is "
        "'the name of an existing, resolvable OAS operation'; operationRef likewise)",
    ),
    "oai-3.1/pass/path_item_servers_parameters.yaml": (
        frozenset({"MS120"}),
        "a link names operationId getThing, which no operation has",
    ),
    "openapi-spec-validator/v3.0/petstore.yaml": (
        frozenset({"MS132"}),
        "response codes are unquoted YAML integers (3.0 Responses Object: the status code "
        "MUST be enclosed in quotation marks for compatibility between JSON and YAML)",
    ),
    "openapi-spec-validator/v3.1/petstore.yaml": (
        frozenset({"MS132"}),
        "response codes are unquoted YAML integers (3.1: MUST be quoted, as in 3.0)",
    ),
    "openapi-spec-validator/v2.0/petstore.yaml": (
        frozenset({"MS132"}),
        "response codes are unquoted YAML integers; Swagger 2.0 is defined on JSON, whose "
        "keys are strings (2.0 has no sentence asking for quotes)",
    ),
}

#: Valid in the suite, refused by mockserver on purpose (and documented as such).
REFUSED_BY_DESIGN: dict[str, tuple[frozenset[str], str]] = {
    "oai-3.1/pass/security-scheme-object-examples.yaml": (
        frozenset({"MS103"}),
        "a $ref to https://example.com/...: validate never reaches the network",
    ),
}


def _documents(verdict: str) -> list[Path]:
    manifest = json.loads((OFFICIAL / "suites.json").read_text(encoding="utf-8"))
    return sorted(path for pattern in manifest[verdict] for path in OFFICIAL.glob(pattern))


def _name(path: Path) -> str:
    return path.relative_to(OFFICIAL).as_posix()


VALID = _documents("valid")
INVALID = _documents("invalid")


def test_the_suites_are_all_there() -> None:
    assert (len(VALID), len(INVALID)) == (48, 17)
    listed = {*SPEC_BREAKS, *REFUSED_BY_DESIGN}
    assert listed <= {_name(p) for p in VALID}


@pytest.mark.parametrize("path", INVALID, ids=_name)
def test_invalid_document_is_flagged_without_a_crash(path: Path) -> None:
    outcome = validate_paths([path], ref_root=OFFICIAL)
    codes = {f.code for f in outcome.findings}
    assert codes and "MS006" not in codes  # MS006: mockserver itself failed
    assert outcome.exit_code() == (2 if min(codes) < "MS100" else 1)


#: Rules reported as warnings: they never fail the run on their own.
WARNINGS = frozenset({"MS132"})
#: Advice about serving the document, not about its validity (MS134: an operation that can
#: refuse but declares no 4xx): beside the point of a validity suite.
ADVICE = frozenset({"MS134"})


@pytest.mark.parametrize("path", VALID, ids=_name)
def test_valid_document_is_clean_or_breaks_a_listed_requirement(path: Path) -> None:
    outcome = validate_paths([path], ref_root=OFFICIAL)
    codes = frozenset(f.code for f in outcome.findings) - ADVICE
    expected, _reason = {**SPEC_BREAKS, **REFUSED_BY_DESIGN}.get(_name(path), (frozenset(), ""))
    assert codes == expected, [f"{f.code} {f.pointer}: {f.message}" for f in outcome.findings]
    failing = expected - WARNINGS  # a warning is reported without failing the run
    assert outcome.exit_code() == (1 if failing else 0)


def test_the_documented_list_is_this_one() -> None:
    page = (OFFICIAL.parents[2] / "docs" / "validate.md").read_text(encoding="utf-8")
    section = page[page.index("## The official validity suites") :]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented: dict[str, frozenset[str]] = {}
    for row in rows:
        names, rules = row.split(" | ")[:2]
        folder = ""
        for name in re.findall(r"`([^`]+)`", names):
            folder = name.rsplit("/", 2)[0] if name.count("/") > 1 else folder
            full = name if name.count("/") > 1 else f"{folder}/{name}"
            documented[full] = frozenset(re.findall(r"MS\d{3}", rules))
    expected = {name: codes for name, (codes, _) in {**SPEC_BREAKS, **REFUSED_BY_DESIGN}.items()}
    assert documented == expected
