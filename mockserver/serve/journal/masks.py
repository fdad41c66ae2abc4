"""What the journal hides: the credentials a request carries (the headers, query parameters
and cookies the APIs' security schemes name), all but the tokens the mock itself publishes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from mockserver.serve.security import DEVELOPMENT_TOKEN
from mockserver.serve.sessions import SESSION_COOKIE

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi

MASK = "****"
_CREDENTIAL_HEADERS = frozenset({b"authorization", b"proxy-authorization"})
_CREDENTIAL_QUERY = frozenset({"access_token"})


@dataclass(frozen=True)
class Masks:
    """What to mask in one API's requests: the headers, query parameters and cookies its
    security schemes name, and the tokens the mock itself publishes (shown in clear, so the
    dashboard's curl still runs)."""

    headers: frozenset[bytes]
    query: frozenset[str]
    cookies: frozenset[str]
    public: frozenset[str]

    @classmethod
    def of(cls, apis: Iterable[MountedApi]) -> Masks:
        """The masks of every API in ``apis``, together."""
        headers, query, cookies, public = (
            set(_CREDENTIAL_HEADERS),
            set(_CREDENTIAL_QUERY),
            set(),
            set(),
        )
        public.add(DEVELOPMENT_TOKEN)
        for api in apis:
            for scheme in api.document.security_schemes.values():
                if scheme.type == "apiKey" and scheme.location == "header":
                    headers.add(scheme.parameter_name.lower().encode("latin-1"))
                elif scheme.type == "apiKey" and scheme.location == "query":
                    query.add(scheme.parameter_name)
                elif scheme.type == "apiKey" and scheme.location == "cookie":
                    cookies.add(scheme.parameter_name)
            public.update(api.guard.book.tokens)
        return cls(frozenset(headers), frozenset(query), frozenset(cookies), frozenset(public))

    def header(self, value: str) -> str:
        """``Bearer s3cret`` -> ``Bearer ****``; the mock's own tokens stay readable."""
        scheme, _, credential = value.rpartition(" ")
        if credential in self.public:
            return value
        return f"{scheme} {MASK}" if scheme else MASK

    def cookie(self, value: str) -> str:
        """Every cookie value masked but the session's and the mock's own tokens."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value)
        except CookieError:
            return MASK
        return "; ".join(
            f"{name}={morsel.value}"
            if name == SESSION_COOKIE or morsel.value in self.public
            else f"{name}={MASK}"
            for name, morsel in jar.items()
        )


def mask_headers(raw: Iterable[tuple[bytes, bytes]], masks: Masks) -> list[list[str]]:
    """The headers as ``[name, value]`` pairs, credentials masked."""
    found = []
    for name, value in raw:
        text = value.decode("latin-1")
        if name in masks.headers:
            text = masks.header(text)
        elif name == b"cookie":
            text = masks.cookie(text)
        found.append([name.decode("latin-1"), text])
    return found


def mask_query(raw: bytes, masks: Masks) -> str:
    """The query string, credentials masked."""
    text = raw.decode("latin-1")
    if not any(f"{name}=" in text for name in masks.query):
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    hidden = masks.query
    return "&".join(f"{k}={MASK if k in hidden and v not in masks.public else v}" for k, v in pairs)
