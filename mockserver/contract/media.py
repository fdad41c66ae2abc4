"""Media types as the contract compares them: the Content-Type a response carries against
the media ranges its description declares."""

from __future__ import annotations


def media_type_of(header: str) -> str:
    """The media type of a Content-Type header, without parameters, in lower case."""
    return header.split(";", 1)[0].strip().lower()


def media_matches(declared: str, actual: str) -> bool:
    """Whether ``actual`` falls under the declared media range (``*/*``, ``text/*``, exact)."""
    want_type, _, want_sub = media_type_of(declared).partition("/")
    got_type, _, got_sub = actual.lower().partition("/")
    return want_type in ("*", got_type) and want_sub in ("*", got_sub)
