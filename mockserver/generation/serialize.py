"""Write parameter values the way a client must send them: style, explode, brackets.

A server reading them back by the OpenAPI rules gets the values drawn. A generated request
also keeps those typed values (:class:`Drawn`), so that the contract judges the answer by
what the client meant, not by re-reading the wire with the server's parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from mockserver.spec.model import Operation, Parameter
from mockserver.spec.pointer import resolve_pointer
from mockserver.spec.sentinel import NOT_SENT as NOT_SENT  # noqa: PLC0414  (re-exported)

_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Drawn:
    """The typed values of a generated request, as drawn before they were serialised."""

    params: Mapping[tuple[str, str], Any] = field(default_factory=dict)  # (location, name)
    body: Any = NOT_SENT

    def param(self, name: str, location: str | None = None) -> Any:
        """A parameter's value by name (header names ignore case), or NOT_SENT."""
        for (where, key), value in self.params.items():
            if location not in (None, where):
                continue
            if key == name or (where == "header" and key.lower() == name.lower()):
                return value
        return NOT_SENT

    def body_at(self, pointer: str) -> Any:
        """The body's value at a JSON pointer, or NOT_SENT."""
        if self.body is NOT_SENT:
            return NOT_SENT
        try:
            return resolve_pointer(self.body, pointer)
        except (LookupError, TypeError):
            return NOT_SENT


@dataclass(frozen=True)
class WireRequest:
    """A request ready for any HTTP client: method, path, query pairs, headers, body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    #: what a generated request means; None for requests made any other way
    drawn: Drawn | None = field(default=None, compare=False)

    def curl(self, base_url: str) -> str:
        """The request as a ready-to-run curl command."""
        url = base_url.rstrip("/") + self.path + (f"?{urlencode(self.query)}" if self.query else "")
        parts = ["curl", "-i", "-X", self.method.upper(), _shell(url)]
        for name, value in self.headers.items():
            parts += ["-H", _shell(f"{name}: {value}")]
        if self.body is not None:
            parts += ["--data-binary", _shell(self.body.decode("utf-8", "replace"))]
        return " ".join(parts)


def _shell(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def text(value: Any) -> str:
    """A scalar as it appears on the wire."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def read_text(raw: str, types: frozenset[str]) -> Any:
    """Wire text read as the first JSON type in ``types`` it can be (inverse of :func:`text`);
    the text itself when none fits, or when the schema allows any type."""
    if not types or types == {"string"}:
        return raw
    if "integer" in types and _INTEGER.fullmatch(raw):
        return int(raw)
    if "number" in types and _NUMBER.fullmatch(raw):
        number = float(raw)
        return int(number) if number.is_integer() and _INTEGER.fullmatch(raw) else number
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    if "null" in types and "string" not in types and raw in ("", "null"):
        return None
    return raw


def path_value(param: Parameter, value: Any) -> str:
    """A path parameter, percent-encoded, as the OpenAPI style table writes it."""
    explode = param.explode and isinstance(value, list | dict)
    if isinstance(value, list):
        items = [quote(text(v), safe="") for v in value]
    elif isinstance(value, dict):
        joiner = "=" if param.explode else ","
        items = [
            f"{quote(str(k), safe='')}{joiner}{quote(text(v), safe='')}" for k, v in value.items()
        ]
    else:
        items = [quote(text(value), safe="")]
    if param.style == "label":
        return "." + ("." if explode else ",").join(items)
    if param.style == "matrix":
        if explode and isinstance(value, dict):
            return "".join(f";{item}" for item in items)
        if explode:
            return "".join(f";{param.name}={item}" for item in items)
        return f";{param.name}=" + ",".join(items)
    return ",".join(items)


def query_pairs(param: Parameter, value: Any) -> list[tuple[str, str]]:
    """The query pairs for one parameter."""
    name = param.name
    if param.style == "deepObject" and isinstance(value, dict):
        return list(_deep(name, value))
    if isinstance(value, list):
        if param.style == "form" and param.explode:
            return [(name, text(v)) for v in value]
        return [(name, _DELIMITERS.get(param.style, ",").join(text(v) for v in value))]
    if isinstance(value, dict):
        if param.style == "form" and param.explode:
            return [(k, text(v)) for k, v in value.items()]
        delimiter = _DELIMITERS.get(param.style, ",")
        return [(name, delimiter.join(f"{k}{delimiter}{text(v)}" for k, v in value.items()))]
    return [(name, text(value))]


def _deep(prefix: str, value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _deep(f"{prefix}[{key}]", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _deep(f"{prefix}[{index}]", item)
    else:
        yield prefix, text(value)


def header_value(param: Parameter, value: Any) -> str:
    """A header parameter (simple style)."""
    if isinstance(value, list):
        return ",".join(text(v) for v in value)
    if isinstance(value, dict):
        joiner = "=" if param.explode else ","
        return ",".join(f"{k}{joiner}{text(v)}" for k, v in value.items())
    return text(value)


def build_request(
    op: Operation,
    mount: str,
    values: Mapping[tuple[str, str], Any],
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
) -> WireRequest:
    """The wire request for ``op`` with the given parameter values."""
    path = op.path
    query: list[tuple[str, str]] = []
    out_headers: dict[str, str] = dict(headers or {})
    cookies = []
    for param in op.parameters:
        key = (param.location, param.name)
        value = values.get(key)
        if value is None:  # absent, or null: a query, header or cookie cannot say null
            continue
        if param.location == "path":
            path = path.replace("{" + param.name + "}", path_value(param, value))
        elif param.location == "query":
            query += query_pairs(param, value)
        elif param.location == "header":
            out_headers[param.name] = header_value(param, value)
        elif param.location == "cookie":
            cookies.append(f"{param.name}={quote(header_value(param, value))}")
    if cookies:
        out_headers["Cookie"] = "; ".join(cookies)
    if body is not None and content_type:
        out_headers["Content-Type"] = content_type
    return WireRequest(op.method, mount + path, tuple(query), out_headers, body)
