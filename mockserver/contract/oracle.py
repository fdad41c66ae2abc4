"""What a behaviour declaration promises, worked out from the declaration alone.

The contract's semantic checks judge a server with these readers, never with the server's
own code: a bug shared by the judge and the judged is a bug nobody sees. Each function
follows the declaration format as ``fixtures/README.md`` documents it, written plainly
rather than fast. Where the documentation leaves a case open (a glob with ``?``, a
combine operator other than ``or``/``and``), the oracle answers ``None``, "not judged",
instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mockserver.data.declaration import Dataset, Filter, Paging, Sort
from mockserver.generation.serialize import NOT_SENT, Drawn

Predicate = Callable[[Any], bool]
DEFAULT_PAGE_SIZE = 20
TIME_OPS = ("eq", "lt", "lte", "gt", "gte")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"[+-]?\d+")


# -- reading records --------------------------------------------------------------------


def field_values(record: Any, path: str) -> list[Any]:
    """Every value at the dotted ``path``; a list met on the way contributes each item."""
    found = [record]
    for name in path.split(".") if path else []:
        step = []
        for value in _flat(found):
            if isinstance(value, dict) and name in value:
                step.append(value[name])
        found = step
    return _flat(found)


def first_value(record: Any, path: str) -> Any:
    """The first value at ``path``, or None when there is none."""
    values = field_values(record, path)
    return values[0] if values else None


def _flat(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return out


def epoch_ms(value: Any, fmt: str = "iso8601") -> int | None:
    """A time in epoch milliseconds. Numbers (and digit strings) are epoch seconds when
    ``fmt`` is ``epoch-s``, else epoch milliseconds; other text is ISO 8601 (no zone
    means UTC). None when ``value`` is not a time."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, int | float):
        return round(value * 1000) if fmt == "epoch-s" else round(value)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def text(value: Any) -> str:
    """A value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def same(a: Any, b: Any) -> bool:
    """Equal; compared as text when the types differ (``5`` equals ``"5"``)."""
    if _number(a) and _number(b):
        return bool(a == b)
    if type(a) is type(b):
        return bool(a == b)
    return text(a) == text(b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- filters ----------------------------------------------------------------------------


def is_sent(value: Any) -> bool:
    """Whether a filter value counts as present. An empty list writes nothing on the wire
    (form style), a query cannot say null, and fixtures/README.md says an empty value
    filters nothing: all count as absent everywhere."""
    return value is not NOT_SENT and value is not None and value not in ([], "")


def filter_value(flt: Filter, drawn: Drawn) -> Any:
    """The value a filter reads: a parameter by name, or the body at a pointer; empty
    strings in a list filter nothing (fixtures/README.md), so they are left out."""
    value = drawn.param(flt.param) if flt.param else drawn.body_at(flt.body or "")
    return [v for v in value if v != ""] if isinstance(value, list) else value


def predicate(flt: Filter, value: Any, dataset: Dataset, drawn: Drawn) -> Predicate | None:
    """Whether a record passes ``flt`` for the request value ``value``; None when the
    documentation does not settle what the value means."""
    time = dataset.time
    if flt.op in TIME_OPS and time is not None and flt.field == time.field:
        bound = epoch_ms(value)
        return None if bound is None else _time_test(flt.op, bound, time.field, time.format)
    builders: dict[str, Callable[[], Predicate | None]] = {
        "eq": lambda: _eq(flt, value),
        "in": lambda: _in(flt, value),
        "lt": lambda: _compare(flt, value),
        "lte": lambda: _compare(flt, value),
        "gt": lambda: _compare(flt, value),
        "gte": lambda: _compare(flt, value),
        "search": lambda: _search(flt, value),
        "contains": lambda: _search(flt, value),
        "glob": lambda: _glob_filter(flt, value),
        "object-match": lambda: _object_match(flt, value),
        "column-values": lambda: _column_values(flt, value, drawn),
        "statements": lambda: _statements(flt, value),
    }
    return builders[flt.op]()


def _time_test(op: str, bound: int, path: str, fmt: str) -> Predicate:
    def test(record: Any) -> bool:
        moment = epoch_ms(first_value(record, path), fmt)
        if moment is None:
            return False
        return _holds(op, (moment > bound) - (moment < bound))

    return test


def _holds(op: str, order: int) -> bool:
    """Whether ``op`` holds between a record value and the request value that compare so
    (``order`` < 0: the record's is smaller)."""
    return {
        "eq": order == 0,
        "lt": order < 0,
        "lte": order <= 0,
        "gt": order > 0,
        "gte": order >= 0,
    }[op]


def _eq(flt: Filter, value: Any) -> Predicate | None:
    if isinstance(value, list | dict):
        return None
    return lambda record: any(same(v, value) for v in field_values(record, flt.field or ""))


def _in(flt: Filter, value: Any) -> Predicate:
    wanted = value if isinstance(value, list) else [value]
    return lambda record: any(
        same(v, w) for v in field_values(record, flt.field or "") for w in wanted
    )


def _compare(flt: Filter, value: Any) -> Predicate:
    """Numbers compare as numbers, anything else as text."""

    def test(record: Any) -> bool:
        for candidate in field_values(record, flt.field or ""):
            if _number(candidate) and _number(value):
                order = (candidate > value) - (candidate < value)
            else:
                a, b = text(candidate), text(value)
                order = (a > b) - (a < b)
            if _holds(flt.op, order):
                return True
        return False

    return test


def _search(flt: Filter, value: Any) -> Predicate:
    paths = flt.fields if isinstance(flt.fields, list) else [flt.field or ""]

    def fold(s: str) -> str:
        return s if flt.case_sensitive else s.lower()

    needle = fold(text(value))
    return lambda record: any(
        needle in fold(text(v)) for path in paths for v in field_values(record, path)
    )


def glob(value: Any, pattern: str) -> bool | None:
    """Whether ``value`` matches ``pattern``: ``*`` stands for any run of characters, and
    ``name;tag1,tag2`` also needs those tags after the value's ``;``. None for a pattern
    using ``?`` or ``[``, which the declaration format does not define."""
    if "?" in pattern or "[" in pattern:
        return None
    name, _, tags = pattern.partition(";")
    value_name, _, value_tags = text(value).partition(";")
    regex = ".*".join(re.escape(part) for part in name.split("*"))
    if re.fullmatch(regex, value_name, re.DOTALL) is None:
        return False
    return {t for t in tags.split(",") if t} <= set(value_tags.split(","))


def _glob_filter(flt: Filter, value: Any) -> Predicate | None:
    patterns = [text(p) for p in (value if isinstance(value, list) else [value])]
    if any("?" in p or "[" in p for p in patterns):
        return None
    return lambda record: any(
        glob(v, p) for v in field_values(record, flt.field or "") for p in patterns
    )


def _object_match(flt: Filter, value: Any) -> Predicate | None:
    """For every mapped key the value gives, some listed entry matches all its fields."""
    mapping = flt.fields
    if not isinstance(value, dict) or not isinstance(mapping, dict):
        return None
    wanted: list[tuple[Any, list[Any]]] = []
    for key, given in value.items():
        entries = given if isinstance(given, list) else [given]
        target = mapping.get(key)
        if target is None or not entries:
            continue  # a key the declaration does not map, or nothing listed
        if any(isinstance(e, dict) != isinstance(target, dict) for e in entries):
            return None
        wanted.append((target, entries))

    def entry_matches(record: Any, target: Any, entry: Any) -> bool:
        if isinstance(target, dict):
            return all(
                any(same(v, want) for v in field_values(record, target[k]))
                for k, want in entry.items()
                if k in target
            )
        return any(same(v, entry) for v in field_values(record, target))

    return lambda record: all(
        any(entry_matches(record, target, e) for e in entries) for target, entries in wanted
    )


def _column_values(flt: Filter, value: Any, drawn: Drawn) -> Predicate | None:
    """``column:v1,v2`` clauses: the column contains any value, ignoring case."""
    allowed = set(flt.fields) if isinstance(flt.fields, list) else None
    clauses: list[tuple[str, list[str]]] = []
    for entry in value if isinstance(value, list) else [value]:
        column, colon, listed = text(entry).partition(":")
        if not colon or not column or (allowed is not None and column not in allowed):
            return None  # a request the server must refuse: nothing to judge in a 2xx
        clauses.append((column, [v.lower() for v in listed.split(",") if v]))
    combine = _combine(flt, drawn)
    if combine is None:
        return None

    def clause(record: Any, column: str, needles: list[str]) -> bool:
        return any(n in text(v).lower() for v in field_values(record, column) for n in needles)

    def test(record: Any) -> bool:
        results = [clause(record, column, needles) for column, needles in clauses]
        return all(results) if combine == "and" else any(results)

    return test


def _combine(flt: Filter, drawn: Drawn) -> str | None:
    """``or`` (the default) or ``and``; None for any other word."""
    if flt.combine_param:
        chosen = drawn.param(flt.combine_param)
    elif flt.combine_body is not None:
        chosen = drawn.body_at(flt.combine_body)
    else:
        chosen = NOT_SENT
    if not is_sent(chosen):
        return "or"
    return chosen if chosen in ("or", "and") else None


def _statements(flt: Filter, value: Any) -> Predicate | None:
    """Policy statements: some allow statement matches the record and no deny one does."""
    fields = flt.fields if isinstance(flt.fields, dict) else {}
    if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
        return None
    parts = (("resources", "notResources"), ("actions", "notActions"))
    for statement in value:
        for listed, negated in parts:
            if statement.get(listed) and statement.get(negated):
                return None
            for pattern in statement.get(listed) or statement.get(negated) or []:
                if glob("", text(pattern)) is None:
                    return None

    def hits(record: Any, statement: Mapping[str, Any], listed: str, negated: str) -> bool:
        values = field_values(record, fields.get(listed, ""))
        if statement.get(listed):
            return any(glob(v, text(p)) for v in values for p in statement[listed])
        if statement.get(negated):
            return not any(glob(v, text(p)) for v in values for p in statement[negated])
        return True

    def test(record: Any) -> bool:
        effects = {s.get("effect") for s in value if all(hits(record, s, a, b) for a, b in parts)}
        return "allow" in effects and "deny" not in effects

    return test


# -- sorting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One sort key: the name asked for, the record field it reads, and the direction."""

    name: str
    path: str
    direction: str  # "asc" | "desc"


def sort_keys(sort: Sort, drawn: Drawn) -> list[SortKey] | None:
    """The keys the request asks to sort by, most significant first; [] when it asks for
    no order and the declaration names no default; None when the direction is neither
    ``asc`` nor ``desc``."""
    chosen = drawn.param(sort.param) if sort.param else NOT_SENT
    asked = text(chosen) if is_sent(chosen) and chosen != "" else None
    if sort.syntax == "signed-list":
        keys = []
        for part in (p.strip() for p in (asked or sort.default or "").split(",")):
            if part:
                column = part[1:] if part.startswith("-") else part
                direction = "desc" if part.startswith("-") else "asc"
                keys.append(SortKey(column, sort.fields.get(column, column), direction))
        return keys
    name = asked or sort.default
    if not name:
        return []
    way = drawn.param(sort.direction_param) if sort.direction_param else NOT_SENT
    direction = text(way) if is_sent(way) and way != "" else sort.default_direction
    if direction not in ("asc", "desc"):
        return None
    return [SortKey(name, sort.fields.get(name, name), direction)]


def compare(a: Any, b: Any, time_format: str | None = None) -> int | None:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b``; None when the two do not
    compare. Times (when ``time_format`` is given) compare as instants, numbers as
    numbers, booleans false first, text ignoring case."""
    if time_format is not None:
        a, b = epoch_ms(a, time_format), epoch_ms(b, time_format)
        if a is None or b is None:
            return None
    elif isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    elif not (_number(a) and _number(b)) and not (isinstance(a, bool) and isinstance(b, bool)):
        return None
    return int(a > b) - int(a < b)


def misordered(
    items: list[Any], keys: list[SortKey], dataset: Dataset
) -> tuple[int, int, SortKey] | None:
    """The first pair of entries (earlier, later, the key deciding it) out of order, or
    None. Every pair is compared, so order holds even across values that do not compare
    with their neighbours; entries without a key's field belong after those with it."""
    time = dataset.time
    formats = [time.format if time and k.path == time.field else None for k in keys]
    rows = [[first_value(item, k.path) for k in keys] for item in items]
    for i, earlier in enumerate(rows):
        for j in range(i + 1, len(rows)):
            key = _deciding(earlier, rows[j], keys, formats)
            if key is not None:
                return i, j, key
    return None


def _deciding(
    earlier: list[Any], later: list[Any], keys: list[SortKey], formats: list[str | None]
) -> SortKey | None:
    """The key that puts ``later`` before ``earlier``, or None when they are in order,
    tied, or do not compare."""
    for a, b, key, fmt in zip(earlier, later, keys, formats, strict=True):
        if a is None or b is None:
            if a is None and b is not None:
                return key
            if a is not None:
                return None
            continue
        order = compare(a, b, fmt)
        if order is None:
            return None
        if order != 0:
            return key if (order > 0) == (key.direction == "asc") else None
    return None


# -- paging -----------------------------------------------------------------------------


def page_size(paging: Paging, drawn: Drawn) -> int | None:
    """The most entries a page may hold: the size asked for, else the declared default,
    else 20; None when the size asked for is not a positive integer."""
    asked = drawn.param(paging.size_param) if paging.size_param else NOT_SENT
    if not is_sent(asked):
        return paging.default_size or DEFAULT_PAGE_SIZE
    if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
        return asked
    return None
