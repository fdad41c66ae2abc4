"""Near misses: for a request no operation answers, the operations it was probably meant for."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi


def near_misses(apis: Iterable[MountedApi], method: str, path: str, limit: int = 3) -> list[str]:
    """The operations closest to ``method path``, as ``GET /mount/items/{id}``."""
    scored = []
    for api in apis:
        for mount in api.mounts:
            for plan in api.plans:
                template = mount + plan.op.path
                closeness = _closeness(path, template)
                verb = plan.op.method.upper()
                scored.append((closeness + (0.05 if verb == method else 0), f"{verb} {template}"))
    scored.sort(key=lambda s: -s[0])
    unique = list(dict.fromkeys(name for score, name in scored if score >= 0.6))
    return unique[:limit]


def _closeness(path: str, template: str) -> float:
    """1.0 when ``path`` fits ``template`` segment by segment (variables fit anything)."""
    sent, wanted = path.strip("/").split("/"), template.strip("/").split("/")
    if len(sent) != len(wanted):
        return difflib.SequenceMatcher(None, path, template).ratio() * 0.9
    ratios = [
        1.0 if w.startswith("{") else difflib.SequenceMatcher(None, s, w).ratio()
        for s, w in zip(sent, wanted, strict=True)
    ]
    return sum(ratios) / len(ratios)
