"""Scalars drawn from their keywords: strings (a pattern, a format, or realistic text),
integers and numbers within their bounds."""

from __future__ import annotations

import random
import re
from typing import Any

from mockserver.data.fakes import fake_format, fake_instant, fake_text
from mockserver.data.regex import PatternError, string_matching
from mockserver.spec.patterns import PatternTimeout, ecma


class Impossible(Exception):
    """No value meets the schema along this draw (callers leave optional parts out)."""


def draw_string(rng: random.Random, node: dict[str, Any], name: str, *, lenient: bool) -> str:
    """A string for ``node``; with ``lenient``, one that breaks a pattern no string of its
    lengths matches, rather than none."""
    low, high = int(node.get("minLength", 0)), node.get("maxLength")
    if "pattern" in node:
        formatted = _format_matching(rng, node, name, low, high)
        if formatted is not None:
            return formatted
        try:
            return string_matching(
                node["pattern"],
                rng,
                min_length=low,
                max_length=int(high) if high is not None else None,
            )
        except PatternError:
            if not lenient:
                raise
    text = fake_format(rng, str(node.get("format", "")), name) or fake_text(rng, name)
    if len(text) < low:
        text += "x" * (low - len(text))
    return text[: int(high)] if high is not None else text


def _format_matching(
    rng: random.Random, node: dict[str, Any], name: str, low: int, high: Any
) -> str | None:
    """A value of the string's ``format`` that its pattern and lengths also accept, or
    None. Drawn first: a string drawn from the pattern alone rarely meets a format too
    (Graph's date-times carry a pattern allowing years of any length, and every body
    holding one failed validation twelve times before the closest value was served)."""
    text = fake_format(rng, str(node.get("format", "")), name)
    if not text or len(text) < low or (high is not None and len(text) > int(high)):
        return None
    try:
        return text if ecma(str(node["pattern"])).search(text) else None
    except (PatternTimeout, re.error):
        return None


def draw_integer(rng: random.Random, node: dict[str, Any], name: str) -> int:
    """An integer within the bounds and multiple ``node`` sets (epoch ms for a time)."""
    low, high = _bounds(node, integer=True)
    if node.get("format") == "int64" and _looks_like_time(name) and low is None:
        return int(fake_instant(rng).timestamp() * 1000)
    low = 0 if low is None else low
    high = low + (1000 if node.get("minimum") is None else 100) if high is None else high
    if high < low:
        raise Impossible
    step = node.get("multipleOf")
    value = rng.randint(int(low), int(high))
    if isinstance(step, int | float) and step:
        value = int(-(-low // step) * step) if value % step else value
    return value


def draw_number(rng: random.Random, node: dict[str, Any], name: str) -> float | int:
    """A number within the bounds ``node`` sets, to two places (an integer for a multiple)."""
    if node.get("multipleOf"):
        return draw_integer(rng, node, name)
    low, high = _bounds(node, integer=False)
    low = 0.0 if low is None else low
    high = low + 1000.0 if high is None else high
    return round(rng.uniform(low, high), 2)


def _bounds(node: dict[str, Any], *, integer: bool) -> tuple[Any, Any]:
    low, high = node.get("minimum"), node.get("maximum")
    ex_low, ex_high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    bump = 1 if integer else 0.01
    if ex_low is True and low is not None:  # Draft 4 / OpenAPI 3.0 boolean form
        low += bump
    elif isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
        low = ex_low + bump if low is None else max(low, ex_low + bump)
    if ex_high is True and high is not None:
        high -= bump
    elif isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
        high = ex_high - bump if high is None else min(high, ex_high - bump)
    if integer:
        low = None if low is None else int(-(-low // 1))
        high = None if high is None else int(high // 1)
    return low, high


def _looks_like_time(name: str) -> bool:
    lowered = name.lower()
    return any(k in lowered for k in ("date", "time", "before", "after")) or lowered.endswith("at")
