"""Near misses: for a request no operation answers, the operations it was probably meant for.

The path is the client's: it may be 60 KiB of 10,000 segments. The comparison is bounded so
that such a path costs what an ordinary one does: only the first :data:`MAX_SEGMENTS`
segments, each cut to :data:`MAX_SEGMENT_CHARS`, are compared, segment by segment (difflib on
the whole path against every operation took seconds, in the event loop). The recorder builds
each entry once, so this runs once per request that missed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi

#: Segments of the sent path compared with a template, and characters of each.
MAX_SEGMENTS = 12
MAX_SEGMENT_CHARS = 64


def near_misses(apis: Iterable[MountedApi], method: str, path: str, limit: int = 3) -> list[str]:
    """The operations closest to ``method path``, as ``GET /mount/items/{id}``."""
    sent = _segments(path)
    scored = []
    for api in apis:
        for mount in api.mounts:
            for plan in api.plans:
                template = mount + plan.op.path
                closeness = _closeness(sent, _segments(template))
                verb = plan.op.method.upper()
                scored.append((closeness + (0.05 if verb == method else 0), f"{verb} {template}"))
    scored.sort(key=lambda s: -s[0])
    unique = list(dict.fromkeys(name for score, name in scored if score >= 0.6))
    return unique[:limit]


def _segments(path: str) -> list[str]:
    """The first segments of ``path``, each cut short, and a marker for any beyond."""
    parts = path.strip("/").split("/", MAX_SEGMENTS)
    if len(parts) > MAX_SEGMENTS:
        parts[MAX_SEGMENTS] = "\x00more"  # stands for the rest: never fits a template segment
    return [p[:MAX_SEGMENT_CHARS] for p in parts]


def _closeness(sent: list[str], wanted: list[str]) -> float:
    """1.0 when ``sent`` fits ``wanted`` segment by segment (variables fit anything); a
    path of another length is compared as a whole (bounded), and scores lower."""
    if len(sent) != len(wanted):
        whole = difflib.SequenceMatcher(None, "/".join(sent), "/".join(wanted), autojunk=False)
        return whole.ratio() * 0.9
    ratios = [
        1.0 if w.startswith("{") else difflib.SequenceMatcher(None, s, w).ratio()
        for s, w in zip(sent, wanted, strict=True)
    ]
    return sum(ratios) / len(ratios)
