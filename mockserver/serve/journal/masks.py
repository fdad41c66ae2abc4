"""What the journal hides: every credential a request carries, and the body fields the
document or ``mock.yaml`` call secret, all but the tokens the mock itself publishes.

Credentials come in many forms, and a mask that looks for one misses the others: an
``Authorization`` value is hidden whole after its scheme (Bearer's token, Basic's pair,
Digest's ``response="..."``, SigV4's ``Credential=...``/``Signature=...``); query names are
compared after percent-decoding (``api%5Fkey`` is ``api_key``, as the mock reads it) and
without case; presigned-URL parameters (``X-Amz-Signature``...) are credentials too. Body
fields marked ``writeOnly`` or ``format: password`` anywhere in an operation's request
schemas, and the names ``mock.yaml`` lists under ``journal: mask:``, are hidden in JSON and
form bodies, at any depth.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from mockserver.serve.security import DEVELOPMENT_TOKEN
from mockserver.serve.sessions import SESSION_COOKIE
from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.navigate import deref, descend

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi

MASK = "****"
_CREDENTIAL_HEADERS = frozenset(
    {
        b"authorization",
        b"proxy-authorization",
        b"x-api-key",
        b"api-key",
        b"x-auth-token",
        b"x-amz-security-token",
        b"x-mock-token",
    }
)
_CREDENTIAL_QUERY = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "x-amz-credential",
        "x-amz-signature",
        "x-amz-security-token",
        "signature",
    }
)
#: How deep request schemas are searched for secret fields (a recursive schema ends here).
_SCHEMA_DEPTH = 8


@dataclass(frozen=True)
class Masks:
    """What to mask in one API's requests: credential headers, query parameters and cookies
    (its security schemes' and the usual ones), secret body fields, and the tokens the mock
    itself publishes (shown in clear, so the dashboard's curl still runs)."""

    headers: frozenset[bytes]
    query: frozenset[str]  # lower case, decoded
    cookies: frozenset[str]
    public: frozenset[str]
    fields: frozenset[str] = frozenset()  # body field names

    @classmethod
    def of(cls, apis: Iterable[MountedApi]) -> Masks:
        """The masks of every API in ``apis``, together."""
        headers, query = set(_CREDENTIAL_HEADERS), set(_CREDENTIAL_QUERY)
        cookies: set[str] = set()
        fields: set[str] = set()
        public = {DEVELOPMENT_TOKEN}
        for api in apis:
            for scheme in api.document.security_schemes.values():
                if scheme.type == "apiKey" and scheme.location == "header":
                    headers.add(scheme.parameter_name.lower().encode("latin-1"))
                elif scheme.type == "apiKey" and scheme.location == "query":
                    query.add(scheme.parameter_name.lower())
                elif scheme.type == "apiKey" and scheme.location == "cookie":
                    cookies.add(scheme.parameter_name)
            public.update(api.guard.book.tokens)
            fields |= secret_fields(api)
            named = api.declaration.masked if api.declaration is not None else frozenset()
            fields |= named
            query |= {n.lower() for n in named}
            headers |= {n.lower().encode("latin-1") for n in named}
        return cls(
            frozenset(headers), frozenset(query), frozenset(cookies), frozenset(public),
            frozenset(fields),
        )  # fmt: skip

    @classmethod
    def union(cls, masks: Iterable[Masks]) -> Masks:
        """What any of ``masks`` masks: ``Masks.of(apis)`` from each API's own, without
        walking the schemas again."""
        found = [cls.of([]), *masks]
        return cls(
            frozenset().union(*(m.headers for m in found)),
            frozenset().union(*(m.query for m in found)),
            frozenset().union(*(m.cookies for m in found)),
            frozenset().union(*(m.public for m in found)),
            frozenset().union(*(m.fields for m in found)),
        )

    def header(self, value: str) -> str:
        """``Bearer s3cret`` -> ``Bearer ****``, ``Digest username="a", response="..."``
        -> ``Digest ****``; the mock's own tokens stay readable."""
        scheme, _, credential = value.strip().partition(" ")
        if value.strip() in self.public or credential.strip() in self.public:
            return value
        return f"{scheme} {MASK}" if credential else MASK

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


def secret_fields(api: MountedApi) -> frozenset[str]:
    """The body fields any request schema of ``api`` marks ``writeOnly`` or ``format:
    password``, at any depth. A schema shared by many operations is walked once (again
    only when reached at a lesser depth): Graph's 11,000 operations took 9 s otherwise."""
    registry = api.document.registry
    found: set[str] = set()
    walked: dict[int, int] = {}
    for plan in api.plans:
        body = plan.op.request_body
        for media in body.content if body is not None else ():
            if media.schema is not None:
                _walk(media.schema, registry, found, 0, walked)
    return frozenset(found)


def _walk(
    schema: Schema, registry: SchemaRegistry, found: set[str], depth: int, walked: dict[int, int]
) -> None:
    """Add to ``found`` the secret properties below ``schema``: through ``properties``,
    ``items`` and the combinators, :data:`_SCHEMA_DEPTH` deep at most; a schema already
    walked from this depth or less is not walked again (a cycle ends)."""
    schema = deref(schema, registry)
    value = schema.value
    if depth > _SCHEMA_DEPTH or not isinstance(value, dict):
        return
    if walked.get(id(value), _SCHEMA_DEPTH + 1) <= depth:
        return
    walked[id(value)] = depth
    for name, prop in (value.get("properties") or {}).items():
        below = descend(schema, ("properties", name))
        target = deref(below, registry).value if below is not None else prop
        if isinstance(target, dict) and (
            target.get("writeOnly") is True or target.get("format") == "password"
        ):
            found.add(name)
        if below is not None:
            _walk(below, registry, found, depth + 1, walked)
    paths: list[tuple[str, ...]] = [("items",), ("additionalProperties",)]
    for combinator in ("allOf", "anyOf", "oneOf"):
        paths += [(combinator, str(i)) for i in range(len(value.get(combinator) or []))]
    for path in paths:
        below = descend(schema, path)
        if below is not None:
            _walk(below, registry, found, depth + 1, walked)


def mask_headers(raw: Iterable[tuple[bytes, bytes]], masks: Masks) -> list[list[str]]:
    """The headers as ``[name, value]`` pairs, credentials masked."""
    found = []
    for name, value in raw:
        text = value.decode("latin-1")
        lower = name.lower()
        if lower in masks.headers:
            text = masks.header(text)
        elif lower == b"cookie":
            text = masks.cookie(text)
        found.append([name.decode("latin-1"), text])
    return found


def mask_query(raw: bytes, masks: Masks) -> str:
    """The query string as sent, the value of each credential parameter masked (names are
    compared decoded and without case)."""
    text = raw.decode("latin-1")
    if "=" not in text:
        return text
    pieces = []
    for piece in text.split("&"):
        name, equals, value = piece.partition("=")
        hidden = unquote_plus(name).strip().lower() in masks.query
        shown = equals and unquote_plus(value) in masks.public
        pieces.append(f"{name}={MASK}" if hidden and equals and not shown else piece)
    return "&".join(pieces)


def mask_body(body: str, masks: Masks) -> str:
    """A JSON or form body with its secret fields masked (other bodies as they are)."""
    if not masks.fields:
        return body
    stripped = body.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.dumps(_masked(json.loads(body), masks.fields), ensure_ascii=False)
        except (ValueError, RecursionError):  # not JSON, or nested past what is refused
            return body
    if "=" in body and "\n" not in body:
        pieces = []
        for piece in body.split("&"):
            name, equals, _ = piece.partition("=")
            pieces.append(
                f"{name}={MASK}" if equals and unquote_plus(name) in masks.fields else piece
            )
        return "&".join(pieces)
    return body


def _masked(value: Any, fields: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: MASK if k in fields else _masked(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, fields) for v in value]
    return value
