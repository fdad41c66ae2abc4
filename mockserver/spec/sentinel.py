"""The one value for "not sent": a parameter, header or body a request leaves out.

``None`` is a value a request can send (JSON ``null``), so absence needs its own. It lives in
the lowest layer that reads requests (:mod:`mockserver.spec.params`), so the server, the
contract suite and ``diff`` share it. An enum member, so it survives ``copy.deepcopy`` and
pickling as itself, and ``is`` stays true.
"""

from __future__ import annotations

import enum
from typing import Final


class NotSent(enum.Enum):
    """The type of :data:`NOT_SENT`, its only value."""

    NOT_SENT = "NOT_SENT"

    def __repr__(self) -> str:
        return "NOT_SENT"


#: What a request left out (annotate a value that may be it as ``T | NotSent``).
NOT_SENT: Final = NotSent.NOT_SENT
