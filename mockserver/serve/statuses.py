"""Which declared status answers a situation: the mock answers only what a document declares.

The situation gives the status a server would naturally use (200 for a success, 401 for
missing credentials, 400 for a bad request...). The answer is the first of, in order:

1. that status, if the operation declares it;
2. its range (``4XX``), answered with the natural status;
3. for an error, ``default``, answered with the natural status;
4. a declared status of the same class: the close relative first (401 and 403 for each
   other; 400 and 422 for each other and for 406, 413, 415; 404 and 410 for each other),
   else the nearest in number (for a success, the other 2xx an operation declares, such as
   201 or 204, is simply its success);
5. for a success, ``default``; then the lowest status the operation declares below 500
   (a 5xx says the API failed: it never answers a success);
6. for a 4xx the operation declares no 4xx for, the lowest status it declares below 500,
   else its lowest 5xx: a document that lists only ``202`` gets ``202`` for a request it
   would refuse, and the ``Warning`` says what was refused and why. A 5xx comes last:
   it would tell the client the API failed.

A declared 1xx is never the answer: it is an interim status, not a final one. A 5xx (the
mock's own failure, never the client's) is never answered with another class. Only then,
or for an operation that declares nothing, is the natural status answered undeclared. A
``Warning`` header says so whenever the answer is not what the situation calls for: an
error answered with another error's status or with a success, a success answered with a
non-success status, or an undeclared status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Close relatives within a class, tried before the nearest number.
RELATIVES: dict[int, tuple[int, ...]] = {
    400: (422,),
    401: (403,),
    403: (401,),
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


def choose_status(declared: Iterable[str], natural: int) -> Choice:
    """The status that answers a situation whose natural status is ``natural``."""
    keys = [k.upper() for k in declared if not k.startswith("1")]  # interim, never final
    exact = [int(k) for k in keys if k.isdigit()]
    if natural in exact:
        return Choice(natural, str(natural))
    if f"{natural // 100}XX" in keys:
        return Choice(natural, f"{natural // 100}XX")
    success = natural < 300
    if "DEFAULT" in keys and not success:
        return Choice(natural, "default")
    same_class = [s for s in exact if s // 100 == natural // 100]
    relative = next((r for r in RELATIVES.get(natural, ()) if r in same_class), None)
    if relative is None and same_class:
        relative = min(same_class, key=lambda s: (abs(s - natural), s))
    if relative is not None:  # another success is what the operation does: no warning
        return Choice(relative, str(relative), None if success else _warning(natural, relative))
    if "DEFAULT" in keys:
        return Choice(natural, "default")
    if natural >= 500:  # the mock's own failure: no other status may hide it
        return Choice(natural, None, f'199 mockserver "no declared response fits {natural}"')
    fitting = exact if not success else [x for x in exact if x < 500]  # a 5xx is no success
    if fitting:  # below 500 first: a 5xx would say the API failed, not that it refused
        lowest = min(fitting, key=lambda x: (x >= 500, x))
        return Choice(lowest, str(lowest), _warning(natural, lowest))
    ranges = sorted(k for k in keys if len(k) == 3 and k.endswith("XX") and k[0].isdigit())
    if ranges:
        status = int(ranges[0][0]) * 100
        return Choice(status, ranges[0], _warning(natural, status))
    return Choice(natural, None, f'199 mockserver "no declared response fits {natural}"')


def _warning(natural: int, chosen: int) -> str:
    return (
        f'199 mockserver "the operation declares no {natural // 100}xx response for this; '
        f'answered with its declared {chosen}"'
        if natural // 100 != chosen // 100
        else f'199 mockserver "the operation declares no {natural}; answered with its declared '
        f'{chosen}"'
    )
