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
    """The first produced media type the Accept header allows; None if it allows none."""
    if not accept.strip() or not produces:
        return produces[0] if produces else ""
    ranges = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = next((p.split("=", 1)[1] for p in params if p.startswith("q=")), "1")
        try:
            if float(quality) > 0:
                ranges.append(media)
        except ValueError:
            ranges.append(media)
    for media_range in ranges:
        for media in produces:
            if media_matches(media_range, media) or media_matches(media, media_range):
                return media
    return None
