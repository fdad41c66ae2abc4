"""The one error model of the request path: raise a :class:`Problem` where it is found.

Every check, parser and behaviour raises; :mod:`mockserver.serve.gate` catches in one place
and renders the problem in the API's own error shape (:mod:`mockserver.serve.error_shapes`),
as Starlette does with ``HTTPException``. The hierarchy::

    Problem                 an HTTP problem with a definite status (401, 404, 406, 415...)
     +-- InvalidRequest     the request breaks the API description: 400 when it cannot
     |                      be read, else 422 or the 400 the operation declares for it
     +-- DrawnError         a declared error the error rate drew for a valid request (the
     |                      journal tells it from a refusal by its type, not its status)
     +-- StoreUnavailable   the --state store failed or did not answer in time: 503 with
                            Retry-After, naming the store and the error

Load-time errors (a broken document or fixture) are :mod:`mockserver.errors`' business.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal

from mockserver.serve.state.store import StoreError
from mockserver.spec.pointer import split_pointer


@dataclass(frozen=True)
class Violation:
    """One thing wrong with a request."""

    location: str  # query, path, header, cookie, body, request (status: a proxied answer)
    name: str  # the parameter (empty for the body)
    pointer: str  # inside the value
    message: str
    kind: str = "invalid"  # "missing", or the schema keyword that failed

    def describe(self) -> str:
        """``query parameter 'limit': 25 is greater than the maximum of 20``."""
        if self.location == "body":
            where = f"body at {self.pointer}" if self.pointer else "body"
        elif self.location in ("request", ""):
            where = "request"
        elif self.location == "status":  # a provider's undeclared status (the proxy)
            where = "status"
        else:
            where = f"{self.location} parameter {self.name!r}"
            where += f" at {self.pointer}" if self.pointer else ""
        return f"{where}: {self.message}"

    @property
    def loc(self) -> list[str | int]:
        """FastAPI-style location: ``["query", "limit"]``, ``["body", "items", 0]``."""
        parts: list[str | int] = [self.location]
        parts += [self.name] if self.name else []
        parts += [int(t) if t.isdigit() else t for t in split_pointer(self.pointer)]
        return parts


class Problem(Exception):
    """An HTTP problem to report to the client, in the API's own error shape."""

    def __init__(
        self,
        status: int,
        detail: str,
        violations: Iterable[Violation] = (),
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.status = status
        self.detail = detail
        self.violations = tuple(violations)
        self.headers = headers  # e.g. Allow on a 405
        super().__init__(detail)

    @property
    def title(self) -> str:
        """The reason phrase, ``Not Found``."""
        return reason_phrase(self.status)

    @property
    def message(self) -> str:
        """The detail followed by every violation."""
        if not self.violations:
            return self.detail
        return f"{self.detail}: " + "; ".join(v.describe() for v in self.violations)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.message!r})"


class InvalidRequest(Problem):
    """The request does not match the API description (400 or 422, see :attr:`fault`)."""

    def __init__(
        self,
        violations: Iterable[Violation],
        detail: str = "The request does not match the API description",
    ) -> None:
        super().__init__(400, detail, violations)

    @property
    def fault(self) -> Literal["unreadable", "parameters", "body"]:
        """The least readable part that is wrong: the request, a parameter, the body."""
        kinds = {(v.location, v.kind) for v in self.violations}
        if any(loc == "request" or kind in UNREADABLE for loc, kind in kinds):
            return "unreadable"
        if any(loc in PARAMETER_LOCATIONS for loc, _ in kinds):
            return "parameters"
        return "body"


#: Violation kinds that say a body or one of the mock's own headers (Prefer, the session)
#: could not be read at all, rather than that it broke one of the document's rules.
UNREADABLE = frozenset({"json_invalid", "invalid_encoding", "too_deep", "malformed"})
#: Where parameters live.
PARAMETER_LOCATIONS = frozenset({"query", "path", "header", "cookie"})


class DrawnError(Problem):
    """A simulated failure: the error rate drew the declared status ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status, "a simulated failure, drawn by the error rate")


def invalid(location: str, name: str, message: str, kind: str = "invalid") -> InvalidRequest:
    """An :class:`InvalidRequest` with one violation."""
    return InvalidRequest((Violation(location, name, "", message, kind),))


def reason_phrase(status: int) -> str:
    """``404`` -> ``Not Found``; ``Error`` for statuses HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class StoreUnavailable(Problem):
    """The ``--state`` store failed or timed out (a ``StoreError``, raised by the store
    where it happened): a 503 the client may retry, naming the store (its URL without
    credentials) and what went wrong."""

    RETRY_AFTER = "1"

    def __init__(self, failed: StoreError) -> None:
        super().__init__(503, str(failed), headers=(("Retry-After", self.RETRY_AFTER),))
        self.store = failed.store
        self.error = failed.error
