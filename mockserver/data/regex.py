"""Produce a string matching a regular expression, deterministically from a seeded RNG.

Schemas constrain ids and codes with ``pattern`` (``^[A-Fa-f\\d]{24}$``), often together
with ``minLength``/``maxLength``; generated data must satisfy all three. OpenAPI patterns
are ECMA-262, so ``\\p{L}``-style property escapes (which Python's ``re`` rejects) are
rewritten into character classes of representative members first. The pattern's parse
tree (the standard library's own parser) is then turned into a plan that knows, for every
node, which lengths it can produce; the string is drawn at a length the bounds allow, so
``[a-z0-9]+`` with ``minLength: 26`` is met directly rather than by luck. A pattern that is
not anchored may be padded to reach ``minLength``. Look-arounds and back-references are
not planned for; every result is re-checked, and callers validate it against the schema.
"""

from __future__ import annotations

import functools
import importlib
import random
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockserver.spec.patterns import (
    EcmaPattern,
    PatternTimeout,
    Untranslatable,
    ecma,
    property_class,
    translate,
)

# The parser behind ``re`` itself. It is private, but it has been stable for years and it
# is the only complete parser of Python's regex syntax; the result is always re-checked.
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

#: Natural strings are at most this much longer than the shortest the bounds allow.
_SLACK = 8
#: Lengths are planned up to this many characters; longer strings are not produced.
_CAP_LIMIT = 4096
_TRIES = 12
_ASCII = "".join(chr(c) for c in range(32, 127))
_PRINTABLE = string.ascii_letters + string.digits
_NICE = _PRINTABLE + " -_."
_PAD = string.ascii_lowercase + string.digits
_EXTRA = "éñüßøåçλжπ中"
_START = {sre.AT_BEGINNING, sre.AT_BEGINNING_STRING}
_END = {sre.AT_END, sre.AT_END_STRING}
_CATEGORY_RE = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}
_CATEGORIES = {
    key: "".join(c for c in _ASCII if re.fullmatch(rx, c)) for key, rx in _CATEGORY_RE.items()
}


class PatternError(ValueError):
    """The pattern cannot be parsed or needs features this generator does not produce."""


def string_matching(
    pattern: str, rng: random.Random, *, min_length: int = 0, max_length: int | None = None
) -> str:
    """A string the ECMA-262 ``pattern`` finds a match in, within the length bounds."""
    high = _CAP_LIMIT if max_length is None else min(max_length, _CAP_LIMIT)
    if min_length > high:
        raise PatternError(f"no string of {min_length} to {max_length} characters is produced")
    plan = _plan(pattern, _cap(pattern, min_length, high))
    if not plan.targets(min_length, high) and plan.cap < high:
        plan = _plan(pattern, high)  # a length the first, short plan did not reach
    for _ in range(_TRIES):
        text = plan.draw(rng, min_length, high)
        if plan.matches(text) and min_length <= len(text) <= high:
            return text
    raise PatternError(
        f"could not produce a string matching {pattern!r} of {min_length} to "
        f"{max_length if max_length is not None else 'any'} characters"
    )


def _cap(pattern: str, low: int, high: int) -> int:
    shortest = int(_parse(pattern).getwidth()[0])
    return min(high, max(low, shortest) + 4 * _SLACK)


@functools.lru_cache(maxsize=1024)
def _parse(pattern: str) -> Any:
    try:
        return sre_parse.parse(_to_python(pattern))
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternError(f"invalid pattern {pattern!r}: {exc}") from None


@functools.lru_cache(maxsize=1024)
def _plan(pattern: str, cap: int) -> _Plan:
    tree = _parse(pattern)
    builder = _Builder(cap)
    root = builder.sequence(tree)
    return _Plan(root, cap, builder.anchors, _matcher(pattern))


def _matcher(pattern: str) -> Callable[[str], Any]:
    compiled = ecma(pattern)
    if compiled.engine is None:
        return re.compile(_to_python(pattern)).search
    return functools.partial(_matches_in_time, compiled)


def _matches_in_time(compiled: EcmaPattern, text: str) -> bool:
    """A drawn string the pattern is too slow to judge is not offered."""
    try:
        return compiled.search(text)
    except PatternTimeout:
        return False


def _to_python(pattern: str) -> str:
    """``pattern`` in ``re`` syntax (shared with every engine: :mod:`mockserver.spec.patterns`),
    property escapes as classes of their members."""
    try:
        return translate(pattern, properties=property_class)
    except Untranslatable as exc:
        raise PatternError(str(exc)) from None


# -- the plan: which lengths each node can produce -----------------------------------


def _bits(mask: int) -> list[int]:
    found: list[int] = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _has(mask: int, length: int) -> bool:
    return length >= 0 and bool(mask >> length & 1)


@dataclass
class _Node:
    """Part of a pattern; ``lengths`` has bit ``n`` set when it can produce ``n`` characters."""

    lengths: int

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        raise NotImplementedError


@dataclass
class _Atom(_Node):
    chars: str = ""

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        return rng.choice(self.chars) if length else ""


@dataclass
class _Sequence(_Node):
    parts: Sequence[_Node] = ()
    suffixes: Sequence[int] = ()  # lengths of parts[i:]

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        out: list[str] = []
        for index, part in enumerate(self.parts):
            rest = self.suffixes[index + 1]
            options = [n for n in _bits(part.lengths) if _has(rest, length - n)]
            chosen = rng.choice(options) if options else 0
            out.append(part.emit(chosen, rng, groups))
            length -= chosen
        return "".join(out)


@dataclass
class _Branch(_Node):
    options: Sequence[_Node] = ()

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        fitting = [o for o in self.options if _has(o.lengths, length)] or list(self.options)
        return rng.choice(fitting).emit(length, rng, groups)


@dataclass
class _Group(_Node):
    number: int | None = None
    inner: _Node | None = None

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        assert self.inner is not None
        text = self.inner.emit(length, rng, groups)
        if self.number is not None:
            groups[self.number] = text
        return text


@dataclass
class _Backref(_Node):
    number: int = 0

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        return groups.get(self.number, "")


@dataclass
class _Repeat(_Node):
    inner: _Node | None = None
    low: int = 0
    high: int = 0
    exactly: Sequence[int] = ()  # exactly[m]: lengths of m non-empty repetitions

    def emit(self, length: int, rng: random.Random, groups: dict[int, str]) -> str:
        assert self.inner is not None
        empty_ok = bool(self.inner.lengths & 1)
        fewest = 0 if empty_ok else self.low
        counts = [
            m
            for m, lengths in enumerate(self.exactly)
            if fewest <= m <= self.high and _has(lengths, length)
        ]
        count = rng.choice(counts) if counts else fewest
        filled = self.inner.lengths & ~1
        out = [self.inner.emit(0, rng, groups) for _ in range(max(self.low - count, 0))]
        for done in range(count):
            left = self.exactly[count - done - 1]
            options = [n for n in _bits(filled) if _has(left, length - n)]
            chosen = rng.choice(options) if options else 1
            out.append(self.inner.emit(chosen, rng, groups))
            length -= chosen
        return "".join(out)


@dataclass
class _Builder:
    """Turns a parse tree into nodes, keeping lengths up to ``cap``."""

    cap: int
    anchors: set[Any] = field(default_factory=set)

    @property
    def mask(self) -> int:
        return (1 << (self.cap + 1)) - 1

    def join(self, first: int, second: int) -> int:
        """Lengths of one part followed by another."""
        small, large = sorted((first, second), key=int.bit_count)
        total = 0
        for n in _bits(small):
            total |= large << n
        return total & self.mask

    def sequence(self, tree: Any) -> _Sequence:
        parts = [self.node(op, av) for op, av in tree]
        suffixes = [1]
        for part in reversed(parts):
            suffixes.append(self.join(part.lengths, suffixes[-1]))
        suffixes.reverse()
        return _Sequence(suffixes[0], parts, suffixes)

    def node(self, op: Any, av: Any) -> _Node:
        if op is sre.LITERAL:
            return _Atom(2, chr(av))
        if op is sre.NOT_LITERAL:
            return _Atom(2, _pool_without(chr(av).__eq__))
        if op is sre.ANY:
            return _Atom(2, _PRINTABLE)
        if op is sre.IN:
            return _Atom(2, _in(av))
        if op is sre.CATEGORY:
            return _Atom(2, _CATEGORIES.get(av, _PRINTABLE))
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            return self.repeat(*av)
        if op is sre.SUBPATTERN:
            inner = self.sequence(av[-1])
            return _Group(inner.lengths, av[0], inner)
        if op is sre.ATOMIC_GROUP:
            return self.sequence(av)
        if op is sre.BRANCH:
            options = [self.sequence(branch) for branch in av[1]]
            lengths = 0
            for option in options:
                lengths |= option.lengths
            return _Branch(lengths, options)
        if op is sre.GROUPREF_EXISTS:
            options = [self.sequence(av[1]), self.sequence(av[2] or [])]
            return _Branch(options[0].lengths | options[1].lengths, options)
        if op is sre.AT:
            self.anchors.add(av)
            return _Atom(1)
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            return _Atom(1)  # look-arounds are not planned for; the result is re-checked
        if op is sre.GROUPREF:
            return _Backref(self.mask, av)
        raise PatternError(f"unsupported regex construct {op}")

    def repeat(self, low: int, high: int, tree: Any) -> _Repeat:
        inner = self.sequence(tree)
        filled = inner.lengths & ~1
        fewest = 0 if inner.lengths & 1 else low
        exactly = [1]
        lengths = 1 if fewest == 0 else 0
        while filled and exactly[-1] and len(exactly) <= high:
            exactly.append(self.join(exactly[-1], filled))
            if len(exactly) - 1 >= fewest:
                lengths |= exactly[-1]
        return _Repeat(lengths, inner, low, high, exactly)


@dataclass(frozen=True)
class _Plan:
    root: _Node
    cap: int
    anchors: set[Any]
    matches: Callable[[str], Any]

    def targets(self, low: int, high: int) -> list[int]:
        """The lengths within the bounds the pattern produces without padding."""
        return [n for n in _bits(self.root.lengths) if low <= n <= high]

    def draw(self, rng: random.Random, low: int, high: int) -> str:
        fitting = self.targets(low, high)
        if fitting:
            length = rng.choice([n for n in fitting if n <= fitting[0] + _SLACK])
            return self.root.emit(length, rng, {})
        return self._padded(rng, low, high)

    def _padded(self, rng: random.Random, low: int, high: int) -> str:
        """An unanchored match, padded with characters around it up to ``low``."""
        before, after = not (self.anchors & _START), not (self.anchors & _END)
        shorter = [n for n in _bits(self.root.lengths) if n < low]
        if not shorter or sre.AT_BOUNDARY in self.anchors or not (before or after):
            raise PatternError("no string of the required length matches the pattern")
        core = self.root.emit(shorter[-1], rng, {})
        pad = "".join(rng.choice(_PAD) for _ in range(low - len(core)))
        if before and after:
            cut = rng.randint(0, len(pad))
            return pad[:cut] + core + pad[cut:]
        return pad + core if before else core + pad


def _pool_without(excluded: Callable[[str], bool]) -> str:
    """Characters outside a negated class: readable ones first."""
    for pool in (_NICE, _ASCII, _EXTRA):
        allowed = "".join(c for c in pool if not excluded(c))
        if allowed:
            return allowed
    raise PatternError("empty character class")


def _in(items: Any) -> str:
    negate = bool(items) and items[0][0] is sre.NEGATE
    entries = items[1:] if negate else items
    if negate:
        return _pool_without(functools.partial(_in_class, entries))
    allowed: list[str] = []
    for op, av in entries:
        if op is sre.LITERAL:
            allowed.append(chr(av))
        elif op is sre.RANGE:
            low, high = av
            printable = range(max(low, 32), min(high, 126) + 1)
            allowed.extend(chr(c) for c in printable or range(low, min(high, low + 200) + 1))
        elif op is sre.CATEGORY:
            allowed.extend(_CATEGORIES.get(av, _PRINTABLE))
    if not allowed:
        raise PatternError("empty character class")
    return "".join(allowed)


def _in_class(entries: Any, char: str) -> bool:
    code = ord(char)
    for op, av in entries:
        if (
            (op is sre.LITERAL and av == code)
            or (op is sre.RANGE and av[0] <= code <= av[1])
            or (op is sre.CATEGORY and re.fullmatch(_CATEGORY_RE.get(av, "."), char))
        ):
            return True
    return False
