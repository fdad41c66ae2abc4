"""Check credentials in the shape the operation's security scheme asks for, against known tokens.

A mock that lets any token in teaches clients nothing, so by default only known tokens
pass: the development token ``mock-token`` (every scope) and the tokens a fixture
declaration lists with their scopes. ``--any-token`` accepts any well-formed credential.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.serve.problems import Problem
from mockserver.spec.model import SecurityRequirement, SecurityScheme

DEVELOPMENT_TOKEN = "mock-token"


@dataclass(frozen=True)
class TokenBook:
    """The tokens the mock accepts; ``None`` scopes means every scope."""

    tokens: Mapping[str, frozenset[str] | None] = field(
        default_factory=lambda: {DEVELOPMENT_TOKEN: None}
    )
    any_token: bool = False

    def with_tokens(self, tokens: Iterable[tuple[str, frozenset[str] | None]]) -> TokenBook:
        """A copy that also knows ``tokens``."""
        return TokenBook({**self.tokens, **dict(tokens)}, self.any_token)

    def scopes(self, token: str) -> frozenset[str] | None | bool:
        """The token's scopes, ``None`` for all, ``False`` if the token is unknown."""
        if token in self.tokens:
            return self.tokens[token]
        return None if self.any_token else False


@dataclass(frozen=True)
class AuthResult:
    """The verdict: ``status`` is 200 when allowed, else 401 or 403 with a reason."""

    status: int
    reason: str = ""

    @property
    def allowed(self) -> bool:
        """Whether the request may go on."""
        return self.status == 200


ALLOWED = AuthResult(200)


@dataclass(frozen=True)
class RequestCredentials:
    """Where credentials may be found in a request (header names lower-case)."""

    headers: Mapping[str, str]
    query: Mapping[str, str]
    cookies: Mapping[str, str]


def check_security(
    requirements: tuple[SecurityRequirement, ...],
    schemes: Mapping[str, SecurityScheme],
    request: RequestCredentials,
    book: TokenBook,
) -> AuthResult:
    """Whether any one requirement is met in full (OpenAPI's OR of ANDs)."""
    if not requirements or any(not req for req in requirements):
        return ALLOWED
    verdicts = [_check_requirement(req, schemes, request, book) for req in requirements]
    if any(v.allowed for v in verdicts):
        return ALLOWED
    forbidden = [v for v in verdicts if v.status == 403]
    if forbidden:
        needed = sorted({scope for req in requirements for _, scopes in req for scope in scopes})
        return AuthResult(
            403, "the token lacks the scope this operation needs; any one of: " + ", ".join(needed)
        )
    return verdicts[0]


def _check_requirement(
    requirement: SecurityRequirement,
    schemes: Mapping[str, SecurityScheme],
    request: RequestCredentials,
    book: TokenBook,
) -> AuthResult:
    for name, scopes in requirement:
        scheme = schemes.get(name)
        if scheme is None:
            return AuthResult(401, f"security scheme {name!r} is not declared")
        token, problem = _credential(scheme, request)
        if token is None:
            return AuthResult(401, problem)
        granted = book.scopes(token)
        if granted is False:
            return AuthResult(
                401,
                f"unknown token for {_describe(scheme)}; the development "
                f"token is {DEVELOPMENT_TOKEN!r}",
            )
        if isinstance(granted, frozenset) and not set(scopes) <= granted:
            return AuthResult(403, "missing scopes " + ", ".join(sorted(set(scopes) - granted)))
    return ALLOWED


def _credential(scheme: SecurityScheme, request: RequestCredentials) -> tuple[str | None, str]:
    """The token a request carries for ``scheme``, or None and why not."""
    if scheme.type == "apiKey":
        source = {"header": request.headers, "query": request.query, "cookie": request.cookies}.get(
            scheme.location, {}
        )
        key = (
            scheme.parameter_name.lower() if scheme.location == "header" else scheme.parameter_name
        )
        value = source.get(key, "").strip()
        return (value, "") if value else (None, f"missing credentials: {_describe(scheme)}")
    header = request.headers.get("authorization", "").strip()
    if not header:
        return None, f"missing credentials: {_describe(scheme)}"
    kind, _, value = header.partition(" ")
    expected = "basic" if scheme.type == "http" and scheme.scheme == "basic" else "bearer"
    if kind.lower() != expected or not value.strip():
        return None, f"malformed credentials: expected {_describe(scheme)}"
    if expected == "basic":
        return _basic_password(value.strip(), scheme)
    return value.strip(), ""


def _basic_password(value: str, scheme: SecurityScheme) -> tuple[str | None, str]:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, f"malformed credentials: expected {_describe(scheme)}"
    _, sep, password = decoded.partition(":")
    return (password, "") if sep else (None, "malformed basic credentials: no ':'")


def _describe(scheme: SecurityScheme) -> str:
    if scheme.type == "apiKey":
        return f"{scheme.location} {scheme.parameter_name!r} with an API key"
    if scheme.type == "http" and scheme.scheme == "basic":
        return "'Authorization: Basic <base64 user:password>'"
    return "'Authorization: Bearer <token>'"


#: Verdicts remembered per API before the memo starts afresh (tokens are few in practice).
VERDICT_MEMO_SIZE = 4096


class Guard:
    """One API's credential check. The same credentials for the same operation get the same
    verdict, so verdicts are remembered for the common case of header-borne credentials."""

    def __init__(self, schemes: Mapping[str, SecurityScheme], book: TokenBook) -> None:
        self.schemes = schemes
        self.book = book
        # the headers any of the API's security schemes read credentials from
        self.headers = tuple(
            sorted(
                {"authorization"}
                | {
                    s.parameter_name.lower()
                    for s in schemes.values()
                    if s.type == "apiKey" and s.location == "header"
                }
            )
        )
        self.in_query = any(s.location == "query" for s in schemes.values())
        self.in_cookie = any(s.location == "cookie" for s in schemes.values())
        self._verdicts: dict[tuple[Any, ...], AuthResult] = {}

    def authorize(
        self,
        key: str,
        requirements: tuple[SecurityRequirement, ...],
        headers: Mapping[str, str],
        query: Mapping[str, str],
        cookies: Mapping[str, str],
    ) -> None:
        """Raise the 401 or 403 problem unless the credentials of this request to the
        operation ``key`` are accepted."""
        if (query and self.in_query) or (cookies and self.in_cookie):
            credentials = RequestCredentials(headers, query, cookies)
            verdict = check_security(requirements, self.schemes, credentials, self.book)
        else:
            verdict = self._remembered(key, requirements, headers)
        if not verdict.allowed:
            raise Problem(verdict.status, verdict.reason)

    def _remembered(
        self, key: str, requirements: tuple[SecurityRequirement, ...], headers: Mapping[str, str]
    ) -> AuthResult:
        memo_key = (key, tuple(headers.get(n, "") for n in self.headers))
        verdict = self._verdicts.get(memo_key)
        if verdict is None:
            credentials = RequestCredentials(headers, {}, {})
            verdict = check_security(requirements, self.schemes, credentials, self.book)
            if len(self._verdicts) >= VERDICT_MEMO_SIZE:
                self._verdicts.clear()
            self._verdicts[memo_key] = verdict
        return verdict
