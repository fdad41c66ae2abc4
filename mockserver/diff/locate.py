"""Line and column of a few pointers in a large JSON file, without indexing all of it.

The loader's position index holds every value of a file; building it for a 2.6 MB JSON
document takes over a second, and a diff needs a handful of positions. This scan walks
the tokens once for a batch of pointers and skips every subtree that leads to none.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator

from mockserver.spec.pointer import split_pointer
from mockserver.spec.source import Position

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def json_positions(text: str, pointers: Iterable[str]) -> dict[str, Position]:
    """Where each of ``pointers`` (that exists) is written; members at their key."""
    targets = {tuple(split_pointer(p)): p for p in pointers}
    prefixes = {t[:i] for t in targets for i in range(len(t) + 1)}
    lines = [0] + [m.end() for m in re.finditer("\n", text)]
    found: dict[str, Position] = {}
    tokens = _TOKEN.finditer(text)
    stack: list[tuple[str, tuple[str, ...], list[int]]] = []
    key: str | None = None
    key_at = 0
    for match in tokens:
        token = match.group()
        if token in ",:":
            continue
        if token in "}]":
            stack.pop()
            continue
        if stack and stack[-1][0] == "{" and key is None:
            key, key_at = json.loads(token), match.start()
            continue
        here, offset = _here(stack, key, key_at, match.start())
        key = None
        if here in targets:
            found[targets[here]] = _position(lines, offset)
        if token in "{[":
            if here in prefixes:
                stack.append((token, here, [0]))
            else:
                _skip(tokens)
    return found


def _here(
    stack: list[tuple[str, tuple[str, ...], list[int]]], key: str | None, key_at: int, at: int
) -> tuple[tuple[str, ...], int]:
    if not stack:
        return (), at
    kind, path, counter = stack[-1]
    if kind == "{":
        return (*path, str(key)), key_at
    counter[0] += 1
    return (*path, str(counter[0] - 1)), at


def _skip(tokens: Iterator[re.Match[str]]) -> None:
    depth = 1
    for match in tokens:
        token = match.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth == 0:
                return


def _position(lines: list[int], offset: int) -> Position:
    line = bisect.bisect_right(lines, offset)
    return Position(line, offset - lines[line - 1] + 1)
