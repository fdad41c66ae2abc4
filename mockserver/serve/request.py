"""A request as the mock sees it: raw parts from ASGI, then typed and validated values."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import Receive, Scope

from mockserver.serve.problems import InvalidRequest, Problem, Violation, invalid
from mockserver.spec.sentinel import NOT_SENT

#: Request bodies larger than this are refused with 413.
MAX_BODY_BYTES = 1024 * 1024
#: JSON bodies nested deeper than this are refused with 400.
MAX_JSON_DEPTH = 64
#: Query strings longer than this are refused with 400 (414 is not an API's to declare).
MAX_QUERY_BYTES = 16 * 1024
#: Header blocks larger than this, or a single header longer than MAX_HEADER_BYTES, get 400.
MAX_HEADERS_BYTES = 32 * 1024
MAX_HEADER_BYTES = 8 * 1024


@dataclass(frozen=True)
class RawRequest:
    """What arrived, before anything is interpreted."""

    method: str
    path: str
    query_string: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    path_params: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    mount: str = ""  # the path prefix the API is served under, for links in bodies

    @classmethod
    def from_scope(
        cls,
        scope: Mapping[str, Any],
        body: bytes = b"",
        path_params: Mapping[str, str] | None = None,
        mount: str = "",
    ) -> RawRequest:
        """The parts of an ASGI HTTP scope mockserver uses."""
        query, headers = query_overrides(
            bytes(scope.get("query_string", b"")), tuple(scope.get("headers", ()))
        )
        return cls(
            method=str(scope["method"]).lower(),
            path=str(scope.get("root_path", "")) + str(scope["path"]),
            query_string=query,
            headers=headers,
            path_params=dict(path_params or {}),
            body=body,
            mount=mount,
        )

    def header_map(self) -> dict[str, str]:
        """Headers by lower-case name; repeated headers are joined with commas."""
        found: dict[str, str] = {}
        for name, value in self.headers:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            found[key] = f"{found[key]}, {text}" if key in found else text
        return found


def query_overrides(
    query: bytes, headers: tuple[tuple[bytes, bytes], ...]
) -> tuple[bytes, tuple[tuple[bytes, bytes], ...]]:
    """Prism's query form of ``Prefer``: ``?__code=201``, ``?__example=name``,
    ``?__dynamic=true`` (and ``?__seed=``) are taken out of the query, so they are never
    validated as the API's parameters, and added to the ``Prefer`` header the responder
    reads (a preference in the header wins over the same one in the query)."""
    if b"__" not in query:
        return query, headers
    kept: list[bytes] = []
    preferences: list[bytes] = []
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name in _OVERRIDES:
            preferences.append(_OVERRIDES[name] + b"=" + unquote_to_bytes(value))
        else:
            kept.append(pair)
    if not preferences:
        return query, headers
    stated = [v for k, v in headers if k.lower() == b"prefer"]
    prefer = b", ".join([*preferences, *stated])
    others = tuple((k, v) for k, v in headers if k.lower() != b"prefer")
    return b"&".join(kept), (*others, (b"prefer", prefer))


#: The query parameters that stand for a preference, and the preference they stand for.
_OVERRIDES = {
    b"__code": b"code",
    b"__example": b"example",
    b"__dynamic": b"dynamic",
    b"__seed": b"seed",
}


@dataclass(frozen=True)
class MockRequest:
    """A request whose parameters and body have been read and validated."""

    raw: RawRequest
    headers: Mapping[str, str]
    query: tuple[tuple[str, str], ...]
    cookies: Mapping[str, str]
    values: Mapping[tuple[str, str], Any]  # (location, name) -> typed value
    body: Any = None
    media_type: str | None = None
    _by_name: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for (_, key), value in self.values.items():
            self._by_name.setdefault(key, value)

    def value(self, name: str, location: str | None = None) -> Any:
        """A parameter's typed value by name (any location unless given), or NOT_SENT."""
        if location is None:
            return self._by_name.get(name, NOT_SENT)
        return self.values.get((location, name), NOT_SENT)

    @property
    def path(self) -> str:
        """The path as the client sent it, mount prefix included."""
        return self.raw.path


def check_limits(raw: RawRequest) -> None:
    """Sizes no API should have to cope with; raises one 400 naming each that is exceeded."""
    problems = []
    if len(raw.query_string) > MAX_QUERY_BYTES:
        problems.append(
            _request_violation(
                f"the query string is longer than {MAX_QUERY_BYTES} bytes", "too_long"
            )
        )
    total = longest = 0
    nul = False  # NUL in a query value is data the schema may allow; in a header it is not
    for name, value in raw.headers:
        size = len(value)
        total += len(name) + size
        longest = max(longest, size)
        nul = nul or b"\x00" in value
    if total > MAX_HEADERS_BYTES or longest > MAX_HEADER_BYTES:
        problems.append(
            _request_violation(
                f"headers exceed {MAX_HEADER_BYTES} bytes each or {MAX_HEADERS_BYTES} in all",
                "too_long",
            )
        )
    if nul:
        problems.append(_request_violation("NUL bytes are not allowed in headers", "invalid"))
    if problems:
        raise InvalidRequest(problems, "The request is malformed")


def _request_violation(message: str, kind: str) -> Violation:
    return Violation("request", "", "", message, kind)


def parse_query(raw: RawRequest) -> tuple[tuple[str, str], ...]:
    """Decoded query pairs in order; raises when they are not valid UTF-8."""
    if not raw.query_string:
        return ()
    try:
        if len(raw.query_string) <= MEMO_QUERY_BYTES:
            return _pairs(raw.query_string)
        return _parsed(raw.query_string)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequest(
            (_request_violation(f"the query string cannot be read: {exc}", "invalid"),),
            "The request is malformed",
        ) from None


#: Query strings up to this length are parsed once and remembered (1,024 of them).
MEMO_QUERY_BYTES = 2048


def _parsed(query_string: bytes) -> tuple[tuple[str, str], ...]:
    text = query_string.decode("ascii")
    return tuple(
        parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=1000
        )
    )


_pairs = functools.lru_cache(maxsize=1024)(_parsed)


def parse_cookies(headers: Mapping[str, str]) -> dict[str, str]:
    """Cookies from the Cookie header; an unreadable header counts as no cookies."""
    if "cookie" not in headers:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


def parse_json(body: bytes) -> Any:
    """The JSON document in ``body``; raises a violation naming where it breaks."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(
            "body", "", f"not valid UTF-8 at byte {exc.start}", "invalid_encoding"
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid(
            "body",
            "",
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            "json_invalid",
        ) from None
    except RecursionError:
        raise _too_deep() from None
    # no more brackets than the limit cannot nest past it (bytes.count runs at C speed)
    shallow = body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH
    if not shallow and _depth(value) > MAX_JSON_DEPTH:
        raise _too_deep()
    return value


def _too_deep() -> InvalidRequest:
    return invalid("body", "", f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "too_deep")


def _depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar is 1), counted up to one past the limit: level by
    level, keeping only the containers, so a long flat array costs one pass at C speed."""
    level: list[Any] = [value] if isinstance(value, dict | list) else []
    depth, deepest = 1, 1  # the level's depth; the deepest value seen
    while level:
        below: list[Any] = []
        for node in level:
            children = list(node.values()) if isinstance(node, dict) else node
            if children:
                deepest = depth + 1
                if deepest > MAX_JSON_DEPTH:
                    return deepest
                below += [c for c in children if isinstance(c, dict | list)]
        level, depth = below, depth + 1
    return deepest


async def read_body(scope: Scope, receive: Receive) -> bytes:
    """The whole body; raises 413 once it exceeds :data:`MAX_BODY_BYTES`."""
    declared = None
    chunked = False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            declared = value
        elif name == b"transfer-encoding":
            chunked = True
    if declared is None and not chunked:
        return b""  # HTTP/1.1: without either header a request has no body
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _too_large() -> Problem:
    return Problem(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
