"""A behaviour's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.serve.writes import NO_BODY


@dataclass(frozen=True)
class BehaviourResult:
    """A successful behaviour's answer: a JSON value, or text with its media type."""

    status: int
    body: Any
    media_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the answer has no body (a delete's 204)."""
        return self.body is NO_BODY
