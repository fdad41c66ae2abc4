"""Produce a string matching a regular expression, deterministically from a seeded RNG.

Schemas constrain ids and codes with ``pattern`` (``^[A-Fa-f\\d]{24}$``); generated data
must match. This walks the pattern's parse tree (the standard library's own regex parser)
and picks a path through it. Look-arounds and back-references are not produced; callers
validate the result and retry with another seed when a pattern needs them.
"""

from __future__ import annotations

import importlib
import random
import re
import string

# The parser behind ``re`` itself. It is private, but it has been stable for years and it
# is the only complete parser of Python's regex syntax; the result is always re-checked.
from typing import Any

sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

_MAX_REPEAT = 6
_CATEGORIES = {
    sre.CATEGORY_DIGIT: string.digits,
    sre.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    sre.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre.CATEGORY_NOT_WORD: "-.!",
}
_PRINTABLE = string.ascii_letters + string.digits


class PatternError(ValueError):
    """The pattern cannot be parsed or needs features this generator does not produce."""


def string_matching(
    pattern: str, rng: random.Random, *, min_length: int = 0, max_length: int | None = None
) -> str:
    """A string that ``re.search(pattern, s)`` accepts, within the length bounds if possible."""
    try:
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        raise PatternError(f"invalid pattern {pattern!r}: {exc}") from None
    compiled = re.compile(pattern)
    for _ in range(20):
        text = _emit(tree, rng)
        if compiled.search(text) and min_length <= len(text) <= (max_length or len(text)):
            return text
    raise PatternError(f"could not produce a string matching {pattern!r}")


def _emit(tree: Any, rng: random.Random) -> str:
    return "".join(_node(op, av, rng) for op, av in tree)


def _node(op: Any, av: Any, rng: random.Random) -> str:
    if op is sre.LITERAL:
        return chr(av)
    if op is sre.NOT_LITERAL:
        return rng.choice([c for c in _PRINTABLE if ord(c) != av])
    if op is sre.ANY:
        return rng.choice(_PRINTABLE)
    if op is sre.IN:
        return _in(av, rng)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        count = rng.randint(low, max(low, min(high, low + _MAX_REPEAT)))
        return "".join(_emit(sub, rng) for _ in range(count))
    if op is sre.SUBPATTERN:
        return _emit(av[-1], rng)
    if op is sre.ATOMIC_GROUP:
        return _emit(av, rng)
    if op is sre.BRANCH:
        return _emit(rng.choice(av[1]), rng)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT, sre.GROUPREF, sre.GROUPREF_EXISTS):
        return ""
    if op is sre.CATEGORY:
        return rng.choice(_CATEGORIES.get(av, _PRINTABLE))
    raise PatternError(f"unsupported regex construct {op}")


def _in(items: Any, rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is sre.NEGATE
    allowed: list[str] = []
    for op, av in items[1:] if negate else items:
        if op is sre.LITERAL:
            allowed.append(chr(av))
        elif op is sre.RANGE:
            low, high = av
            allowed.extend(chr(c) for c in range(low, min(high, low + 200) + 1))
        elif op is sre.CATEGORY:
            allowed.extend(_CATEGORIES.get(av, _PRINTABLE))
    if negate:
        excluded = set(allowed)
        allowed = [c for c in _PRINTABLE + " -_." if c not in excluded]
    if not allowed:
        raise PatternError("empty character class")
    return rng.choice(allowed)
