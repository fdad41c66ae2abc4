"""HTTP authentication as RFC 9110 (section 11) writes it: credentials by shape, challenges.

The mock compares secrets only where it has some to compare with: Bearer tokens, Basic
passwords and API keys, against its token book. For any other ``http`` scheme a document
names (Digest, HOBA, Mutual, Negotiate, AWS4-HMAC-SHA256...) there is no secret a mock
could know, so a credential is accepted by its *shape*: the scheme the document names
(case-insensitively), then a token68 or a list of auth-params. A bare scheme name carries
no credential and is refused. Auth-param values may hold any visible character but ``,``
and ``"`` unquoted, wider than RFC 9110's token: AWS Signature Version 4 writes ``/`` and
``;`` unquoted (``Credential=AKID/20130524/us-east-1/s3/aws4_request``) and real clients
send it.

A 401 carries ``WWW-Authenticate`` with one challenge per scheme the operation accepts
(RFC 9110 section 15.5.2 requires at least one): ``Basic``, ``Bearer`` or the ``http``
scheme's own name, each with ``realm``; ``Bearer`` for ``oauth2`` and ``openIdConnect``
(RFC 6750); and for ``apiKey``, which HTTP has no scheme for, an ``ApiKey`` challenge whose
``in`` and ``name`` parameters say where the key goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from mockserver.spec.model import SecurityRequirement, SecurityScheme

REALM = "mockserver"

#: Registered spellings of HTTP authentication schemes (the IANA registry, and AWS's).
_SPELLINGS = {
    name.lower(): name
    for name in (
        "Basic",
        "Bearer",
        "Concealed",
        "Digest",
        "DPoP",
        "GNAP",
        "HOBA",
        "Mutual",
        "Negotiate",
        "NTLM",
        "OAuth",
        "PrivateToken",
        "SCRAM-SHA-1",
        "SCRAM-SHA-256",
        "vapid",
        "AWS4-HMAC-SHA256",
    )
}

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_VALUE = r'(?:"(?:[^"\\]|\\.)*"|[^\s,"]+)'
_PARAM = rf"{_TOKEN}[ \t]*=[ \t]*{_VALUE}"
_LIST_SEP = r"[ \t]*,(?:[ \t]*,)*[ \t]*"
_AUTH_PARAMS = re.compile(rf"{_PARAM}(?:{_LIST_SEP}{_PARAM})*(?:{_LIST_SEP})?")
_CREDENTIALS = re.compile(rf"({_TOKEN}) +(\S.*)", re.DOTALL)


def spelling(scheme: str) -> str:
    """The scheme's registered spelling (``digest`` -> ``Digest``), else as written."""
    return _SPELLINGS.get(scheme.lower(), scheme)


def well_formed(scheme: str, header: str) -> bool:
    """Whether ``header`` (an ``Authorization`` value) is a credential of ``scheme``: the
    scheme's name in any case, one or more spaces, then a token68 or auth-params."""
    match = _CREDENTIALS.fullmatch(header.strip())
    if match is None or match.group(1).lower() != scheme.lower():
        return False
    rest = match.group(2).strip()
    return bool(_TOKEN68.fullmatch(rest) or _AUTH_PARAMS.fullmatch(rest))


def challenge(scheme: SecurityScheme) -> str | None:
    """The ``WWW-Authenticate`` challenge for ``scheme``; ``None`` for an ``http`` scheme
    whose name is not an HTTP token (it cannot be written in a header)."""
    realm = f'realm="{REALM}"'
    if scheme.type == "apiKey":
        return f'ApiKey {realm}, in="{scheme.location}", name="{_quoted(scheme.parameter_name)}"'
    if scheme.type != "http" or not scheme.scheme:
        return f"Bearer {realm}"  # oauth2 and openIdConnect send bearer tokens (RFC 6750)
    name = spelling(scheme.scheme)
    if not re.fullmatch(_TOKEN, name):
        return None
    if name == "Basic":
        return f'Basic {realm}, charset="UTF-8"'  # RFC 7617
    if name == "Digest":
        return f'Digest {realm}, nonce="{REALM}", algorithm=SHA-256, qop="auth"'  # RFC 7616
    return f"{name} {realm}"


def challenges(
    requirements: Iterable[SecurityRequirement], schemes: Mapping[str, SecurityScheme]
) -> str:
    """One challenge per scheme any of ``requirements`` names, in order, each once."""
    found: dict[str, None] = {}
    for requirement in requirements:
        for name, _scopes in requirement:
            scheme = schemes.get(name)
            text = challenge(scheme) if scheme is not None else None
            if text is not None:
                found.setdefault(text)
    return ", ".join(found) or f'Bearer realm="{REALM}"'


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
