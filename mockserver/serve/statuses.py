"""Which status answers a situation: the status class always tells the truth.

A contract-testing mock makes one promise: what the real API refuses, the mock refuses. So
a refusal (a request that fails validation or credentials, is not acceptable, has an
unsupported media type, names nothing...) is always a 4xx. The situation gives the status
a server would naturally use (200 for a success, 401 for missing credentials, 400 for a
bad request...).

A **refusal** (a natural 4xx) is answered with the first of:

1. that status, if the operation declares it;
2. its range (``4XX``), answered with the natural status;
3. ``default``, answered with the natural status;
4. a declared close relative (400 and 422 for each other and for 406, 413, 415; 404 and
   410 for each other), with a ``Warning``. Credentials are not relatives: a credential
   failure is 401 (403 for missing scopes) whatever else is declared;
5. the natural status itself, undeclared, with a ``Warning`` that names the gap.

Never a 2xx, never a 5xx: either would tell the client something false (that the call
worked, or that the API failed). The document's author learns of the gap from the
``Warning`` and from ``mockserver validate`` (MS134), not from a lie on the wire.

A **success** (a natural 2xx) is answered with the first of: that status; another
declared 2xx (201 or 204 is simply the operation's success, and is more specific than a
range, as Prism chooses it); the ``2XX`` range; ``default``; then the
lowest status (or ``3XX``/``4XX`` range) the operation declares below 500, with a
``Warning`` (a 5xx would say the API failed); else the natural status, undeclared.

The mock's **own failure** (a natural 5xx) is never hidden by another class: the declared
status, its range, ``default``, a declared 5xx, else undeclared.

A request that fails **validation** starts from a natural status of its own
(:func:`validation_status`): a body that cannot even be read (malformed JSON, a wrong
charset, an oversized or unreadable request) is a 400; content that is well-formed but
breaks the document's rules is a 422 (RFC 9110 §15.5.21; Prism and FastAPI answer it so)
unless the operation says otherwise. Declaring only 400 makes every violation a 400;
declaring both makes body-schema violations 422 and parameter violations 400.

A declared 1xx is never the answer: it is an interim status, not a final one. A
``Warning`` header says so whenever the answer is not the status the situation calls for,
or the status is undeclared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

#: Close relatives among refusals, tried after ``default``. 401 and 403 have none: a
#: credential failure keeps its own status.
RELATIVES: dict[int, tuple[int, ...]] = {
    400: (422,),
    404: (410,),
    406: (400, 422),
    410: (404,),
    413: (400, 422),
    415: (400, 422),
    422: (400,),
}


@dataclass(frozen=True)
class Choice:
    """The status to answer with, the declared response key it comes from, and a warning."""

    status: int
    declared: str | None  # the response key ("404", "4XX", "default"); None when undeclared
    warning: str | None = None


#: What a request that fails validation got wrong, from the least readable (see
#: :attr:`mockserver.serve.problems.InvalidRequest.fault`).
Fault = Literal["unreadable", "parameters", "body"]


def validation_status(declared: Iterable[str], fault: Fault) -> int:
    """The natural status of a request that fails validation, given the statuses the
    operation declares: an unreadable request is 400; a parameter violation is 400 when
    400 is declared, else 422; a body that breaks its schema is 422 unless only 400 is
    declared. :func:`choose_status` then finds the declared status that answers it."""
    if fault == "unreadable":
        return 400
    keys = set(declared)
    if fault == "parameters":
        return 400 if "400" in keys else 422
    return 400 if "400" in keys and "422" not in keys else 422


def choose_status(declared: Iterable[str], natural: int) -> Choice:
    """The status that answers a situation whose natural status is ``natural``."""
    keys = [k.upper() for k in declared if not k.startswith("1")]  # interim, never final
    exact = [int(k) for k in keys if k.isdigit()]
    if natural in exact:
        return Choice(natural, str(natural))
    if natural < 300:
        return _success(keys, exact, natural)
    if f"{natural // 100}XX" in keys:
        return Choice(natural, f"{natural // 100}XX")
    if "DEFAULT" in keys:
        return Choice(natural, "default")
    if natural >= 500:
        return _failure(exact, natural)
    return _refusal(exact, natural)


def _refusal(exact: list[int], natural: int) -> Choice:
    """A 4xx with neither itself, its range nor ``default`` declared."""
    relative = next((r for r in RELATIVES.get(natural, ()) if r in exact), None)
    if relative is not None:
        return Choice(relative, str(relative), _warning(natural, relative))
    return Choice(natural, None, undeclared_warning(natural))


def _success(keys: list[str], exact: list[int], natural: int) -> Choice:
    """A 2xx not declared itself: a declared success, then the ``2XX`` range..."""
    successes = [s for s in exact if s // 100 == 2]
    if successes:  # another success is what the operation does: no warning
        other = min(successes, key=lambda s: (abs(s - natural), s))
        return Choice(other, str(other))
    if "2XX" in keys:
        return Choice(natural, "2XX")
    if "DEFAULT" in keys:
        return Choice(natural, "default")
    fitting = [s for s in exact if s < 500]  # a 5xx is no success
    if fitting:
        return Choice(min(fitting), str(min(fitting)), _warning(natural, min(fitting)))
    ranges = sorted(k for k in keys if k in ("3XX", "4XX"))
    if ranges:
        status = int(ranges[0][0]) * 100
        return Choice(status, ranges[0], _warning(natural, status))
    return Choice(natural, None, undeclared_warning(natural))


def _failure(exact: list[int], natural: int) -> Choice:
    """The mock's own 5xx: another 5xx the operation declares, else itself, undeclared."""
    same = [s for s in exact if s // 100 == 5]
    if same:
        nearest = min(same, key=lambda s: (abs(s - natural), s))
        return Choice(nearest, str(nearest), _warning(natural, nearest))
    return Choice(natural, None, undeclared_warning(natural))


def undeclared_warning(natural: int) -> str:
    """The ``Warning`` of a status the operation does not declare."""
    return (
        f'199 mockserver "{natural} is not declared by the operation (nor a {natural // 100}XX '
        f'range or default); answered undeclared"'
    )


def _warning(natural: int, chosen: int) -> str:
    return (
        f'199 mockserver "the operation declares no {natural // 100}xx response for this; '
        f'answered with its declared {chosen}"'
        if natural // 100 != chosen // 100
        else f'199 mockserver "the operation declares no {natural}; answered with its declared '
        f'{chosen}"'
    )
