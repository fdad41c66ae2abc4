"""Who may reach the mock's own surface: the Host it answers as, and who may change state.

The mock runs next to the developer's browser. A page on any site can make that browser send
requests to ``localhost``: a "simple" cross-site ``POST`` (no preflight), or, after DNS
rebinding, same-origin requests under the attacker's host name. Three checks keep such a page
away from the control routes, the journal and the dashboard:

- **Host** (:class:`HostPolicy`): only the names the server is reachable as are answered
  (``localhost``, loopback addresses, the ``--host`` given, ``--allowed-host`` values; any IP
  address when bound to every interface). A rebinding page's host name is none of them.
- **Cross-site change** (:func:`refuse_cross_site`): a state-changing control request needs a
  JSON content type or an ``X-`` header (either forces a browser to preflight, which CORS
  then refuses for a foreign origin) and an allowed ``Origin`` (absent, local, or named by
  ``--cors-origin``).
- **Control token** (:func:`refuse_without_token`): with ``--control-token``, every control
  route wants it in the ``X-Mock-Token`` header.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mockserver.serve.answer import Answer
from mockserver.serve.problems import Problem

#: Origins a frontend dev server runs on: any port of localhost, 127.0.0.1 or [::1].
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"
_LOCAL_ORIGIN = re.compile(LOCAL_ORIGINS)
TOKEN_HEADER = "x-mock-token"
_EVERY_INTERFACE = frozenset({"0.0.0.0", "::", "[::]"})


def host_name(host: str) -> str:
    """``Example.COM:8000`` -> ``example.com``; ``[::1]:8000`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_loopback(name: str) -> bool:
    """Whether ``name`` (a host name or address) can only reach this machine."""
    name = host_name(name)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _ip(name)
    return address is not None and address.is_loopback


@dataclass(frozen=True)
class HostPolicy:
    """The ``Host`` values the server answers as."""

    names: frozenset[str]

    @classmethod
    def of(cls, allowed: Iterable[str]) -> HostPolicy:
        """The policy for the ``--host`` given and the ``--allowed-host`` values."""
        return cls(frozenset(host_name(a) if a != "*" else "*" for a in allowed))

    def allows(self, host: str) -> bool:
        """Whether a request with ``Host: host`` is answered."""
        name = host_name(host)
        if "*" in self.names or name in self.names or is_loopback(name):
            return True
        return bool(self.names & _EVERY_INTERFACE) and _ip(name) is not None

    def refusal(self, host: str) -> Answer:
        """421, with one line saying what to do."""
        shown = "".join(c if " " <= c <= "~" else "?" for c in host[:100])
        line = (
            f"mockserver does not answer as Host {shown!r} (a page may be trying DNS "
            f"rebinding); to allow it, start mockserver serve with --allowed-host "
            f"{host_name(shown) or 'NAME'}\n"
        )
        return Answer(421, "text/plain; charset=utf-8", line.encode())


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name`` (lower case), or None."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(origin: str | None, cors_origins: Iterable[str]) -> bool:
    """Absent, local, or one named by ``--cors-origin``."""
    if origin is None:
        return True
    return _LOCAL_ORIGIN.fullmatch(origin) is not None or origin in set(cors_origins)


def refuse_cross_site(headers: Iterable[tuple[bytes, bytes]], cors_origins: Iterable[str]) -> None:
    """Raise 403 unless a state-changing control request could only have come from a
    program, or from a page on an allowed origin after a preflight."""
    pairs = list(headers)
    media = (header(pairs, b"content-type") or "").split(";")[0].strip().lower()
    json_typed = media == "application/json" or media.endswith("+json")
    custom = any(k.startswith(b"x-") for k, _ in pairs)
    if not (json_typed or custom):
        raise Problem(
            403,
            "a control request that changes state needs Content-Type: application/json or "
            "an X- header (X-Mock-Session, X-Mock-Token...), so that no page of another site "
            "can send it",
        )
    origin = header(pairs, b"origin")
    if origin is not None and not origin_allowed(origin, cors_origins):
        raise Problem(
            403,
            f"Origin {origin[:100]!r} may not change the mock's state; local origins may, and "
            "those given with --cors-origin",
        )


def refuse_without_token(headers: Iterable[tuple[bytes, bytes]], token: str) -> None:
    """Raise 401 unless the request carries ``X-Mock-Token: token``."""
    sent = header(headers, TOKEN_HEADER.encode())
    if sent is None or not hmac.compare_digest(sent.encode("latin-1"), token.encode()):
        raise Problem(
            401,
            "the control routes need the token given with --control-token, in the "
            "X-Mock-Token header (the dashboard takes it from #token=... in its address)",
        )
