"""Our own behavioural suite, in the format of Prism's test harness (issue 17).

Each file in cases/ is a document, a curl request and the expected answer; the suite
runs every case against the app in process and asserts status, every header the case
names (content type by its essence; a value ending in ``*`` is a prefix, so ``*`` alone
means "present") and the body (exact
for ====expect====, loose for ====expect-loose==== as Prism's runner judges it). A case of
behaviour not built yet carries a ====xfail==== section with the reason: it runs as a
strict xfail, so the day it passes the suite fails until the marker is removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.harness_case import (
    Answer,
    Case,
    Request,
    body_agrees,
    parse_answer,
    parse_case,
    translate,
)
from tests.conftest import MakeClient

CASES = Path(__file__).resolve().parent / "cases"


def _params() -> list[object]:
    params: list[object] = []
    for path in sorted(CASES.glob("*.txt")):
        case = parse_case(path.name, path.read_text(encoding="utf-8"))
        reason = case.get("xfail").strip()
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=path.stem, marks=marks))
    return params


def _request(case: Case) -> Request:
    request = translate(case.get("command").strip())
    flags = case.get("server").split()
    if "-d" in flags or "--dynamic" in flags:
        request.headers.append(("Prefer", "dynamic=true"))
    return request


def assert_headers(expected: Answer, got: Answer) -> None:
    """Every header the case names is there; content type by essence, ``x*`` as a prefix."""
    for name, value in expected.headers.items():
        if name == "content-type":
            assert got.media_type == expected.media_type, f"content-type: {got.headers}"
        elif value.endswith("*"):
            assert name in got.headers, f"{name} missing from {got.headers}"
            assert got.headers[name].startswith(value[:-1]), f"{name}: {got.headers}"
        else:
            assert got.headers.get(name) == value, f"{name}: {got.headers}"


def test_every_case_names_its_sections() -> None:
    for path in CASES.glob("*.txt"):
        case = parse_case(path.name, path.read_text(encoding="utf-8"))
        for section in ("test", "spec", "command"):
            assert case.get(section).strip(), f"{path.name} has no ===={section}===="
        assert case.get("expect") or case.get("expect-loose"), path.name


@pytest.mark.parametrize("case", _params())
def test_case(case: Case, tmp_path: Path, make_client: MakeClient) -> None:
    suffix = ".json" if case.get("spec").lstrip().startswith("{") else ".yaml"
    spec = tmp_path / f"harness{suffix}"
    spec.write_text(case.get("spec"), encoding="utf-8")
    errors = "--errors" in case.get("server").split()  # serve's own --errors
    client = make_client(spec, fixtures_dir=None, any_token=True, errors=errors)
    request = _request(case)
    response = client.request(
        request.method, request.target, headers=request.headers, content=request.body or None
    )
    headers = {k.lower(): v for k, v in response.headers.items()}
    got = Answer(response.status_code, headers, response.text)
    expected = parse_answer(case.expected)
    assert got.status == expected.status, f"{got.status} {got.headers} {got.body[:300]}"
    assert_headers(expected, got)
    assert body_agrees(expected.body, got.body, case.mode), f"body: {got.body[:300]!r}"
