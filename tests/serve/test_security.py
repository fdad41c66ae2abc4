"""Credentials in the scheme's shape, against known tokens and their scopes."""

from __future__ import annotations

import base64

import pytest

from mockserver.serve.security import (
    DEVELOPMENT_TOKEN,
    RequestCredentials,
    TokenBook,
    check_security,
)
from mockserver.spec.model import SecurityScheme
from tests.conftest import DATA, MakeClient

BEARER = {"bearer": SecurityScheme("bearer", "http", scheme="bearer")}
API_KEY = {"key": SecurityScheme("key", "apiKey", location="header", parameter_name="X-Key")}
BASIC = {"basic": SecurityScheme("basic", "http", scheme="basic")}


def creds(**headers: str) -> RequestCredentials:
    return RequestCredentials({k.lower().replace("_", "-"): v for k, v in headers.items()}, {}, {})


def test_no_requirements_means_open() -> None:
    assert check_security((), BEARER, creds(), TokenBook()).allowed
    assert check_security(((),), BEARER, creds(), TokenBook()).allowed  # `security: [{}]`


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"authorization": "Bearer mock-token"}, 200),
        ({"authorization": "bearer mock-token"}, 200),
        ({"authorization": "Bearer other"}, 401),
        ({"authorization": "mock-token"}, 401),  # a bearer scheme wants the Bearer prefix
        ({"authorization": "Basic bW9jay10b2tlbg=="}, 401),
    ],
)
def test_bearer_tokens_must_be_known(headers: dict[str, str], status: int) -> None:
    verdict = check_security(((("bearer", ()),),), BEARER, creds(**headers), TokenBook())
    assert verdict.status == status


def test_raw_api_key_header() -> None:
    requirement = ((("key", ()),),)
    assert check_security(requirement, API_KEY, creds(x_key=DEVELOPMENT_TOKEN), TokenBook()).allowed
    assert check_security(requirement, API_KEY, creds(x_key="nope"), TokenBook()).status == 401


def test_basic_auth_takes_the_token_as_password() -> None:
    encoded = base64.b64encode(b"someone:mock-token").decode()
    verdict = check_security(
        ((("basic", ()),),), BASIC, creds(authorization=f"Basic {encoded}"), TokenBook()
    )
    assert verdict.allowed


def test_any_token_accepts_well_formed_credentials_only() -> None:
    book = TokenBook(any_token=True)
    requirement = ((("bearer", ()),),)
    assert check_security(requirement, BEARER, creds(authorization="Bearer x"), book).allowed
    assert check_security(requirement, BEARER, creds(), book).status == 401


def test_scopes_any_one_requirement_suffices_else_403() -> None:
    book = TokenBook().with_tokens([("reader", frozenset({"read"})), ("none", frozenset())])
    requirements = ((("bearer", ("admin",)),), (("bearer", ("read",)),))
    assert check_security(requirements, BEARER, creds(authorization="Bearer reader"), book).allowed
    denied = check_security(requirements, BEARER, creds(authorization="Bearer none"), book)
    assert denied.status == 403 and "admin, read" in denied.reason
    assert check_security(
        requirements, BEARER, creds(authorization="Bearer mock-token"), book
    ).allowed


def test_unknown_tokens_get_401_over_http(make_client: MakeClient) -> None:
    client = make_client(DATA / "keywords-3.1.yaml")
    response = client.get("/keywords-3.1/zoo/v1/things", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert "mock-token" in response.json()["detail"]


def test_any_token_option_over_http(make_client: MakeClient) -> None:
    client = make_client(DATA / "keywords-3.1.yaml", any_token=True)
    response = client.get("/keywords-3.1/zoo/v1/things", headers={"Authorization": "Bearer x"})
    assert response.status_code == 200
