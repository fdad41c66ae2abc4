"""Reading numbers from a request, and writing the links to other pages of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from mockserver.data.records import epoch_ms
from mockserver.serve.request import MockRequest
from mockserver.spec.sentinel import NOT_SENT


def int_value(value: Any) -> int | None:
    """A parameter's value as a whole number (a time as epoch milliseconds); ``None`` when
    not sent or not a number."""
    if value is NOT_SENT or value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return epoch_ms(value)


def url_with(request: MockRequest, replace_with: Mapping[str, str]) -> str:
    """The request's path and query, with the query parameters ``replace_with`` sets."""
    pairs = [(k, v) for k, v in request.query if k not in replace_with]
    pairs += list(replace_with.items())
    query = urlencode(pairs)
    return request.path + (f"?{query}" if query else "")
