"""Prism's test-harness case format: parse a case file, its curl command and its expected answer.

Shared by the Prism peer suite (bench/prism_harness.py) and our own behavioural suite
(tests/behaviour), so that both read the same format the same way. A case file is a set of
``====name====`` sections: test, spec, server, command, expect or expect-loose (and, in our
own cases, xfail). The command is one curl command line; it is translated into a request
rather than run, so that no curl binary is needed and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shlex
import urllib.parse
from dataclasses import dataclass, field
from xml.etree import ElementTree

SECTION = re.compile(r"^====([a-zA-Z-]+)====\r?\n", re.MULTILINE)
# curl's short options that take an argument (the rest of the token, or the next token).
SHORT_WITH_VALUE = {
    "X": "--request",
    "H": "--header",
    "d": "--data",
    "F": "--form",
    "b": "--cookie",
    "o": "--output",
    "u": "--user",
    "A": "--user-agent",
}
LONG_WITH_VALUE = {
    "--request",
    "--header",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--form",
    "--cookie",
    "--url",
    "--output",
    "--user",
    "--user-agent",
}
BOUNDARY = "harnessboundary7MA4YWxkTrZu0gW"


@dataclass
class Case:
    """One case file: a document, how the mock is started, a request and the expected answer."""

    name: str
    sections: dict[str, str]

    def get(self, key: str) -> str:
        """The section ``key``, or an empty string."""
        return self.sections.get(key, "")

    @property
    def mode(self) -> str:
        """How the body is judged: exact, loose (expect-loose) or keys (expect-keysOnly)."""
        if "expect" in self.sections:
            return "exact"
        return "loose" if "expect-loose" in self.sections else "keys"

    @property
    def expected(self) -> str:
        """The expected answer's text, whichever section holds it."""
        for key in ("expect", "expect-loose", "expect-keysonly"):
            if key in self.sections:
                return self.sections[key]
        raise ValueError(f"{self.name}: no ====expect==== section")


@dataclass
class Request:
    """The request a curl command line sends."""

    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    head_only: bool = False
    follow: bool = False

    def header(self, name: str) -> str | None:
        """The first value of header ``name``."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Answer:
    """A status, its headers and its body: expected or received."""

    status: int
    headers: dict[str, str]
    body: str
    #: whether the text stated a body at all (a blank line after the headers)
    stated_body: bool = True

    @property
    def media_type(self) -> str:
        """The content type's essence (no parameters), lowercased; empty when absent."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_case(name: str, text: str) -> Case:
    """Split a case file into its sections."""
    parts = SECTION.split(text)
    sections = {parts[i].lower(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    return Case(name, sections)


def parse_answer(text: str) -> Answer:
    """Parse ``HTTP/1.1 200 OK`` + headers + blank line + body, as curl -i prints it."""
    text = text.strip().replace("\r\n", "\n")
    head, blank, body = text.partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return Answer(status, headers, body, stated_body=bool(blank))


def _option(token: str, tokens: list[str]) -> tuple[str, str | None]:
    """Normalise one option token to (long name, value)."""
    if token.startswith("--"):
        key, eq, value = token.partition("=")
        if eq:
            return key, value
        return key, tokens.pop(0) if key in LONG_WITH_VALUE else None
    return token, None


def _short_flags(token: str, tokens: list[str]) -> list[tuple[str, str | None]]:
    """Expand combined short flags such as ``-sIXGET``."""
    found: list[tuple[str, str | None]] = []
    chars = token[1:]
    for i, char in enumerate(chars):
        if char in SHORT_WITH_VALUE:
            rest = chars[i + 1 :]
            found.append((SHORT_WITH_VALUE[char], rest or tokens.pop(0)))
            return found
        found.append((f"-{char}", None))
    return found


def _options(command: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """curl's options (long names) and positional arguments."""
    tokens = shlex.split(command)
    if not tokens or tokens.pop(0) != "curl":
        raise ValueError(f"not a curl command: {command!r}")
    options: list[tuple[str, str | None]] = []
    positional: list[str] = []
    while tokens:
        token = tokens.pop(0)
        if token.startswith("--"):
            options.append(_option(token, tokens))
        elif token.startswith("-") and len(token) > 1:
            options.extend(_short_flags(token, tokens))
        else:
            positional.append(token)
    return options, positional


def _urlencode(value: str) -> str:
    """curl's --data-urlencode: ``name=content`` encodes the content only."""
    name, eq, content = value.partition("=")
    if not eq:
        return urllib.parse.quote(value, safe="")
    return (
        f"{name}={urllib.parse.quote(content, safe='')}"
        if name
        else urllib.parse.quote(content, safe="")
    )


def _multipart(fields: list[str]) -> bytes:
    """curl's -F name=value fields as a multipart/form-data body."""
    chunks = []
    for item in fields:
        name, _, value = item.partition("=")
        chunks.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    return ("".join(chunks) + f"--{BOUNDARY}--\r\n").encode()


def _target(url: str) -> str:
    """The path and query of ``url`` (the host is the mock's, whatever the case says)."""
    parts = urllib.parse.urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def translate(command: str) -> Request:
    """The request a curl command line sends (method, target, headers, body)."""
    options, positional = _options(command)
    method: str | None = None
    request = Request("GET", "/")
    data: list[str] = []
    form: list[str] = []
    url = positional[0] if positional else ""
    for key, value in options:
        if key == "--request":
            method = value
        elif key == "--header" and value is not None:
            name, _, content = value.partition(":")
            request.headers.append((name.strip(), content.strip()))
        elif key in ("--data", "--data-raw", "--data-binary") and value is not None:
            data.append(value)
        elif key == "--data-urlencode" and value is not None:
            data.append(_urlencode(value))
        elif key == "--form" and value is not None:
            form.append(value)
        elif key == "--cookie" and value is not None:
            request.headers.append(("Cookie", value))
        elif key == "--url" and value is not None:
            url = value
        elif key in ("-I", "--head"):
            request.head_only = True
        elif key in ("-L", "--location"):
            request.follow = True
    request.target = _target(url)
    _set_body(request, data, form)
    default = "HEAD" if request.head_only else ("POST" if data or form else "GET")
    request.method = (method or default).upper()
    return request


def _set_body(request: Request, data: list[str], form: list[str]) -> None:
    """Set the body and, as curl does, its content type."""
    if form:
        request.body = _multipart(form)
        request.headers = [(k, v) for k, v in request.headers if k.lower() != "content-type"]
        request.headers.append(("Content-Type", f"multipart/form-data; boundary={BOUNDARY}"))
    elif data:
        request.body = "&".join(data).encode()
        if request.header("content-type") is None:
            request.headers.append(("Content-Type", "application/x-www-form-urlencoded"))


def _json(text: str) -> tuple[bool, object]:
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def _is_xml(text: str) -> bool:
    return text.startswith("<")


def _xml_shape(text: str) -> object:
    """XML compared as Prism's runner does: element structure, values free."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return text

    def shape(element: ElementTree.Element) -> object:
        return (element.tag, sorted(element.attrib), [shape(child) for child in element])

    return shape(root)


def _same_shape(expected: object, got: object) -> bool:
    """Gavel-like loose JSON: every expected key is present, recursively; values are free."""
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(
            key in got and _same_shape(value, got[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(got, list)
    return True


def body_agrees(expected: str, got: str, mode: str) -> bool:
    """Judge a body: exact (JSON as values, XML as structure, text as stripped strings),
    loose (Prism's gavel rules: every expected key present) or keys (top-level keys in order)."""
    expected, got = expected.strip(), got.strip()
    if mode != "exact" and not expected:
        return True
    if _is_xml(expected) and _is_xml(got):
        return _xml_shape(expected) == _xml_shape(got)
    is_json, expected_value = _json(expected)
    if is_json and expected:
        got_json, got_value = _json(got)
        if not got_json:
            return False
        if mode == "keys":
            return (
                isinstance(expected_value, dict)
                and isinstance(got_value, dict)
                and (list(expected_value) == list(got_value))
            )
        return (
            _same_shape(expected_value, got_value)
            if mode == "loose"
            else expected_value == got_value
        )
    return expected == got


def media_agrees(expected: Answer, got: Answer) -> bool:
    """The content type's essence agrees; not judged when the case names none."""
    return not expected.media_type or expected.media_type == got.media_type
