"""Credentials in the scheme's shape, against known tokens and their scopes."""

from __future__ import annotations

import base64
from typing import Any

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
from tests.conftest import DATA, MakeClient, WriteDoc

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


def http_scheme(name: str) -> dict[str, SecurityScheme]:
    return {"s": SecurityScheme("s", "http", scheme=name)}


AWS4 = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6"
)


@pytest.mark.parametrize(
    ("scheme", "header"),
    [
        ("digest", 'Digest username="u", realm="r", nonce="n", uri="/x", response="6629fae4"'),
        ("Digest", 'digest username="u",realm="r"'),  # the scheme name in any case
        ("hoba", "HOBA result=kid.challenge.nonce.sig"),
        ("mutual", 'Mutual sid=0123, reqid=1, vkc="dmtj"'),
        ("negotiate", "Negotiate YIIBzgYGKwYBBQUCoIIBwjCCAb6gMDAuBgkqhkiC9xIBAgIGCSqGSIb3"),
        ("Negotiate", "Negotiate YII=="),  # token68 may end in '='
        ("aws4-hmac-sha256", AWS4),
        ("x-custom", "X-Custom a=b"),
    ],
)
def test_other_http_schemes_are_accepted_by_their_shape(scheme: str, header: str) -> None:
    request = creds(authorization=header)
    assert status(((("s", ()),),), http_scheme(scheme), request, TokenBook()) == 200


@pytest.mark.parametrize(
    ("scheme", "header"),
    [
        ("digest", ""),  # no credentials
        ("digest", "Digest"),  # a bare scheme name carries no credential
        ("digest", "Bearer mock-token"),  # another scheme
        ("digest", 'Digest username="u", realm'),  # an auth-param without a value
        ("digest", 'Digest username="unterminated'),
        ("negotiate", "Negotiate a b"),  # neither token68 nor auth-params
        ("negotiate", "Negotiate =abc"),  # neither starts with "="
    ],
)
def test_other_http_schemes_refuse_a_malformed_credential(scheme: str, header: str) -> None:
    request = creds(authorization=header) if header else creds()
    with pytest.raises(Unauthorized) as raised:
        check_security(((("s", ()),),), http_scheme(scheme), request, TokenBook())
    assert raised.value.status == 401
    assert dict(raised.value.headers)["WWW-Authenticate"].lower().startswith(scheme)


def test_a_shape_accepted_credential_has_every_scope() -> None:
    request = creds(authorization="Negotiate YIIBzg==")
    assert status(((("s", ("admin",)),),), http_scheme("negotiate"), request, TokenBook()) == 200


def challenge_of(requirements: tuple[SecurityRequirement, ...], schemes: dict[str, Any]) -> str:
    with pytest.raises(Unauthorized) as raised:
        check_security(requirements, schemes, creds(), TokenBook())
    return dict(raised.value.headers)["WWW-Authenticate"]


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (SecurityScheme("s", "http", scheme="bearer"), 'Bearer realm="mockserver"'),
        (SecurityScheme("s", "http", scheme="BASIC"), 'Basic realm="mockserver", charset="UTF-8"'),
        (SecurityScheme("s", "http", scheme="digest"), 'Digest realm="mockserver", nonce='),
        (SecurityScheme("s", "http", scheme="hoba"), 'HOBA realm="mockserver"'),
        (SecurityScheme("s", "http", scheme="aws4-hmac-sha256"), "AWS4-HMAC-SHA256 realm="),
        (SecurityScheme("s", "oauth2"), 'Bearer realm="mockserver"'),
        (SecurityScheme("s", "openIdConnect"), 'Bearer realm="mockserver"'),
        (
            SecurityScheme("s", "apiKey", location="header", parameter_name="X-Key"),
            'ApiKey realm="mockserver", in="header", name="X-Key"',
        ),
    ],
)
def test_a_401_challenges_with_the_scheme_it_accepts(scheme: SecurityScheme, expected: str) -> None:
    assert challenge_of(((("s", ()),),), {"s": scheme}).startswith(expected)


def test_a_401_names_every_scheme_the_operation_accepts_once() -> None:
    schemes = {**BEARER, **API_KEY, **http_scheme("digest")}
    requirements = ((("bearer", ()),), (("s", ()), ("key", ())), (("bearer", ()),))
    challenge = challenge_of(requirements, schemes)
    assert challenge.startswith('Bearer realm="mockserver", Digest realm="mockserver"')
    assert challenge.count("Bearer") == 1 and 'ApiKey realm="mockserver"' in challenge


def test_a_403_carries_no_challenge() -> None:
    book = TokenBook().with_tokens([("none", frozenset())])
    with pytest.raises(Forbidden) as raised:
        check_security(
            ((("bearer", ("admin",)),),), BEARER, creds(authorization="Bearer none"), book
        )
    assert raised.value.headers == ()


DIGEST_DOC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "components": {"securitySchemes": {"digest": {"type": "http", "scheme": "digest"}}},
    "security": [{"digest": []}],
    "paths": {"/secret": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def test_digest_over_http_with_a_remembered_verdict(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    client = make_client(write_doc(DIGEST_DOC), fixtures_dir=None)
    for _ in range(2):  # the second answer comes from the guard's memo: the same headers
        refused = client.get("/api/secret")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith('Digest realm="mockserver"')
        assert "401 is not declared" in refused.headers["warning"]
    accepted = client.get("/api/secret", headers={"Authorization": 'Digest username="u"'})
    assert accepted.status_code == 200
