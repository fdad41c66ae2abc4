"""Credentials in the scheme's shape, against known tokens and their scopes."""

from __future__ import annotations

import base64

import pytest

from mockserver.serve.problems import Problem
from mockserver.serve.security import (
    DEVELOPMENT_TOKEN,
    EVERY_SCOPE,
    Forbidden,
    Grant,
    RequestCredentials,
    TokenBook,
    Unauthorized,
    UnknownToken,
    check_security,
)
from mockserver.spec.model import SecurityRequirement, SecurityScheme
from tests.conftest import DATA, MakeClient

BEARER = {"bearer": SecurityScheme("bearer", "http", scheme="bearer")}
API_KEY = {"key": SecurityScheme("key", "apiKey", location="header", parameter_name="X-Key")}
BASIC = {"basic": SecurityScheme("basic", "http", scheme="basic")}


def creds(**headers: str) -> RequestCredentials:
    return RequestCredentials({k.lower().replace("_", "-"): v for k, v in headers.items()}, {}, {})


def status(
    requirements: tuple[SecurityRequirement, ...],
    schemes: dict[str, SecurityScheme],
    request: RequestCredentials,
    book: TokenBook,
) -> int:
    """200 when the check returns, else the status of the problem it raises."""
    try:
        check_security(requirements, schemes, request, book)
    except Problem as problem:
        return problem.status
    return 200


def test_no_requirements_means_open() -> None:
    assert status((), BEARER, creds(), TokenBook()) == 200
    assert status(((),), BEARER, creds(), TokenBook()) == 200  # `security: [{}]`


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 401),
        ({"authorization": "Bearer mock-token"}, 200),
        ({"authorization": "bearer mock-token"}, 200),
        ({"authorization": "Bearer other"}, 401),
        ({"authorization": "mock-token"}, 401),  # a bearer scheme wants the Bearer prefix
        ({"authorization": "Basic bW9jay10b2tlbg=="}, 401),
    ],
)
def test_bearer_tokens_must_be_known(headers: dict[str, str], expected: int) -> None:
    assert status(((("bearer", ()),),), BEARER, creds(**headers), TokenBook()) == expected


def test_raw_api_key_header() -> None:
    requirement = ((("key", ()),),)
    assert status(requirement, API_KEY, creds(x_key=DEVELOPMENT_TOKEN), TokenBook()) == 200
    assert status(requirement, API_KEY, creds(x_key="nope"), TokenBook()) == 401


def test_basic_auth_takes_the_token_as_password() -> None:
    encoded = base64.b64encode(b"someone:mock-token").decode()
    request = creds(authorization=f"Basic {encoded}")
    assert status(((("basic", ()),),), BASIC, request, TokenBook()) == 200


def test_any_token_accepts_well_formed_credentials_only() -> None:
    book = TokenBook(any_token=True)
    requirement = ((("bearer", ()),),)
    assert status(requirement, BEARER, creds(authorization="Bearer x"), book) == 200
    assert status(requirement, BEARER, creds(), book) == 401


def test_scopes_any_one_requirement_suffices_else_403() -> None:
    book = TokenBook().with_tokens([("reader", frozenset({"read"})), ("none", frozenset())])
    requirements = ((("bearer", ("admin",)),), (("bearer", ("read",)),))
    assert status(requirements, BEARER, creds(authorization="Bearer reader"), book) == 200
    with pytest.raises(Forbidden, match="admin, read"):
        check_security(requirements, BEARER, creds(authorization="Bearer none"), book)
    assert status(requirements, BEARER, creds(authorization="Bearer mock-token"), book) == 200


def test_a_refusal_is_raised_as_its_own_problem_type() -> None:
    with pytest.raises(Unauthorized, match="missing credentials") as raised:
        check_security(((("bearer", ()),),), BEARER, creds(), TokenBook())
    assert raised.value.status == 401


def test_the_token_book_gives_one_type_and_raises_for_an_unknown_token() -> None:
    book = TokenBook().with_tokens([("reader", frozenset({"read"}))])
    assert book.scopes(DEVELOPMENT_TOKEN) == EVERY_SCOPE
    assert book.scopes("reader") == Grant(frozenset({"read"}))
    assert book.scopes("reader").missing(["read", "write"]) == ["write"]
    with pytest.raises(UnknownToken):
        book.scopes("stranger")
    assert TokenBook(any_token=True).scopes("stranger") == EVERY_SCOPE


def test_unknown_tokens_get_401_over_http(make_client: MakeClient) -> None:
    client = make_client(DATA / "keywords-3.1.yaml")
    response = client.get("/keywords-3.1/zoo/v1/things", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert "mock-token" in response.json()["detail"]


def test_any_token_option_over_http(make_client: MakeClient) -> None:
    client = make_client(DATA / "keywords-3.1.yaml", any_token=True)
    response = client.get("/keywords-3.1/zoo/v1/things", headers={"Authorization": "Bearer x"})
    assert response.status_code == 200
