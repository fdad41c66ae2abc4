"""Media types: parsing a Content-Type, matching ranges, and Accept negotiation."""

from __future__ import annotations

import functools


def media_type_of(header: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return header.split(";", 1)[0].strip().lower()


def media_matches(pattern: str, media: str) -> bool:
    """Whether ``media`` falls under ``pattern`` (``*/*``, ``application/*``, exact)."""
    p_type, _, p_sub = pattern.lower().partition("/")
    m_type, _, m_sub = media.lower().partition("/")
    return p_type in ("*", m_type) and p_sub in ("*", m_sub)


@functools.lru_cache(maxsize=1024)
def acceptable(accept: str, produces: tuple[str, ...]) -> str | None:
    """The produced media type the ``Accept`` header prefers (RFC 9110 12.5.1): each type
    takes the weight of the most specific range that matches it, weight 0 refuses it, and
    among equal weights the operation's own order decides. None if it allows none."""
    if not accept.strip() or not produces:
        return produces[0] if produces else ""
    ranges = [_weighted(part) for part in accept.split(",") if part.strip()]
    best, best_weight = None, 0.0
    for media in produces:
        matching = [r for r in ranges if media_matches(r[0], media) or media_matches(media, r[0])]
        if not matching:
            continue
        weight = max(matching, key=lambda r: (_specificity(r[0]), r[1]))[1]
        if weight > best_weight:
            best, best_weight = media, weight
    return best


def _weighted(part: str) -> tuple[str, float]:
    """``text/html;q=0.5`` -> (``text/html``, 0.5); an unreadable weight counts as 1."""
    media, *params = [p.strip() for p in part.split(";")]
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return media.lower(), min(max(float(value), 0.0), 1.0)
            except ValueError:
                return media.lower(), 1.0
    return media.lower(), 1.0


def _specificity(media_range: str) -> int:
    """2 for ``type/sub``, 1 for ``type/*``, 0 for ``*/*``."""
    kind, _, sub = media_range.partition("/")
    return (kind != "*") + (sub != "*")


def concrete(media: str) -> str:
    """A media type a body can be sent as for a declared one: itself, or for a range the
    type it most often means: JSON (``*/*``, ``application/*``), plain text (``text/*``),
    else bytes."""
    kind, _, sub = media.partition("/")
    if sub != "*":
        return media
    usual = {"*": "application/json", "application": "application/json", "text": "text/plain"}
    return usual.get(kind, "application/octet-stream")
