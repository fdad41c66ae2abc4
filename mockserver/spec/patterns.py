"""JSON Schema ``pattern`` as ECMA-262 means it, translated once, evaluated with a time limit.

A document's patterns are ECMA-262 regular expressions, but every engine mockserver
evaluates or generates with speaks another dialect: the ``regex`` package judges values,
Python's ``re`` syntax feeds Hypothesis's ``from_regex`` and the data generator's planner.
The dialects differ in ways that crash or mislead: ``[\\w-.]`` is a class of word
characters, ``-`` and ``.`` in ECMA-262 but a bad range in ``re``; ``\\d`` and ``\\w`` are
ASCII in ECMA-262 and Unicode in Python; ``$`` does not match before a final newline;
``[^]`` is any character; ``(?<name>...)`` and ``\\k<name>`` are spelled differently.

:func:`ecma` translates a pattern once (cached) and returns an :class:`EcmaPattern` that
everyone shares: ``search`` runs with a time limit so that a catastrophic pattern
(``^(a|a)+$`` against ``aaaa...!``) cannot hold the server, raising
:class:`PatternTimeout` instead; a pattern that is not ECMA-262, or that cannot be
translated, matches anything and says why in ``problem`` (``validate`` reports it, the
server warns). ``python`` is the ``re``-syntax form generators draw from.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex
import regress

#: Seconds of CPU time one evaluation of a pattern may take before it is abandoned (the
#: ``regex`` package counts its own process time, so on a busy host the wall time is longer:
#: the margin keeps an evaluation well under 100 ms of event loop on an ordinary machine).
TIME_LIMIT = 0.025

_ASCII = "".join(chr(c) for c in range(32, 127))
#: Where members of a property with no printable ASCII member are looked for.
_POOL = "".join(
    chr(c) for r in (range(0x7F, 0x3100), range(0x4E00, 0x4E80), range(0xAC00, 0xAC80)) for c in r
)
_SAMPLE = 32
_KREF = re.compile(r"\\k<([A-Za-z_]\w*)>")
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")
#: ECMA-262's class escapes, written as the ASCII classes they are (inside a class).
_CLASS_BODY = {"d": "0-9", "w": "A-Za-z0-9_"}
_OUTSIDE = {"d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]"}
#: Escapes both dialects read alike (or that stay anchors, as validators read them).
_KEPT = set("bBfnrtvsS0123456789xuA")
_KEPT_IN_CLASS = _KEPT - set("BA")
_HEX = {"u": re.compile(r"[0-9A-Fa-f]{4}"), "x": re.compile(r"[0-9A-Fa-f]{2}")}
_BRACED = re.compile(r"\{([0-9A-Fa-f]{1,6})\}")
_DOT = "[^\\n\\r\\u2028\\u2029]"


class PatternTimeout(Exception):
    """Evaluating a pattern took longer than :data:`TIME_LIMIT`."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        super().__init__(
            f"the pattern {pattern!r} is too slow to evaluate against this value "
            f"(gave up after {int(TIME_LIMIT * 1000)} ms)"
        )


class Untranslatable(ValueError):
    """A pattern ECMA-262 reads but the other dialect cannot say."""


@dataclass(frozen=True)
class EcmaPattern:
    """One document pattern, translated for each engine."""

    source: str
    engine: Any  # the ``regex`` package's compiled form; None: judged as matching anything
    python: str | None  # ``re`` syntax for generators; None when there is none
    problem: str  # why the pattern is not judged ("" when it is)

    def search(self, text: str) -> bool:
        """Whether ``text`` holds a match; raises :class:`PatternTimeout` when too slow."""
        if self.engine is None:
            return True
        try:
            return self.engine.search(text, timeout=TIME_LIMIT) is not None
        except TimeoutError:
            raise PatternTimeout(self.source) from None


@functools.lru_cache(maxsize=4096)
def ecma(pattern: str) -> EcmaPattern:
    """``pattern`` checked as ECMA-262 and translated for every engine, once."""
    problem = ecma_problem(pattern)
    if problem:
        return EcmaPattern(pattern, None, None, f"not an ECMA-262 regular expression: {problem}")
    try:
        engine = regex.compile(translate(pattern))
    except (Untranslatable, regex.error, ValueError, OverflowError, RecursionError) as exc:
        return EcmaPattern(pattern, None, None, f"cannot be translated for evaluation: {exc}")
    return EcmaPattern(pattern, engine, _python_form(pattern), "")


def _python_form(pattern: str) -> str | None:
    try:
        form = translate(pattern, properties=property_class)
        re.compile(form)
    except (Untranslatable, re.error, ValueError, OverflowError, RecursionError):
        return None
    return form


@functools.lru_cache(maxsize=4096)
def ecma_problem(pattern: str) -> str:
    """Why ``pattern`` is not an ECMA-262 regular expression, or "" when it is one.

    Checked without the ``u`` flag, as browsers and most validators compile patterns,
    so that nothing an ECMAScript engine accepts is reported.
    """
    try:
        regress.Regex(pattern)
    except regress.RegressError as error:
        return str(error) or "not a regular expression"
    return ""


PropertyHook = Callable[[str, bool, bool], str]


def _keep_property(name: str, negated: bool, in_class: bool) -> str:
    return f"\\{'P' if negated else 'p'}{{{name}}}"


def translate(pattern: str, properties: PropertyHook = _keep_property) -> str:
    """``pattern`` in Python's syntax (the ``regex`` package's, or with ``properties`` that
    expand ``\\p{..}`` escapes, ``re``'s); raises :class:`Untranslatable`."""
    return _Translator(pattern, properties).run()


class _Translator:
    """A single left-to-right scan; ``in_class`` tracks whether we are inside ``[...]``."""

    def __init__(self, pattern: str, properties: PropertyHook) -> None:
        self.pattern = pattern
        self.properties = properties
        self.out: list[str] = []
        self.i = 0
        self.in_class = False
        self.after_class_escape = False

    def run(self) -> str:
        while self.i < len(self.pattern):
            if self.in_class:
                self._class_char()
            else:
                self._char()
        return "".join(self.out)

    def _char(self) -> None:
        p, i = self.pattern, self.i
        c = p[i]
        if c == "\\":
            self._escape()
        elif c == "[":
            self._open_class()
        elif p.startswith("(?<", i) and not p.startswith(("(?<=", "(?<!"), i):
            self._emit("(?P<", 3)
        elif c == "$":
            self._emit("\\Z", 1)
        elif c == ".":
            self._emit(_DOT, 1)
        elif c == "{" and not _QUANTIFIER.match(p, i):
            self._emit("\\{", 1)  # ECMA-262 reads a brace that is no quantifier as itself
        else:
            self._emit(c, 1)

    def _open_class(self) -> None:
        if self.pattern.startswith("[^]", self.i):
            self._emit("[\\s\\S]", 3)
        elif self.pattern.startswith("[]", self.i):
            self._emit("(?!)", 2)  # the empty class matches nothing
        else:
            self.in_class, self.after_class_escape = True, False
            start = "[^" if self.pattern.startswith("[^", self.i) else "["
            self._emit(start, len(start))

    def _class_char(self) -> None:
        p, i = self.pattern, self.i
        c = p[i]
        escaped = self.after_class_escape
        self.after_class_escape = False
        if c == "]":
            self.in_class = False
            self._emit("]", 1)
        elif c == "\\":
            self._escape()
        elif c == "-" and (escaped or _CLASS_ESCAPE.match(p, i + 1)) and p[i + 1 : i + 2] != "]":
            self._emit("\\-", 1)  # ECMA-262: a class escape cannot bound a range
        elif c in "[&~|":
            self._emit("\\" + c, 1)  # Python reads these doubled as set operations
        else:
            self._emit(c, 1)

    def _escape(self) -> None:
        p, i = self.pattern, self.i
        if i + 1 >= len(p):
            raise Untranslatable("a pattern cannot end with a backslash")
        e = p[i + 1]
        if e in "pP":
            name, end = _property_name(p, i + 2)
            self.out.append(self.properties(name, e == "P", self.in_class))
            self.i = end
            self.after_class_escape = self.in_class
            return
        ref = _KREF.match(p, i)
        if ref and not self.in_class:
            self._emit(f"(?P={ref.group(1)})", ref.end() - i)
            return
        self._emit(self._escape_text(e), 2)
        self.after_class_escape = self.in_class and e in "dDsSwW"

    def _escape_text(self, e: str) -> str:
        if self.in_class and e in _CLASS_BODY:
            return _CLASS_BODY[e]
        if not self.in_class and e in _OUTSIDE:
            return _OUTSIDE[e]
        if e == "z" or (e == "Z" and not self.in_class):  # Perl's end, as validators read it
            return "z" if self.in_class else "\\Z"
        if e == "c" and self.pattern[self.i + 2 : self.i + 3].isalpha():
            self.i += 1
            return f"\\x{ord(self.pattern[self.i + 1]) % 32:02x}"
        braced = _BRACED.match(self.pattern, self.i + 2) if e == "u" else None
        if braced:  # ``\\u{1F600}``, as ECMA-262 engines read it
            self.i += braced.end() - self.i - 2
            return f"\\U{int(braced.group(1), 16):08x}"
        if e in "ux" and not _HEX[e].match(self.pattern, self.i + 2):
            return e  # Annex B: ``\\u`` without four hex digits is ``u``
        if e in (_KEPT_IN_CLASS if self.in_class else _KEPT) or not e.isalnum():
            return "\\" + e
        return e  # an identity escape: ``\\q`` is ``q`` in ECMA-262

    def _emit(self, text: str, consumed: int) -> None:
        self.out.append(text)
        self.i += consumed


_CLASS_ESCAPE = re.compile(r"\\[dDsSwWpP]")


def _property_name(pattern: str, start: int) -> tuple[str, int]:
    if pattern.startswith("{", start):
        end = pattern.find("}", start)
        if end < 0:
            raise Untranslatable(f"unterminated property escape in {pattern!r}")
        return pattern[start + 1 : end], end + 1
    if start < len(pattern):
        return pattern[start], start + 1
    raise Untranslatable(f"incomplete property escape in {pattern!r}")


def property_class(name: str, negated: bool, in_class: bool) -> str:
    """``\\p{name}`` as a class of representative members, for engines that lack it."""
    members, others = _property_members(name)
    if in_class:
        return _class_body(others if negated else members)
    return f"[{'^' if negated else ''}{_class_body(members)}]"


@functools.lru_cache(maxsize=256)
def _property_members(name: str) -> tuple[str, str]:
    """Printable members of the property, and printable non-members (ASCII first)."""
    try:
        prop = regex.compile(rf"\p{{{name}}}")
    except regex.error:
        raise Untranslatable(f"unknown Unicode property \\p{{{name}}}") from None
    members = [c for c in _ASCII if prop.match(c)] or [c for c in _POOL if prop.match(c)][:_SAMPLE]
    others = [c for c in _ASCII if not prop.match(c)] or [c for c in _POOL if not prop.match(c)][
        :_SAMPLE
    ]
    if not members or not others:
        raise Untranslatable(f"cannot represent \\p{{{name}}}")
    return "".join(members), "".join(others)


def _class_body(chars: str) -> str:
    return "".join(c if c.isalnum() else f"\\u{ord(c):04x}" for c in chars)


#: Keys under which a schema holds values, not keywords.
_VALUES = frozenset({"example", "examples", "default", "enum", "const"})


def unjudged_patterns(schema: Any) -> tuple[EcmaPattern, ...]:
    """The patterns in ``schema`` (``pattern`` and ``patternProperties`` keys, anywhere
    below) that judge nothing because no engine reads them, each once."""
    found: dict[str, EcmaPattern] = {}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        if not isinstance(node, dict):
            continue
        written = [node.get("pattern")]
        if isinstance(node.get("patternProperties"), dict):
            written.extend(node["patternProperties"])
        for pattern in written:
            if isinstance(pattern, str) and ecma(pattern).engine is None:
                found.setdefault(pattern, ecma(pattern))
        stack.extend(v for k, v in node.items() if k not in _VALUES)
    return tuple(found.values())


def unjudged_warning(patterns: tuple[EcmaPattern, ...]) -> str | None:
    """A ``Warning`` header value naming the patterns no value is checked against."""
    if not patterns:
        return None
    named = "; ".join(f"pattern {p.source!r} {p.problem}" for p in patterns)
    text = named.encode("ascii", "backslashreplace").decode("ascii").replace('"', "'")
    if len(text) > _WARNING_DETAIL:
        text = text[: _WARNING_DETAIL - 3] + "..."
    return f'199 mockserver "{text}; any value is accepted for it"'


#: Characters of the patterns' description a ``Warning`` header carries.
_WARNING_DETAIL = 300
