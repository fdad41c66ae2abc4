"""Check credentials in the shape the operation's security scheme asks for, against known tokens.

A mock that lets any token in teaches clients nothing, so by default only known tokens
pass: the development token ``mock-token`` (every scope) and the tokens a fixture
declaration lists with their scopes. ``--any-token`` accepts any well-formed credential.
An ``http`` scheme other than Basic and Bearer (Digest, Negotiate, AWS4-HMAC-SHA256...)
has no secret a mock could know: its credentials are accepted by their shape alone
(:mod:`mockserver.serve.security_http`), with every scope.

A refusal is raised, as every problem on the request path is: :class:`Unauthorized` (401,
with a ``WWW-Authenticate`` challenge per scheme the operation accepts) or
:class:`Forbidden` (403), both :class:`~mockserver.serve.problems.Problem` subclasses.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.serve.problems import Problem
from mockserver.serve.security_http import challenges, spelling, well_formed
from mockserver.spec.model import SecurityRequirement, SecurityScheme

DEVELOPMENT_TOKEN = "mock-token"


class Unauthorized(Problem):
    """401: no credentials, malformed ones, or a token the mock does not know."""

    def __init__(self, detail: str, challenge: str = "") -> None:
        super().__init__(
            401, detail, headers=(("WWW-Authenticate", challenge),) if challenge else ()
        )
        self.challenge = challenge


class Forbidden(Problem):
    """403: a known token without the scopes the operation needs."""

    def __init__(self, detail: str) -> None:
        super().__init__(403, detail)


class UnknownToken(LookupError):
    """The token book does not know the token."""


@dataclass(frozen=True)
class Grant:
    """What a known token may do: every scope, or those listed."""

    scopes: frozenset[str] = frozenset()
    every: bool = False

    def missing(self, needed: Iterable[str]) -> list[str]:
        """The scopes of ``needed`` this grant lacks, sorted."""
        return [] if self.every else sorted(set(needed) - self.scopes)


EVERY_SCOPE = Grant(every=True)


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

    def scopes(self, token: str) -> Grant:
        """What ``token`` may do; raises :class:`UnknownToken` if the mock does not know it
        (with ``--any-token`` every token is known, with every scope)."""
        if token in self.tokens:
            scopes = self.tokens[token]
            return EVERY_SCOPE if scopes is None else Grant(scopes)
        if self.any_token:
            return EVERY_SCOPE
        raise UnknownToken(token)


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
) -> None:
    """Return when any one requirement is met in full (OpenAPI's OR of ANDs); else raise
    :class:`Forbidden` if a known token lacked scopes, or the first requirement's
    :class:`Unauthorized`."""
    if not requirements or any(not req for req in requirements):
        return
    refusals: list[Unauthorized | Forbidden] = []
    for requirement in requirements:
        try:
            _check_requirement(requirement, schemes, request, book)
        except (Unauthorized, Forbidden) as refusal:
            refusals.append(refusal)
        else:
            return
    if any(isinstance(r, Forbidden) for r in refusals):
        needed = sorted({scope for req in requirements for _, scopes in req for scope in scopes})
        raise Forbidden(
            "the token lacks the scope this operation needs; any one of: " + ", ".join(needed)
        )
    raise Unauthorized(refusals[0].detail, challenges(requirements, schemes))


def _check_requirement(
    requirement: SecurityRequirement,
    schemes: Mapping[str, SecurityScheme],
    request: RequestCredentials,
    book: TokenBook,
) -> None:
    for name, scopes in requirement:
        scheme = schemes.get(name)
        if scheme is None:
            raise Unauthorized(f"security scheme {name!r} is not declared")
        token = _credential(scheme, request)
        if token is None:  # accepted by its shape: there is no secret to compare
            continue
        try:
            grant = book.scopes(token)
        except UnknownToken:
            raise Unauthorized(
                f"unknown token for {_describe(scheme)}; the development "
                f"token is {DEVELOPMENT_TOKEN!r}"
            ) from None
        missing = grant.missing(scopes)
        if missing:
            raise Forbidden("missing scopes " + ", ".join(missing))


def _credential(scheme: SecurityScheme, request: RequestCredentials) -> str | None:
    """The token a request carries for ``scheme``, or ``None`` for a well-formed credential
    of a scheme that is accepted by its shape; raises :class:`Unauthorized` saying why
    there is none."""
    if scheme.type == "apiKey":
        source = {"header": request.headers, "query": request.query, "cookie": request.cookies}.get(
            scheme.location, {}
        )
        key = (
            scheme.parameter_name.lower() if scheme.location == "header" else scheme.parameter_name
        )
        value = source.get(key, "").strip()
        if not value:
            raise Unauthorized(f"missing credentials: {_describe(scheme)}")
        return value
    header = request.headers.get("authorization", "").strip()
    if not header:
        raise Unauthorized(f"missing credentials: {_describe(scheme)}")
    if _by_shape(scheme):
        if not well_formed(scheme.scheme, header):
            raise Unauthorized(f"malformed credentials: expected {_describe(scheme)}")
        return None
    kind, _, value = header.partition(" ")
    expected = "basic" if _http(scheme) == "basic" else "bearer"
    if kind.lower() != expected or not value.strip():
        raise Unauthorized(f"malformed credentials: expected {_describe(scheme)}")
    if expected == "basic":
        return _basic_password(value.strip(), scheme)
    return value.strip()


def _basic_password(value: str, scheme: SecurityScheme) -> str:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized(f"malformed credentials: expected {_describe(scheme)}") from None
    _, sep, password = decoded.partition(":")
    if not sep:
        raise Unauthorized("malformed basic credentials: no ':'")
    return password


def _http(scheme: SecurityScheme) -> str:
    """An ``http`` scheme's name in lower case (OpenAPI: case-insensitive); else empty."""
    return scheme.scheme.strip().lower() if scheme.type == "http" else ""


def _by_shape(scheme: SecurityScheme) -> bool:
    """Whether ``scheme`` is an ``http`` scheme judged by shape: neither Basic nor Bearer."""
    return _http(scheme) not in ("", "basic", "bearer")


def _describe(scheme: SecurityScheme) -> str:
    if scheme.type == "apiKey":
        return f"{scheme.location} {scheme.parameter_name!r} with an API key"
    if _http(scheme) == "basic":
        return "'Authorization: Basic <base64 user:password>'"
    if _by_shape(scheme):
        return f"'Authorization: {spelling(scheme.scheme.strip())} <token68 or auth-params>'"
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
        # per operation and credentials: None when allowed, else the refusal's kind and detail
        # (a fresh exception is raised each time: a kept one would pin its last traceback)
        self._verdicts: dict[tuple[Any, ...], Refused | None] = {}

    def authorize(
        self,
        key: str,
        requirements: tuple[SecurityRequirement, ...],
        headers: Mapping[str, str],
        query: Mapping[str, str],
        cookies: Mapping[str, str],
    ) -> None:
        """Raise :class:`Unauthorized` or :class:`Forbidden` unless the credentials of this
        request to the operation ``key`` are accepted."""
        if (query and self.in_query) or (cookies and self.in_cookie):
            credentials = RequestCredentials(headers, query, cookies)
            check_security(requirements, self.schemes, credentials, self.book)
            return
        memo_key = (key, tuple(headers.get(n, "") for n in self.headers))
        if memo_key not in self._verdicts:
            if len(self._verdicts) >= VERDICT_MEMO_SIZE:
                self._verdicts.clear()
            self._verdicts[memo_key] = _verdict(requirements, self.schemes, headers, self.book)
        refused = self._verdicts[memo_key]
        if refused is not None:
            raise refused.again()


@dataclass(frozen=True)
class Refused:
    """A refusal as the guard remembers it: 403 or 401, its detail and challenge."""

    forbidden: bool
    detail: str
    challenge: str = ""

    def again(self) -> Unauthorized | Forbidden:
        """A fresh exception for this refusal."""
        return (
            Forbidden(self.detail) if self.forbidden else Unauthorized(self.detail, self.challenge)
        )


def _verdict(
    requirements: tuple[SecurityRequirement, ...],
    schemes: Mapping[str, SecurityScheme],
    headers: Mapping[str, str],
    book: TokenBook,
) -> Refused | None:
    """What :func:`check_security` says of header-borne credentials, as a value to keep."""
    try:
        check_security(requirements, schemes, RequestCredentials(headers, {}, {}), book)
    except Forbidden as refusal:
        return Refused(True, refusal.detail)
    except Unauthorized as refusal:
        return Refused(False, refusal.detail, refusal.challenge)
    return None
