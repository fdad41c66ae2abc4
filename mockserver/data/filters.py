"""Filters: which records a declared filter lets through for a request's value.

The operators (``eq``, ``in``, ``lt``/``lte``/``gt``/``gte``, ``search``, ``contains``,
``glob``, ``object-match``, ``column-values``, ``statements``) are documented in
fixtures/README.md. They read the request through :class:`RequestValues`, so the data
layer knows nothing of HTTP.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from mockserver.data.dataset import Record
from mockserver.data.declaration import Dataset, Filter
from mockserver.data.records import epoch_ms, field_value, field_values, record_time
from mockserver.spec.pointer import resolve_pointer
from mockserver.spec.sentinel import NOT_SENT


class RequestValues(Protocol):
    """What a filter, a sort or a template reads of a checked request."""

    @property
    def body(self) -> Any:
        """The parsed body."""

    def value(self, name: str, location: str | None = None) -> Any:
        """A parameter's typed value (any location unless given), or NOT_SENT."""


class FilterValueError(ValueError):
    """A filter's value is malformed; the server answers it as a bad request."""

    def __init__(self, location: str, name: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.name = name
        self.message = message


def record_matcher(
    flt: Filter,
    value: Any,
    dataset: Dataset,
    request: RequestValues,
    time_of: Callable[[Record], int | None] | None = None,
) -> Callable[[Record], bool] | None:
    """A predicate keeping the records ``flt`` lets through for ``value``; None when the
    value filters nothing. Raises :class:`FilterValueError` when the value is malformed."""
    time_field = dataset.time.field if dataset.time else None
    if flt.op in ("lt", "lte", "gt", "gte", "eq") and flt.field == time_field:
        return _time_matcher(flt.op, value, time_of or (lambda r: record_time(r, dataset.time)))
    ops: dict[str, Callable[[], Callable[[Record], bool] | None]] = {
        "eq": lambda: lambda r: any(_same(v, value) for v in field_values(r, flt.field or "")),
        "in": lambda: lambda r: any(
            _same(v, w) for v in field_values(r, flt.field or "") for w in _listed(value)
        ),
        "lt": lambda: _compare(flt, value, lambda a, b: a < b),
        "lte": lambda: _compare(flt, value, lambda a, b: a <= b),
        "gt": lambda: _compare(flt, value, lambda a, b: a > b),
        "gte": lambda: _compare(flt, value, lambda a, b: a >= b),
        "search": lambda: _search(flt, value, dataset),
        "contains": lambda: _search(flt, value, dataset),
        "glob": lambda: lambda r: any(
            _glob(v, p) for v in field_values(r, flt.field or "") for p in _listed(value)
        ),
        "object-match": lambda: _object_match(flt, value),
        "column-values": lambda: _column_values(flt, value, request),
        "statements": lambda: _statements(flt, value),
    }
    return ops[flt.op]()


def filter_value(flt: Filter, request: RequestValues) -> Any:
    """The value a filter reads from the request (a parameter, or a body field)."""
    if flt.param:
        return request.value(flt.param)
    try:
        return resolve_pointer(request.body, flt.body or "")
    except (LookupError, TypeError):
        return NOT_SENT


def _same(a: Any, b: Any) -> bool:
    return a == b or str(a) == str(b)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _time_matcher(
    op: str, value: Any, time_of: Callable[[Record], int | None]
) -> Callable[[Record], bool]:
    bound = epoch_ms(value)
    compare: Callable[[int, int], bool] = {
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "eq": lambda a, b: a == b,
    }[op]

    def match(record: Record) -> bool:
        moment = time_of(record)
        return moment is not None and bound is not None and compare(moment, bound)

    return match


def _compare(
    flt: Filter, value: Any, compare: Callable[[Any, Any], bool]
) -> Callable[[Record], bool]:
    def match(record: Record) -> bool:
        for candidate in field_values(record, flt.field or ""):
            try:
                if compare(candidate, value):
                    return True
            except TypeError:
                if compare(str(candidate), str(value)):
                    return True
        return False

    return match


def _search(flt: Filter, value: Any, dataset: Dataset) -> Callable[[Record], bool]:
    fields = flt.fields if isinstance(flt.fields, list) else [flt.field] if flt.field else []
    needle = str(value) if flt.case_sensitive else str(value).lower()

    def match(record: Record) -> bool:
        for path in fields:
            for candidate in field_values(record, path):
                text = str(candidate) if flt.case_sensitive else str(candidate).lower()
                if needle in text:
                    return True
        return False

    return match


def _glob(value: Any, pattern: Any) -> bool:
    name, _, tags = str(pattern).partition(";")
    value_name, _, value_tags = str(value).partition(";")
    if not _wildcard(name).fullmatch(value_name):
        return False
    wanted = {t for t in tags.split(",") if t}
    return wanted <= set(value_tags.split(",")) if wanted else True


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """A glob where only ``*`` is special (any run of characters), as fixtures/README.md says."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _object_match(flt: Filter, value: Any) -> Callable[[Record], bool] | None:
    """``{actor: [{id: x, type: User}], responseCode: [200]}`` against mapped record fields."""
    if not isinstance(value, dict) or not isinstance(flt.fields, dict):
        return None
    mapping: Mapping[str, Any] = flt.fields

    def matches_one(record: Record, key: str, wanted: Any) -> bool:
        target = mapping.get(key)
        if isinstance(target, dict) and isinstance(wanted, dict):
            return all(
                _same(field_value(record, target[k]), v) for k, v in wanted.items() if k in target
            )
        if isinstance(target, str):
            return any(_same(v, wanted) for v in field_values(record, target))
        return True

    def match(record: Record) -> bool:
        return all(
            any(matches_one(record, key, w) for w in _listed(wanted))
            for key, wanted in value.items()
            if key in mapping and wanted not in ([], {})
        )

    return match


def _column_values(
    flt: Filter, value: Any, request: RequestValues
) -> Callable[[Record], bool] | None:
    """``q=column:v1,v2`` (repeatable), combined with or/and."""
    allowed = set(flt.fields) if isinstance(flt.fields, list) else None
    clauses: list[tuple[str, list[str]]] = []
    for entry in _listed(value):
        column, sep, values = str(entry).partition(":")
        if not sep or not column or (allowed is not None and column not in allowed):
            raise FilterValueError(
                "query" if flt.param else "body",
                flt.param or "q",
                f"{entry!r} is not 'column:value[,value]' with a known column",
            )
        clauses.append((column, [v.lower() for v in values.split(",") if v]))
    combine = _combine(flt, request)

    def clause_matches(record: Record, column: str, needles: list[str]) -> bool:
        return any(n in str(v).lower() for v in field_values(record, column) for n in needles)

    def match(record: Record) -> bool:
        results = (clause_matches(record, c, n) for c, n in clauses)
        return all(results) if combine == "and" else any(results)

    return match if clauses else None


def _combine(flt: Filter, request: RequestValues) -> str:
    if flt.combine_param:
        chosen = request.value(flt.combine_param)
    elif flt.combine_body is not None:
        try:
            chosen = resolve_pointer(request.body, flt.combine_body)
        except (LookupError, TypeError):
            chosen = NOT_SENT
    else:
        chosen = NOT_SENT
    return str(chosen).lower() if chosen is not NOT_SENT and chosen is not None else "or"


def _statements(flt: Filter, value: Any) -> Callable[[Record], bool] | None:
    """Policy statements: allow when an allow statement matches and no deny statement does."""
    if not isinstance(value, list) or not value:
        return None
    fields: Mapping[str, str] = flt.fields if isinstance(flt.fields, dict) else {}

    def statement_matches(record: Record, statement: Mapping[str, Any]) -> bool:
        resources = field_values(record, fields.get("resources", ""))
        actions = field_values(record, fields.get("actions", ""))
        return _patterns_hit(statement, "resources", "notResources", resources) and _patterns_hit(
            statement, "actions", "notActions", actions
        )

    def match(record: Record) -> bool:
        effects = [s.get("effect") for s in value if statement_matches(record, s)]
        return "allow" in effects and "deny" not in effects

    return match


def _patterns_hit(
    statement: Mapping[str, Any], key: str, negated: str, values: Sequence[Any]
) -> bool:
    if statement.get(key):
        return any(_glob(v, p) for v in values for p in statement[key])
    if statement.get(negated):
        return not any(_glob(v, p) for v in values for p in statement[negated])
    return True
