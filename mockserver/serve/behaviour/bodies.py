"""What the list, get and count behaviours serve: each record as the operation projects it,
and the envelope around a list (generated where the schema requires what no record or
template says), both worked out once."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from mockserver.data.binding import json_media, success_response
from mockserver.data.dataset import Record, project
from mockserver.data.declaration import Declaration, OperationBehaviour
from mockserver.data.generate import GenerationError, ValueGenerator, stable_seed
from mockserver.data.index import DatasetIndex
from mockserver.data.templates import Facts, apply, put
from mockserver.serve.writes import Writer
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, Schema, SchemaRegistry
from mockserver.spec.navigate import at_pointer, child, declared_properties, deref, merge_all_of
from mockserver.spec.pointer import split_pointer


class Bodies:
    """One document's projections and envelopes."""

    def __init__(self, declaration: Declaration, document: ApiDocument, writer: Writer) -> None:
        self.document = document
        self.writer = writer
        self._fills: dict[tuple[str, str], dict[str, Any]] = {}  # envelope values, per operation
        self._generator: ValueGenerator | None = None
        self.projections: dict[str, set[str] | None] = {
            b.operation_id: self._projection(b) for b in declaration.operations.values()
        }

    def projected(
        self, behaviour: OperationBehaviour, record: Record, index: DatasetIndex
    ) -> Record:
        """The record as the operation serves it (``writeOnly`` fields never), computed once
        per record of the index."""
        key = (behaviour.operation_id, id(record))
        served = index.memo.get(key)
        if served is None:
            names = self.projections[behaviour.operation_id]
            served = self.writer.served(behaviour.dataset, project(record, names))
            index.memo[key] = served
        return served

    def _projection(self, behaviour: OperationBehaviour) -> set[str] | None:
        op = self.document.operation(behaviour.operation_id)
        media = json_media(success_response(op)) if op else None
        if media is None or media.schema is None:
            return None
        registry = self.document.registry
        if behaviour.kind == "get":
            return declared_properties(media.schema, registry)
        if behaviour.kind in ("list", "search"):
            array = at_pointer(media.schema, registry, behaviour.items)
            item = child(array, registry, "0") if array else None
            return declared_properties(item, registry) if item else None
        return None

    def envelope(
        self,
        behaviour: OperationBehaviour,
        items: list[Any],
        facts: Facts,
        pointer: str | None = None,
    ) -> Any:
        """``items`` inside the envelope the operation's schema asks for (at ``pointer``,
        else the behaviour's ``items``), its ``set`` templates applied."""
        where = behaviour.items if pointer is None else pointer
        if not where:
            return items
        key = (behaviour.operation_id, where)
        if key not in self._fills:
            self._fills[key] = self._envelope_fill(behaviour, where)
        body: dict[str, Any] = copy.deepcopy(self._fills[key])
        put(body, where, items)
        return apply(behaviour.set, body, facts)

    def _envelope_fill(self, behaviour: OperationBehaviour, where: str) -> dict[str, Any]:
        """Generated values for the envelope's required properties, worked out once.

        The items and the ``set`` templates say what they know; the rest of what the
        schema requires (links, counts, cursors) is generated, so the envelope stays
        valid. Of the generated value only the required parts are kept, and the objects a
        ``set`` pointer passes through, unless a smaller envelope would break the schema
        (``minProperties``, a ``oneOf``).
        """
        op = self.document.operation(behaviour.operation_id)
        media = json_media(success_response(op)) if op else None
        if media is None or media.schema is None:
            return {}
        registry = self.document.registry
        sample = self._sample(media.schema, (behaviour.operation_id, where))
        if not isinstance(sample, dict):
            return {}
        paths = [tuple(split_pointer(p)) for p in behaviour.set]
        for token in {p[0] for p in paths if len(p) > 1} - set(sample):
            container = child(media.schema, registry, token)
            value = self._sample(container, (behaviour.operation_id, token)) if container else None
            if value is not None:
                sample[token] = value
        tokens = split_pointer(where)
        items = _at(sample, tokens)
        skip = tokens[0] if len(tokens) == 1 else None
        validator = SchemaValidator(media.schema, registry)
        candidates = (_required_only(sample, media.schema, registry, paths), sample)
        for candidate in candidates:
            fill = {k: v for k, v in candidate.items() if k != skip}
            body = copy.deepcopy(fill)
            put(body, where, items if isinstance(items, list) else [])
            if validator.is_valid(body):
                return fill
        return {k: v for k, v in candidates[0].items() if k != skip}

    def _sample(self, schema: Schema, parts: tuple[str, ...]) -> Any:
        """A generated value for ``schema``, the same in every worker; ``None`` if none."""
        if self._generator is None:
            self._generator = ValueGenerator(self.document.registry)
        try:
            return self._generator.generate(schema, stable_seed("envelope", *parts))
        except GenerationError:
            return None


def _required_only(
    value: Any, schema: Schema, registry: SchemaRegistry, paths: Sequence[tuple[str, ...]] = ()
) -> Any:
    """``value`` with only the properties its schema requires or ``paths`` lead through."""
    schema = merge_all_of(deref(schema, registry), registry)
    node = schema.value
    if not isinstance(value, dict) or not isinstance(node, dict):
        return value
    required = set(node.get("required") or [])
    kept: dict[str, Any] = {}
    for name, item in value.items():
        below = [p[1:] for p in paths if p and p[0] == name]
        if name in required or below:
            sub = child(schema, registry, name)
            kept[name] = _required_only(item, sub, registry, below) if sub is not None else item
    return kept


def _at(value: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        value = value.get(token) if isinstance(value, dict) else None
    return value
