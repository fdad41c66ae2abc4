"""JSON pointers (RFC 6901): the one address format used in every message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote


def escape(token: str) -> str:
    """Escape one reference token."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo :func:`escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """``join_pointer("/paths", "/pets")`` is ``"/paths/~1pets"``."""
    return pointer + "".join("/" + escape(str(token)) for token in tokens)


def split_pointer(pointer: str) -> list[str]:
    """The unescaped tokens of ``pointer``; ``""`` is the whole document."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [unescape(token) for token in pointer[1:].split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer``; raises ``LookupError`` naming the first missing token."""
    return resolve_tokens(document, split_pointer(pointer), pointer)


def resolve_tokens(document: Any, tokens: Iterable[str], pointer: str | None = None) -> Any:
    """The value at the unescaped ``tokens`` (a pointer already split: schema walks call
    this thousands of times per generated body); raises ``LookupError`` as
    :func:`resolve_pointer` does."""
    value = document
    for token in tokens:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            where = pointer if pointer is not None else join_pointer("", *tokens)
            raise LookupError(f"{where!r} has no {token!r}")
    return value


def fragment_pointer(fragment: str) -> str:
    """A URI fragment as the JSON pointer it spells: its percent-escapes decoded (RFC 6901
    section 6), so ``#/paths/~1a~1%7Bid%7D`` is ``/paths/~1a~1{id}``."""
    return unquote(fragment)
