"""Values that matter, from a behaviour declaration and its dataset.

Random valid values rarely hit an existing id or a time inside the dataset; these hints
make sure generated requests also exercise the interesting cases: ids that exist (and,
from the schema, ids that don't), time bounds inside the data, words that occur.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from mockserver.contract.oracle import epoch_ms, field_values, first_value
from mockserver.data.dataset import Record
from mockserver.data.declaration import Declaration, Filter

Hints = dict[tuple[str, str, str], list[Any]]
SAMPLE = 8
#: Parameters whose meaning goes beyond their schema (``column:value`` filters, signed sort
#: lists): only hinted values are sent, since a schema-valid string may still be nonsense.
EXCLUSIVE_OPS = ("column-values",)
#: The words that combine ``column-values`` clauses.
COMBINE = ("or", "and")


def hints_from_declaration(
    declaration: Declaration,
    records: Mapping[str, list[Record]],
    parameter_locations: Mapping[tuple[str, str], str],
) -> tuple[Hints, set[tuple[str, str, str]]]:
    """(operationId, location, parameter) -> candidate values, for every bound parameter;
    and the parameters that should only take hinted values."""
    hints: Hints = {}
    exclusive: set[tuple[str, str, str]] = set()
    for behaviour in declaration.operations.values():
        dataset = declaration.datasets[behaviour.dataset]
        rows = records[behaviour.dataset]
        op = behaviour.operation_id

        def add(param: str | None, values: list[Any], op: str = op) -> None:
            """Values already spread: each writing of a value (a time as epoch ms and as
            ISO 8601, a value alone and in a list) keeps its own SAMPLE."""
            location = parameter_locations.get((op, param or ""))
            if param and location and values:
                hints.setdefault((op, location, param), []).extend(values)

        if behaviour.kind == "get" and behaviour.param:
            add(behaviour.param, _spread([r.get(dataset.id_field) for r in rows]))
        if behaviour.scope and dataset.scope_field:
            add(
                behaviour.scope,
                _spread(
                    sorted({str(v) for r in rows for v in field_values(r, dataset.scope_field)})
                ),
            )
        for flt in behaviour.filters:
            values = _filter_values(
                flt, rows, dataset.time, dataset.time.field if dataset.time else None
            )
            add(flt.combine_param, list(COMBINE))
            if flt.combine_body:
                hints.setdefault((op, "body", flt.combine_body), []).extend(COMBINE)
            if flt.body:  # a body field: keyed by its pointer under the location "body"
                if values:
                    hints.setdefault((op, "body", flt.body), []).extend(values)
                if flt.op in EXCLUSIVE_OPS:
                    exclusive.add((op, "body", flt.body))
                continue
            add(flt.param, values)
            if flt.op in EXCLUSIVE_OPS and flt.param:
                exclusive.add((op, parameter_locations.get((op, flt.param), ""), flt.param))
        sort = behaviour.sort
        if sort.syntax == "signed-list" and sort.param and rows:
            columns = sorted(k for k, v in rows[0].items() if not isinstance(v, dict | list))
            add(sort.param, _spread([*columns, *(f"-{c}" for c in columns)]))
            exclusive.add((op, parameter_locations.get((op, sort.param), ""), sort.param))
    return hints, exclusive


def _spread(values: list[Any]) -> list[Any]:
    """Up to SAMPLE values taken evenly through the list."""
    step = max(len(values) // SAMPLE, 1)
    return values[::step][:SAMPLE]


def _filter_values(flt: Filter, rows: list[Record], time: Any, time_field: str | None) -> list[Any]:
    if flt.op in ("lt", "lte", "gt", "gte") and flt.field == time_field:
        moments = sorted(t for t in (_time(r, time) for r in rows) if t is not None)
        picked = _spread(moments)
        return picked + [
            datetime.fromtimestamp(m / 1000, UTC).isoformat().replace("+00:00", "Z") for m in picked
        ]
    if flt.op in ("eq", "in", "glob") and flt.field:
        values = sorted(
            {
                str(v)
                for r in rows
                for v in field_values(r, flt.field)
                if not isinstance(v, dict | list)
            }
        )
        return _spread(values) + [[v] for v in _spread(values)]
    if flt.op in ("search", "contains"):
        fields = flt.fields if isinstance(flt.fields, list) else [flt.field or ""]
        words = sorted(
            {
                w
                for r in rows
                for f in fields
                for v in field_values(r, f)
                for w in re.findall(r"[A-Za-z]{4,}", str(v))
            }
        )
        return _spread(words)
    if flt.op == "column-values" and isinstance(flt.fields, list):
        clauses = [
            f"{column}:{str(v)[:12]}"
            for column in flt.fields
            for v in {str(x) for r in rows[:3] for x in field_values(r, column)}
        ]
        return [[c] for c in _spread(clauses)]
    return []


def _time(record: Record, time: Any) -> int | None:
    return epoch_ms(first_value(record, time.field), time.format) if time else None
