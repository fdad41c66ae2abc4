"""Hypothesis strategies from schemas, in each schema's own dialect.

Why not hypothesis-jsonschema: its last release (0.23.1, 2024) crashes on the Hypothesis
this project pins (``'many' object has no attribute 'more'``), produces invalid data for
``prefixItems``, ``unevaluatedProperties`` and ``dependentRequired``, and ignores
``format: uuid``. These strategies are built structurally (so failures shrink to small
examples) and every value is then checked against the original schema with the
dialect's validator, so a value that reaches a test is always valid.
"""

from __future__ import annotations

import base64
import json
import math
import re
import string
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockserver.spec.dialects import Direction, SchemaValidator
from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.navigate import deref, descend, merge_all_of
from mockserver.spec.patterns import ecma

MAX_DEPTH = 6
MAX_EXTRA_ITEMS = 4
#: Characters that survive every transport, used where the wire is picky (headers, paths).
HEADER_SAFE = st.characters(min_codepoint=33, max_codepoint=126)

_FORMATS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "uuid": lambda: st.uuids().map(str),
    "date-time": lambda: st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)).map(
        lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000).isoformat() + "Z"
    ),
    "date": lambda: st.dates(date(1970, 1, 1), date(2040, 1, 1)).map(lambda d: d.isoformat()),
    "time": lambda: st.times().map(lambda t: t.replace(microsecond=0).isoformat() + "Z"),
    "email": lambda: st.from_regex(
        r"[a-z]{1,8}(\.[a-z]{1,8})?@[a-z]{2,8}\.(com|org|io)", fullmatch=True
    ),
    "uri": lambda: st.from_regex(
        r"https://[a-z]{1,10}\.example\.com/[a-z0-9/]{0,12}", fullmatch=True
    ),
    "url": lambda: st.from_regex(
        r"https://[a-z]{1,10}\.example\.com/[a-z0-9/]{0,12}", fullmatch=True
    ),
    "hostname": lambda: st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8}){0,2}", fullmatch=True),
    "ipv4": lambda: st.ip_addresses(v=4).map(str),
    "ipv6": lambda: st.ip_addresses(v=6).map(str),
    "byte": lambda: st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode()),
}


class StrategyFactory:
    """Builds strategies for the schemas of one document (through its registry)."""

    def __init__(
        self,
        registry: SchemaRegistry,
        direction: Direction = "request",
        *,
        text_alphabet: st.SearchStrategy[str] | None = None,
    ) -> None:
        self.registry = registry
        self.direction = direction
        self.alphabet = (
            text_alphabet
            if text_alphabet is not None
            else st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
        )

    def from_schema(self, schema: Schema) -> st.SearchStrategy[Any]:
        """Values valid against ``schema``: built structurally, then checked."""
        validator = SchemaValidator(schema, self.registry, direction=self.direction)
        return self._build(schema, 0).filter(validator.is_valid)

    # -- dispatch ---------------------------------------------------------------------

    def _build(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        schema = merge_all_of(deref(schema, self.registry), self.registry)
        node = schema.value
        if node is True or node == {}:
            return _anything()
        if node is False or depth > MAX_DEPTH + 3:
            return st.nothing()
        if "const" in node:
            return st.just(node["const"])
        if node.get("enum"):
            return st.sampled_from(node["enum"])
        for combinator in ("oneOf", "anyOf"):
            if node.get(combinator):
                return st.one_of(
                    [self._build(branch, depth) for branch in _branches(schema, combinator)]
                )
        types = _types(node)
        options = [self._typed(schema, kind, depth) for kind in types]
        return st.one_of(options) if len(options) > 1 else options[0]

    def _typed(self, schema: Schema, kind: str, depth: int) -> st.SearchStrategy[Any]:
        builders: dict[str, Callable[[Schema, int], st.SearchStrategy[Any]]] = {
            "object": self._object,
            "array": self._array,
            "string": self._string,
            "integer": self._integer,
            "number": self._number,
            "boolean": lambda *_: st.booleans(),
            "null": lambda *_: st.none(),
        }
        build = builders.get(kind)
        return build(schema, depth) if build is not None else _anything()

    # -- containers -------------------------------------------------------------------

    def _object(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        node = schema.value
        props = node.get("properties") or {}
        required = set(node.get("required") or [])
        fixed: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name in props:
            sub = descend(schema, ("properties", name))
            if sub is None or self._hidden(sub):
                if name in required:
                    return st.nothing()
                continue
            if name in required:
                fixed[name] = self._build(sub, depth + 1)
            elif depth < MAX_DEPTH:
                optional[name] = self._build(sub, depth + 1)
        for name in required - set(props):
            fixed[name] = _anything()
        base = st.fixed_dictionaries(fixed, optional=optional)
        extra = self._extra_properties(schema, set(props), depth)
        if extra is not None:
            base = st.tuples(base, extra).map(lambda pair: {**pair[1], **pair[0]})
        dependent = node.get("dependentRequired") or {}
        return base.map(lambda value: _drop_unmet(value, dependent)) if dependent else base

    def _extra_properties(
        self, schema: Schema, declared: set[str], depth: int
    ) -> st.SearchStrategy[dict[str, Any]] | None:
        node = schema.value
        extra = node.get("additionalProperties", None if declared else True)
        if extra is False or extra is None or node.get("unevaluatedProperties") is False:
            return None
        if depth >= MAX_DEPTH:
            return None
        sub = descend(schema, ("additionalProperties",)) if isinstance(extra, dict) else None
        values = self._build(sub, depth + 1) if sub is not None else _scalars()
        keys = st.text(string.ascii_letters, min_size=1, max_size=8).filter(
            lambda k: k not in declared
        )
        return st.dictionaries(keys, values, max_size=2)

    def _array(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        node = schema.value
        prefix = [self._build(sub, depth + 1) for sub in _indexed(schema, "prefixItems")]
        items = node.get("items")
        if isinstance(items, list):  # Draft 4 tuple form
            prefix = [self._build(sub, depth + 1) for sub in _indexed(schema, "items")]
            items = node.get("additionalItems", True)
        low = int(node.get("minItems", 0))
        high = node.get("maxItems")
        rest_low = max(low - len(prefix), 0)
        rest_high = rest_low + MAX_EXTRA_ITEMS if high is None else max(int(high) - len(prefix), 0)
        if depth >= MAX_DEPTH:
            rest_high = rest_low
        head = st.tuples(*prefix).map(list) if prefix else st.just([])
        if items is False or rest_high == 0:
            return head
        sub = descend(schema, ("items",)) if isinstance(items, dict) else None
        element = self._build(sub, depth + 1) if sub is not None else _scalars()
        unique = bool(node.get("uniqueItems"))
        tail = st.lists(
            element, min_size=rest_low, max_size=rest_high, unique_by=_freeze if unique else None
        )
        return st.tuples(head, tail).map(lambda pair: pair[0] + pair[1])

    # -- scalars ----------------------------------------------------------------------

    def _string(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        node = schema.value
        low, high = int(node.get("minLength", 0)), node.get("maxLength")
        pattern = _pattern_strategy(node.get("pattern"))
        if pattern is not None:
            strategy: st.SearchStrategy[str] = pattern
        elif node.get("format") in _FORMATS:
            strategy = _FORMATS[node["format"]]()
        else:
            return st.text(
                self.alphabet,
                min_size=low,
                max_size=int(high) if high is not None else max(low, 24),
            )
        return strategy.filter(
            lambda s: low <= len(s) <= (int(high) if high is not None else len(s))
        )

    def _integer(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        node = schema.value
        low, high = _bounds(node, integer=True)
        if node.get("format") == "int32":
            low = max(low if low is not None else -(2**31), -(2**31))
            high = min(high if high is not None else 2**31 - 1, 2**31 - 1)
        step = node.get("multipleOf")
        if isinstance(step, int) and step > 0:
            return st.integers(
                None if low is None else -(-low // step), None if high is None else high // step
            ).map(lambda n: n * step)
        return st.integers(low, high)

    def _number(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        node = schema.value
        if node.get("multipleOf"):
            return self._integer(schema, depth)
        low, high = _bounds(node, integer=False)
        return st.one_of(
            st.integers(
                None if low is None else int(-(-low // 1)), None if high is None else int(high // 1)
            ),
            st.floats(
                low,
                high,
                allow_nan=False,
                allow_infinity=False,
                exclude_min=node.get("exclusiveMinimum") is not None,
                exclude_max=node.get("exclusiveMaximum") is not None,
            ),
        )

    def _hidden(self, schema: Schema) -> bool:
        node = deref(schema, self.registry).value
        if not isinstance(node, dict):
            return False
        return bool(node.get("readOnly" if self.direction == "request" else "writeOnly"))


def _types(node: dict[str, Any]) -> list[str]:
    declared = node.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    if not types:
        if "properties" in node or "additionalProperties" in node or "required" in node:
            types = ["object"]
        elif "items" in node or "prefixItems" in node:
            types = ["array"]
        elif {"minimum", "maximum", "multipleOf"} & set(node):
            types = ["number"]
        elif {"pattern", "format", "minLength", "maxLength"} & set(node):
            types = ["string"]
        else:
            types = ["string", "integer", "boolean", "object", "array"]
    if node.get("nullable") or node.get("x-nullable"):
        types.append("null")
    return types


def _branches(schema: Schema, combinator: str) -> list[Schema]:
    found = [descend(schema, (combinator, str(i))) for i in range(len(schema.value[combinator]))]
    siblings = {k: v for k, v in schema.value.items() if k not in ("oneOf", "anyOf")}
    branches = [b for b in found if b is not None]
    if siblings.get("type") or siblings.get("properties"):
        # keywords beside oneOf/anyOf apply to every branch: merge them into each
        return [_with_siblings(b, siblings) for b in branches]
    return branches


def _with_siblings(branch: Schema, siblings: dict[str, Any]) -> Schema:
    return (
        replace(branch, value={"allOf": [siblings, branch.value]})
        if isinstance(branch.value, dict)
        else branch
    )


def _indexed(schema: Schema, key: str) -> list[Schema]:
    return (
        [
            s
            for s in (descend(schema, (key, str(i))) for i in range(len(schema.value[key])))
            if s is not None
        ]
        if isinstance(schema.value.get(key), list)
        else []
    )


def _bounds(node: dict[str, Any], *, integer: bool) -> tuple[Any, Any]:
    """Inclusive bounds from minimum/maximum and both exclusive forms (3.0 boolean,
    3.1 number); for integers, rounded inwards."""
    low, high = node.get("minimum"), node.get("maximum")
    ex_low, ex_high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if not integer:
        if _is_number(ex_low):
            low = ex_low if low is None else max(low, ex_low)
        if _is_number(ex_high):
            high = ex_high if high is None else min(high, ex_high)
        return low, high
    lows = (
        []
        if low is None
        else [math.ceil(low) + (1 if ex_low is True and float(low).is_integer() else 0)]
    )
    highs = (
        []
        if high is None
        else [math.floor(high) - (1 if ex_high is True and float(high).is_integer() else 0)]
    )
    if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
        lows.append(math.floor(ex_low) + 1)
    if isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
        highs.append(math.ceil(ex_high) - 1)
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _drop_unmet(value: dict[str, Any], dependent: dict[str, list[str]]) -> dict[str, Any]:
    """Leave out a property whose dependentRequired companions were not drawn."""
    return {
        k: v
        for k, v in value.items()
        if k not in dependent or all(d in value for d in dependent[k])
    }


def _freeze(value: Any) -> Any:
    return json.dumps(value, sort_keys=True)


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-1000, 1000),
        st.text(string.ascii_letters, max_size=8),
    )


def _anything() -> st.SearchStrategy[Any]:
    return st.recursive(
        _scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.text(string.ascii_letters, max_size=6), inner, max_size=3),
        ),
        max_leaves=6,
    )


def _pattern_strategy(pattern: Any) -> st.SearchStrategy[str] | None:
    """Strings matching an ECMA-262 ``pattern``, drawn from its ``re`` translation (shared
    with the server, :mod:`mockserver.spec.patterns`); None when it has none (such a
    pattern is judged as matching anything, so any string will do)."""
    form = ecma(pattern).python if isinstance(pattern, str) else None
    if form is None:
        return None
    strategy = st.from_regex(form)
    try:
        strategy.validate()
    except (InvalidArgument, re.error):
        return None
    return strategy
