"""The templated paths of an API as a tree of segments, so that start-up compiles no pattern.

A variable matches one whole segment or part of one (``{name}.json``), never a ``/``, so a
request path is matched segment by segment: a literal segment is a dictionary look-up, a
bare variable takes any non-empty segment, and only a segment mixing text and variables
needs a regular expression, compiled on the first request that reaches it. Before this,
every path's pattern was compiled at start-up (a third of a second on GitHub's 800 paths)
and every request tried each one in turn.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from mockserver.spec.paths import ENCODED_SLASH, template_pattern

T = TypeVar("T")
#: A segment that is one variable and nothing else.
BARE = "{}"


class _Node(Generic[T]):
    """The paths sharing a run of leading segments."""

    __slots__ = ("entry", "literal", "templated")

    def __init__(self) -> None:
        self.literal: dict[str, _Node[T]] = {}
        self.templated: list[tuple[str, _Node[T]]] = []
        self.entry: tuple[int, T] | None = None  # (rank, value) of the path ending here

    def child(self, segment: str) -> _Node[T]:
        if "{}" not in segment:
            return self.literal.setdefault(segment, _Node())
        for shape, known in self.templated:
            if shape == segment:
                return known
        made: _Node[T] = _Node()
        self.templated.append((segment, made))
        return made


class PathIndex(Generic[T]):
    """Values keyed by path shapes (``/things/{}/parts/{}.json``): those a path matches."""

    def __init__(self, shapes: Sequence[tuple[str, T]]) -> None:
        """``shapes`` in order of preference (the most specific first)."""
        self._root: _Node[T] = _Node()
        for rank, (shape, value) in enumerate(shapes):
            node = self._root
            for segment in shape.split("/"):
                node = node.child(segment)
            node.entry = (rank, value)

    def matches(self, path: str, empty_variables: bool = False) -> list[tuple[T, tuple[str, ...]]]:
        """Every value whose shape ``path`` matches, in the order given, with the variables'
        values (a ``/`` sent as %2F arrives as :data:`ENCODED_SLASH` and is put back).
        With ``empty_variables``, a bare variable also takes an empty segment."""
        segments = path.split("/")
        found: list[tuple[int, T, tuple[str, ...]]] = []
        stack: list[tuple[_Node[T], int, tuple[str, ...]]] = [(self._root, 0, ())]
        while stack:
            node, depth, values = stack.pop()
            if depth == len(segments):
                if node.entry is not None:
                    found.append((*node.entry, values))
                continue
            segment = segments[depth]
            literal = node.literal.get(segment)
            if literal is not None:
                stack.append((literal, depth + 1, values))
            for shape, child in node.templated:
                taken = _take(shape, segment, empty_variables)
                if taken is not None:
                    stack.append((child, depth + 1, values + taken))
        found.sort(key=lambda hit: hit[0])
        return [
            (value, tuple(v.replace(ENCODED_SLASH, "/") for v in values))
            for _, value, values in found
        ]


def _take(shape: str, segment: str, empty: bool = False) -> tuple[str, ...] | None:
    """The variables' values if ``segment`` matches the segment shape ``shape``."""
    if shape == BARE:
        return (segment,) if segment or empty else None
    hit = _segment_pattern(shape).fullmatch(segment)
    return hit.groups() if hit else None


@functools.lru_cache(maxsize=4096)
def _segment_pattern(shape: str) -> re.Pattern[str]:
    return template_pattern(shape)
