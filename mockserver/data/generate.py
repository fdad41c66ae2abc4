"""Generate realistic values from a schema: deterministic, and always valid.

The same schema and seed always give the same value. Every value is checked against the
schema in its own dialect before it is returned; a candidate that fails is discarded and
another seed is tried, so callers never see an invalid value (they get a
:class:`GenerationError` instead, which the mock reports rather than serving bad data).

With ``examples=True`` the author's own values come first: at every level a schema's
``example``, then the first of its ``examples``, then its ``default`` is used when it is
valid against that schema, and only the rest is generated. Half of the attempts use them,
so a combination of examples the whole schema refuses (``uniqueItems``, ``oneOf``) still
ends in a generated value rather than none.
"""

from __future__ import annotations

import copy
import hashlib
import random
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockserver.data.branches import (
    is_null_schema,
    name_by_discriminator,
    set_apart,
    type_allows,
    with_siblings,
)
from mockserver.data.fakes import WORDS, fake_text
from mockserver.data.regex import PatternError
from mockserver.data.scalars import Impossible, draw_integer, draw_number, draw_string
from mockserver.spec.dialects import Direction, SchemaValidator
from mockserver.spec.model import Dialect, Schema, SchemaRegistry
from mockserver.spec.navigate import deref, descend, merge_all_of
from mockserver.spec.patterns import PatternTimeout, ecma

MAX_DEPTH = 7
#: Values drawn for one body before only what the schema requires is drawn: optional
#: properties left out, arrays at their minItems, maps at their minProperties. A deep
#: schema (Graph's user, whose every navigation property is an array of entities) drew
#: 26,000 values and 51 kB, over a second, for every answer; what is left out is optional,
#: so the body stays valid.
MAX_VALUES = 400
#: Generated bodies kept per document, by (schema, seed, hints, examples): the same
#: operation, status and seed answer the same body without drawing it again.
CACHED_BODIES = 256
ATTEMPTS = 12
#: the first attempts that use the author's examples (the rest generate everything)
EXAMPLE_ATTEMPTS = ATTEMPTS // 2


class GenerationError(Exception):
    """No valid value could be produced for a schema. ``closest`` is the last value drawn
    (valid by the generator's reading, not the validator's), or :data:`NOTHING_DRAWN`."""

    def __init__(self, message: str, closest: Any = None) -> None:
        super().__init__(message)
        self.closest = closest


#: ``GenerationError.closest`` when no value could be drawn at all.
NOTHING_DRAWN: Any = object()


@dataclass(frozen=True)
class Hints:
    """Values the caller wants echoed (path ids), by property name."""

    fields: Mapping[str, Any] = field(default_factory=dict)


class ValueGenerator:
    """Generates values for the schemas of one document."""

    def __init__(self, registry: SchemaRegistry, direction: Direction = "response") -> None:
        self.registry = registry
        self.direction = direction
        self._validators: dict[str | None, SchemaValidator] = {}
        self._bodies: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def generate(
        self, schema: Schema, seed: int, hints: Hints | None = None, *, examples: bool = False
    ) -> Any:
        """A valid value for ``schema``; raises :class:`GenerationError` if none is found.
        With ``examples``, the schemas' own ``example``/``examples``/``default`` come first.
        The same arguments give the same value, drawn once (the caller gets its own copy)."""
        key = _body_key(schema, seed, hints, examples)
        if key is not None and key in self._bodies:
            self._bodies.move_to_end(key)
            return _copy(self._bodies[key])
        value = self._draw_valid(schema, seed, hints, examples)
        if key is not None:
            self._bodies[key] = value
            if len(self._bodies) > CACHED_BODIES:
                self._bodies.popitem(last=False)
            return _copy(value)
        return value

    def _draw_valid(self, schema: Schema, seed: int, hints: Hints | None, examples: bool) -> Any:
        validator = self._validator(schema)
        hints = hints or Hints()
        closest = NOTHING_DRAWN
        for attempt in range(ATTEMPTS):
            rng = random.Random(stable_seed(seed, attempt))
            draw = _Draw(
                self, rng, hints, attempt, examples=examples and attempt < EXAMPLE_ATTEMPTS
            )
            try:
                value = draw.value(schema, "", 0, ())
            except (PatternError, Impossible, RecursionError):
                continue
            if _is_valid(validator, value):
                return value
            closest = value
            if attempt == 0 and hints.fields:
                hints = Hints()  # an echoed id that breaks the schema is dropped, not served
        if closest is NOTHING_DRAWN:  # a string no pattern and length allow: draw past it
            rng = random.Random(stable_seed(seed, "lenient"))
            try:
                closest = _Draw(self, rng, hints, ATTEMPTS, lenient=True).value(schema, "", 0, ())
            except (PatternError, Impossible, RecursionError):
                pass
            else:  # valid when the pattern it broke is one no engine reads (none judges it)
                if _is_valid(validator, closest):
                    return closest
        raise GenerationError(f"no valid value found for the schema at {schema.pointer}", closest)

    def _validator(self, schema: Schema) -> SchemaValidator:
        key = schema.uri or repr(schema.value)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(schema, self.registry, direction=self.direction)
        return self._validators[key]


def _body_key(
    schema: Schema, seed: int, hints: Hints | None, examples: bool
) -> tuple[Any, ...] | None:
    """The cache key of a body, or None for a schema without a place in a file."""
    if not schema.uri:
        return None
    fields = repr(sorted(hints.fields.items(), key=lambda item: item[0])) if hints else ""
    return (schema.uri, seed, fields, examples)


def _copy(value: Any) -> Any:
    """A copy of a cached body the caller may change (orjson's round trip is a fraction of
    ``deepcopy``'s time; values it cannot write are deep-copied)."""
    try:
        return orjson.loads(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):
        return copy.deepcopy(value)


def _is_valid(validator: SchemaValidator, value: Any) -> bool:
    try:
        return validator.is_valid(value)
    except re.error:  # a pattern only an ECMA-262 engine reads, and the value failed it
        return False


def stable_seed(*parts: Any) -> int:
    """A seed that is the same in every process for the same parts (unlike ``hash``)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class _Draw:
    def __init__(
        self,
        owner: ValueGenerator,
        rng: random.Random,
        hints: Hints,
        attempt: int,
        *,
        lenient: bool = False,
        examples: bool = False,
    ) -> None:
        self.owner = owner
        self.rng = rng
        self.hints = hints
        self.attempt = attempt
        #: draw a string that breaks its pattern or length rather than none at all (the
        #: closest value, for a schema whose pattern no string of its lengths matches)
        self.lenient = lenient
        #: use the schemas' own example, examples or default before generating
        self.examples = examples
        #: values drawn so far; past MAX_VALUES only what the schema requires is drawn
        self.drawn = 0

    @property
    def spent(self) -> bool:
        """Whether this draw is past :data:`MAX_VALUES` (draw only what is required)."""
        return self.drawn > MAX_VALUES

    # -- dispatch ---------------------------------------------------------------------

    def value(self, schema: Schema, name: str, depth: int, refs: tuple[str, ...]) -> Any:
        self.drawn += 1
        if schema.uri and isinstance(schema.value, dict) and "$ref" in schema.value:
            if schema.value["$ref"] in refs and depth > 2:
                raise Impossible  # recursion: callers leave optional branches out
            refs = (*refs, schema.value["$ref"])
        schema = merge_all_of(deref(schema, self.owner.registry), self.owner.registry)
        node = schema.value
        if node is True or node == {}:
            return self._any(name)
        if node is False:
            raise Impossible
        if name in self.hints.fields and depth <= 1:
            return self.hints.fields[name]
        if "const" in node:
            return node["const"]
        if self.examples:
            for candidate in _authored(node):
                if self._valid(schema, candidate):
                    return candidate
        if node.get("enum"):
            return self._pick_enum(node["enum"])
        for combinator in ("oneOf", "anyOf"):
            if node.get(combinator):
                return self._branch(schema, combinator, name, depth, refs)
        kind = self._type(node)
        return getattr(self, f"_{kind}")(schema, name, depth, refs)

    def _valid(self, schema: Schema, value: Any) -> bool:
        return _is_valid(self.owner._validator(schema), value)

    def _type(self, node: dict[str, Any]) -> str:
        declared = node.get("type")
        types = [declared] if isinstance(declared, str) else list(declared or [])
        if not types:
            types = [_infer_type(node)]
        real = [t for t in types if t != "null"]
        if not real or (("null" in types or node.get("nullable")) and self.rng.random() < 0.08):
            return "null"
        return str(self.rng.choice(real)) if len(real) > 1 else str(real[0])

    def _branch(
        self, schema: Schema, combinator: str, name: str, depth: int, refs: tuple[str, ...]
    ) -> Any:
        count = len(schema.value[combinator])
        order = list(range(count))
        self.rng.shuffle(order)
        order.sort(key=lambda i: is_null_schema(schema.value[combinator][i]))
        for index in order:
            branch = descend(schema, (combinator, str(index)))
            if branch is None:
                continue
            siblings = {k: v for k, v in schema.value.items() if k not in ("oneOf", "anyOf")}
            branch = with_siblings(self.owner.registry, schema, branch, siblings)
            try:
                value = self.value(branch, name, depth, refs)
            except Impossible:
                continue
            if (
                siblings.get("type")
                and not type_allows(siblings["type"], value)
                and not self.lenient
            ):
                continue
            if isinstance(value, dict):
                name_by_discriminator(schema.value, combinator, index, value)
                if combinator == "oneOf":
                    set_apart(self.owner.registry, self._valid, schema, index, branch, value)
            return value
        raise Impossible

    # -- types ------------------------------------------------------------------------

    def _null(self, *_: Any) -> None:
        return None

    def _boolean(self, *_: Any) -> bool:
        return self.rng.random() < 0.5

    def _object(self, schema: Schema, name: str, depth: int, refs: tuple[str, ...]) -> Any:
        node = schema.value
        props: dict[str, Any] = node.get("properties") or {}
        required = set(node.get("required") or [])
        subs: dict[str, Schema | None] = {}  # each property's schema, found once

        def sub_of(prop: str) -> Schema | None:
            if prop not in subs:
                subs[prop] = self._property_schema(schema, prop)
            return subs[prop]

        chosen = [
            p
            for p in props
            if p in required
            or (self.examples and self._authored(sub_of(p)))
            or self._include(p, depth)
        ]
        for key, needs in (node.get("dependentRequired") or {}).items():
            if key in chosen:
                chosen.extend(n for n in needs if n not in chosen)
        chosen.extend(sorted(p for p in required if p not in props))
        result: dict[str, Any] = {}
        for prop in chosen:
            sub = sub_of(prop)
            if sub is None and prop not in props:
                result[prop] = self._undeclared(schema, prop, depth, refs)
                continue
            if sub is None or self._hidden(sub):
                if prop in required:
                    raise Impossible
                continue
            try:
                result[prop] = self.value(sub, prop, depth + 1, refs)
            except Impossible:
                if prop in required:
                    raise
        self._fill_extra(schema, result, depth, refs)
        return result

    def _authored(self, sub: Schema | None) -> bool:
        """Whether examples are on and a property's schema ``sub`` has an author's value
        (such a property is always shown, as the author wrote it)."""
        if not self.examples:
            return False
        node = deref(sub, self.owner.registry).value if sub is not None else None
        return isinstance(node, dict) and bool(_authored(node))

    def _include(self, prop: str, depth: int) -> bool:
        if prop in self.hints.fields:
            return True
        if self.spent:
            return False
        return depth < MAX_DEPTH - 2 and self.rng.random() < (0.85 if depth < 2 else 0.5)

    def _hidden(self, schema: Schema) -> bool:
        node = deref(schema, self.owner.registry).value
        if not isinstance(node, dict):
            return False
        hidden = "writeOnly" if self.owner.direction == "response" else "readOnly"
        return bool(node.get(hidden))

    def _property_schema(self, schema: Schema, prop: str) -> Schema | None:
        # Merged allOf properties keep their own $refs, which resolve against the file.
        return descend(schema, ("properties", prop))

    def _undeclared(self, schema: Schema, prop: str, depth: int, refs: tuple[str, ...]) -> Any:
        """A required name without a property schema: what the extra-property keywords say."""
        node = schema.value
        for pattern in node.get("patternProperties") or {}:
            try:  # as the validator reads it; an unreadable pattern matches anything
                matched = ecma(str(pattern)).search(prop)
            except PatternTimeout:
                continue
            sub = descend(schema, ("patternProperties", pattern)) if matched else None
            if sub is not None:
                return self.value(sub, prop, depth + 1, refs)
        extra = node.get("additionalProperties")
        if extra is False:
            raise Impossible
        sub = descend(schema, ("additionalProperties",)) if isinstance(extra, dict) else None
        return self.value(sub, prop, depth + 1, refs) if sub is not None else self._any(prop)

    def _fill_extra(
        self, schema: Schema, result: dict[str, Any], depth: int, refs: tuple[str, ...]
    ) -> None:
        node = schema.value
        extra = node.get("additionalProperties")
        wanted = max(int(node.get("minProperties", 0)) - len(result), 0)
        roomy = depth < MAX_DEPTH - 1 and not self.spent
        if not node.get("properties") and isinstance(extra, dict) and roomy:
            wanted = max(wanted, self.rng.randint(1, 2))
        if wanted and extra is not False and node.get("unevaluatedProperties") is not False:
            sub = descend(schema, ("additionalProperties",)) if isinstance(extra, dict) else None
            for index in range(wanted):
                key = f"{self.rng.choice(WORDS)}-{index + 1}"
                result[key] = self.value(sub, key, depth + 1, refs) if sub else self._any(key)

    def _array(self, schema: Schema, name: str, depth: int, refs: tuple[str, ...]) -> Any:
        node = schema.value
        prefix = node.get("prefixItems") or []
        items = node.get("items")
        low = int(node.get("minItems", 0))
        high = int(node.get("maxItems", max(low, len(prefix)) + 3))
        result = [
            self._item(schema, ("prefixItems", str(i)), name, depth, refs)
            for i in range(len(prefix))
        ]
        if isinstance(items, list):  # Draft 4 tuple form
            result = [
                self._item(schema, ("items", str(i)), name, depth, refs) for i in range(len(items))
            ]
            items = node.get("additionalItems", True)
        if items is False:
            return result
        target = self.rng.randint(max(low, len(result)), max(low, min(high, len(result) + 3)))
        if depth >= MAX_DEPTH - 1 or self.spent:
            target = max(low, len(result))
        sub = descend(schema, ("items",)) if isinstance(items, dict) else None
        seen: list[Any] = list(result)
        tries = 0
        while len(result) < target and tries < target * 4:
            if self.spent and len(result) >= low:
                break
            tries += 1
            item = self._next_item(sub, name, depth, refs)
            if node.get("uniqueItems") and item in seen and self.examples:
                self.examples = False  # the example is taken: the other items are generated
                try:
                    item = self._next_item(sub, name, depth, refs)
                finally:
                    self.examples = True
            if node.get("uniqueItems") and item in seen:
                continue
            seen.append(item)
            result.append(item)
        if "contains" in node and not result:
            contains = descend(schema, ("contains",))
            result.append(self.value(contains, name, depth + 1, refs) if contains else 0)
        return result

    def _next_item(self, sub: Schema | None, name: str, depth: int, refs: tuple[str, ...]) -> Any:
        return self.value(sub, _singular(name), depth + 1, refs) if sub else self._any(name)

    def _item(
        self, schema: Schema, path: tuple[str, ...], name: str, depth: int, refs: tuple[str, ...]
    ) -> Any:
        sub = descend(schema, path)
        return self.value(sub, name, depth + 1, refs) if sub else self._any(name)

    def _string(self, schema: Schema, name: str, *_: Any) -> str:
        return draw_string(self.rng, schema.value, name, lenient=self.lenient)

    def _integer(self, schema: Schema, name: str, *_: Any) -> int:
        return draw_integer(self.rng, schema.value, name)

    def _number(self, schema: Schema, name: str, *_: Any) -> float | int:
        return draw_number(self.rng, schema.value, name)

    def _any(self, name: str) -> Any:
        return fake_text(self.rng, name or "value")

    def _pick_enum(self, values: list[Any]) -> Any:
        return values[self.rng.randrange(len(values))]


def _authored(node: dict[str, Any]) -> list[Any]:
    """The values the schema's author wrote: ``example`` (OpenAPI), the first of
    ``examples`` (JSON Schema), ``default``, in that order."""
    found = [node["example"]] if "example" in node else []
    listed = node.get("examples")
    if isinstance(listed, list) and listed:
        found.append(listed[0])
    if "default" in node:
        found.append(node["default"])
    return found


def _infer_type(node: dict[str, Any]) -> str:
    if "properties" in node or "additionalProperties" in node or "required" in node:
        return "object"
    if "items" in node or "prefixItems" in node:
        return "array"
    if {"minimum", "maximum", "multipleOf", "exclusiveMinimum"} & set(node):
        return "number"
    return "string"


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


__all__ = ["NOTHING_DRAWN", "Dialect", "GenerationError", "Hints", "ValueGenerator", "stable_seed"]
