"""The declared status that answers each situation, in the order the README states."""

from __future__ import annotations

import httpx
import pytest

from mockserver.serve.statuses import Fault, choose_status, validation_status
from tests.conftest import DATA, TOKEN, serving


@pytest.mark.parametrize(
    ("declared", "natural", "status", "warned"),
    [
        (["200", "404"], 404, 404, False),  # declared exactly
        (["200", "4XX"], 401, 401, False),  # its range
        (["200", "default"], 401, 401, False),  # default documents every error
        (["200", "403", "default"], 401, 401, False),  # default before a relative
        (["200", "403"], 401, 401, True),  # credentials keep their status, undeclared
        (["200", "401"], 403, 403, True),
        (["200", "400"], 422, 400, True),
        (["200", "422"], 400, 422, True),
        (["200", "422"], 415, 422, True),
        (["200", "400", "409"], 406, 400, True),
        (["200", "404"], 410, 404, True),
        (["200", "404"], 405, 405, True),  # no relative: the natural 4xx, undeclared
        (["200", "500"], 401, 401, True),  # never a 2xx, never a 5xx for a refusal
        (["500", "503"], 404, 404, True),
        (["200", "404"], 500, 500, True),  # the mock's failure is never hidden
        (["500", "503"], 502, 503, True),  # ... though another declared 5xx may answer it
        (["202"], 400, 400, True),  # no error at all: the truth, undeclared and warned
        (["204", "301"], 404, 404, True),
        (["2XX"], 401, 401, True),  # only a success range
        (["200", "4XX", "default"], 415, 415, False),  # the range before default
        (["201", "400", "default"], 415, 415, False),  # default before a relative
        (["201", "400"], 200, 201, False),  # another success is simply the success
        (["204"], 200, 204, False),
        (["201", "default"], 200, 201, False),  # a 2xx before default
        (["default"], 200, 200, False),
        (["2XX"], 200, 200, False),
        (["201", "2XX", "default"], 200, 201, False),  # a declared success before the range
        (["2XX", "default"], 200, 200, False),
        (["400", "404"], 200, 400, True),  # no success declared: the lowest, warned
        ([], 200, 200, True),  # nothing declared at all
        (["101", "400"], 200, 400, True),  # 1xx is interim: never a final answer
        (["500"], 200, 200, True),  # a 5xx never answers a success: nothing fits, warned
    ],
)
def test_the_answering_status(declared: list[str], natural: int, status: int, warned: bool) -> None:
    choice = choose_status(declared, natural)
    assert (choice.status, choice.warning is not None) == (status, warned)


@pytest.mark.parametrize(
    ("declared", "fault", "natural"),
    [
        (["200"], "parameters", 422),  # neither declared: well-formed but breaks the rules
        (["200"], "body", 422),
        (["200"], "unreadable", 400),  # malformed JSON, a wrong charset: cannot be read
        (["200", "4XX"], "parameters", 422),  # the range or default then answers it
        (["200", "default"], "body", 422),
        (["200", "400"], "parameters", 400),  # only 400 declared: every violation
        (["200", "400"], "body", 400),
        (["200", "422"], "parameters", 422),  # only 422 declared: every violation...
        (["200", "422"], "body", 422),
        (["200", "422"], "unreadable", 400),  # ... but 400's relative answers this one
        (["200", "400", "422"], "parameters", 400),  # both: parameters 400, bodies 422
        (["200", "400", "422"], "body", 422),
        (["200", "400", "422"], "unreadable", 400),
    ],
)
def test_the_status_of_a_request_that_fails_validation(
    declared: list[str], fault: Fault, natural: int
) -> None:
    assert validation_status(declared, fault) == natural


def test_only_422_declared_answers_an_unreadable_body_with_422() -> None:
    assert (
        choose_status(["200", "422"], validation_status(["200", "422"], "unreadable")).status == 422
    )


def test_a_warning_names_what_was_missing_and_what_answered() -> None:
    warning = choose_status(["400", "404"], 200).warning
    assert warning is not None and warning.startswith("199 mockserver ")
    assert "2xx" in warning and "400" in warning


@pytest.mark.parametrize("natural", [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429])
@pytest.mark.parametrize(
    "declared", [[], ["200"], ["202"], ["2XX"], ["200", "500"], ["5XX"], ["301"], ["204", "301"]]
)
def test_a_refusal_is_always_a_4xx(declared: list[str], natural: int) -> None:
    choice = choose_status(declared, natural)
    assert choice.status // 100 == 4
    assert choice.warning is not None and str(natural) in choice.warning


def test_an_undeclared_refusal_names_the_gap() -> None:
    warning = choose_status(["200"], 400).warning
    assert warning is not None and "400 is not declared" in warning and "default" in warning


@pytest.mark.subprocess
def test_refusals_over_a_real_socket_on_a_document_without_a_4xx() -> None:
    notes = DATA / "no-4xx" / "notes-3.0.yaml"  # declares successes only
    with serving(str(notes)) as base:
        url = f"{base}/notes-3.0/notes/notes"
        missing = httpx.get(url, timeout=10)
        assert missing.status_code == 401  # undeclared, and never the declared 200
        assert missing.headers["www-authenticate"] == 'Bearer realm="mockserver"'
        assert "401 is not declared" in missing.headers["warning"]
        bad = httpx.get(url, params={"limit": 0}, headers=TOKEN, timeout=10)
        assert bad.status_code == 422 and bad.json()["status"] == 422  # neither 400 nor 422
        assert "422 is not declared" in bad.headers["warning"]
        assert httpx.get(url, params={"limit": 2}, headers=TOKEN, timeout=10).status_code == 200
