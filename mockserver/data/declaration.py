"""The behaviour declaration (``fixtures/<name>/mock.yaml``): what each operation does.

Behaviour is data, not code. A declaration binds operations of one document to generic
behaviours (``list``, ``get``, ``search``, ``count``, ``export``, ``export-create``,
``export-status``, ``export-download``, and the writes ``create``, ``replace``, ``update``,
``delete``), parameters to record fields, and names the
tokens the mock accepts. The engine in :mod:`mockserver.serve.behaviour` knows no vendor.

A minimal declaration::

    spec: petstore                # specs/petstore.yaml (default: the folder's name)
    datasets:
      pets: {file: pets.json, id: id, time: {field: createdAt, format: iso8601}}
    operations:
      listPets: {behaviour: list, items: /items,
                 paging: {style: offset, offset-param: offset, size-param: limit}}
      getPet: {behaviour: get, param: petId}
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from mockserver.data.pacing import FAULTS, Pacing
from mockserver.errors import DeclarationError
from mockserver.spec.dialects import deepest_error
from mockserver.spec.pointer import join_pointer
from mockserver.spec.source import SourceFile

DECLARATION_NAME = "mock.yaml"

#: Behaviours that change a dataset (in the request's session, never the fixture files).
WriteKind = Literal["create", "replace", "update", "delete"]
#: What an operation does with its dataset.
BehaviourKind = Literal[
    "list",
    "search",
    "get",
    "count",
    "export",
    "export-create",
    "export-status",
    "export-download",
    "create",
    "replace",
    "update",
    "delete",
]
WRITE_BEHAVIOURS: tuple[WriteKind, ...] = get_args(WriteKind)
BEHAVIOURS: tuple[BehaviourKind, ...] = get_args(BehaviourKind)
SEMANTIC_CHECKS = (
    "filter_soundness",
    "page_limits",
    "sort_order",
    "paging_completeness",
    "list_get_agreement",
    "determinism",
    "dataset_agreement",
)
FILTER_OPS = (
    "eq",
    "in",
    "lt",
    "lte",
    "gt",
    "gte",
    "search",
    "contains",
    "glob",
    "object-match",
    "column-values",
    "statements",
)
TIME_FORMATS = ("iso8601", "epoch-ms", "epoch-s")

# Latency and faults (serve/latency.py), for the whole API at the top level or per operation.
_MILLISECONDS = {"type": "number", "minimum": 0, "maximum": 60000}
_RATE = {"type": "number", "minimum": 0, "maximum": 1}
_LATENCY_KEYS = ("fixed", "min", "max", "median", "p99")
_PACING: dict[str, Any] = {
    "latency": {
        "description": "milliseconds (250), a range (100-900), or {median: 120, p99: 900}",
        "oneOf": [
            _MILLISECONDS,
            {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(-\s*\d+(\.\d+)?\s*)?(ms)?$"},
            {
                "type": "object",
                "additionalProperties": False,
                "oneOf": [
                    {"required": ["fixed"], "properties": {"fixed": _MILLISECONDS}},
                    {
                        "required": ["min", "max"],
                        "properties": {"min": _MILLISECONDS, "max": _MILLISECONDS},
                    },
                    {
                        "required": ["median", "p99"],
                        "properties": {"median": _MILLISECONDS, "p99": _MILLISECONDS},
                    },
                ],
                "properties": dict.fromkeys(
                    ("fixed", "min", "max", "median", "p99"), _MILLISECONDS
                ),
            },
        ],
    },
    "error-rate": {**_RATE, "description": "share answered with a declared error status"},
    "fault-rate": {**_RATE, "description": "share given one of the faults"},
    "faults": {"type": "array", "items": {"enum": list(FAULTS)}, "minItems": 1},
}

# Where a filter's value comes from: a parameter by name, or a pointer into the body.
_SOURCE: dict[str, Any] = {
    "param": {"type": "string"},
    "body": {"type": "string", "pattern": "^(/.*)?$"},
}
_FILTER = {
    "type": "object",
    "required": ["op"],
    "properties": {
        **_SOURCE,
        "op": {"enum": list(FILTER_OPS)},
        "field": {"type": "string"},
        "fields": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
        "combine-param": {"type": "string"},
        "combine-body": {"type": "string"},
        "case-sensitive": {"type": "boolean"},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["param"]}, {"required": ["body"]}],
}
_OPERATION = {
    "type": "object",
    "required": ["behaviour"],
    "properties": {
        "behaviour": {"enum": list(BEHAVIOURS)},
        "dataset": {"type": "string"},
        "like": {"type": "string", "description": "inherit filters and sort from this operation"},
        "items": {"type": "string", "pattern": "^(/.*)?$"},
        "param": {"type": "string"},
        "missing": {
            "enum": ["not-found", "generate"],
            "description": "an unknown id: the documented 404, or generated data",
        },
        "scope": {"type": "string", "description": "path parameter naming the dataset's scope"},
        "filters": {"type": "array", "items": _FILTER},
        "sort": {
            "type": "object",
            "properties": {
                "param": {"type": "string"},
                "direction-param": {"type": "string"},
                "syntax": {"enum": ["field", "signed-list"]},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "default": {"type": "string"},
                "default-direction": {"enum": ["asc", "desc"]},
            },
            "additionalProperties": False,
        },
        "paging": {
            "type": "object",
            "required": ["style"],
            "properties": {
                "style": {"enum": ["page", "offset", "cursor"]},
                "page-param": {"type": "string"},
                "offset-param": {"type": "string"},
                "size-param": {"type": "string"},
                "cursor-param": {"type": "string"},
                "first": {"type": "integer", "minimum": 0},
                "default-size": {"type": "integer", "minimum": 1},
            },
            "additionalProperties": False,
        },
        "buckets": {
            "type": "object",
            "properties": {
                "param": {"type": "string"},
                "default": {"type": "integer", "minimum": 1},
                "from": {"type": "string"},
                "to": {"type": "string"},
                "items": {"type": "string", "pattern": "^(/.*)?$"},
                "timestamp": {"type": "string"},
                "count": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "format": {"enum": ["csv", "jsonl"]},
        "checks": {
            "type": "array",
            "items": {"enum": list(SEMANTIC_CHECKS)},
            "description": "the semantic properties `mockserver contract` checks",
        },
        "columns": {"type": "array", "items": {"type": "string"}},
        "set": {"type": "object", "propertyNames": {"pattern": "^/"}},
        "job": {
            "type": "object",
            "propertyNames": {"pattern": "^/"},
            "description": "export-create: facts kept with the job, as set templates over the "
            "request (e.g. /owner: $request.header.X-Tenant); read later as $job.owner",
        },
        **_PACING,
    },
    "additionalProperties": False,
}
DECLARATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["datasets", "operations"],
    "properties": {
        "spec": {"type": "string"},
        "description": {"type": "string"},
        "datasets": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["file", "id"],
                "properties": {
                    "file": {"type": "string"},
                    "id": {"type": "string"},
                    "time": {
                        "type": "object",
                        "required": ["field", "format"],
                        "properties": {
                            "field": {"type": "string"},
                            "format": {"enum": list(TIME_FORMATS)},
                        },
                        "additionalProperties": False,
                    },
                    "scope": {"type": "string", "description": "record field naming its scope"},
                    "search": {"type": "array", "items": {"type": "string"}},
                    "id-rule": {
                        "enum": ["sequence", "uuid", "objectid", "schema"],
                        "description": "how a create names a record (default: as the id's "
                        "schema describes it)",
                    },
                    "parent": {
                        "type": "string",
                        "description": "the dataset whose records own these (with scope): "
                        "a nested collection under a parent that does not exist is 404",
                    },
                },
                "additionalProperties": False,
            },
        },
        "tokens": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["token"],
                "properties": {
                    "token": {"type": "string", "minLength": 1},
                    "scopes": {"type": "array", "items": {"type": "string"}},
                    "description": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "errors": {
            "type": "object",
            "properties": {
                "codes": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
                    "additionalProperties": {"type": "string"},
                }
            },
            "additionalProperties": False,
        },
        "operations": {"type": "object", "additionalProperties": _OPERATION},
        "journal": {
            "type": "object",
            "properties": {
                "mask": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "description": "body fields, headers and query parameters the request "
                    "journal shows as ****, besides credentials and the fields the document "
                    "marks writeOnly or format: password",
                }
            },
            "additionalProperties": False,
        },
        **_PACING,
    },
    "additionalProperties": False,
}


@functools.cache
def _validator() -> Any:
    """The declaration's validator, built on the first declaration read (jsonschema is
    imported then, not by ``serve``'s start-up)."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415

    return Draft202012Validator(DECLARATION_SCHEMA)


@dataclass(frozen=True)
class TimeField:
    """Which record field holds the record's time, and how it is written."""

    field: str
    format: str


@dataclass(frozen=True)
class Dataset:
    """A named set of records, loaded from a JSON array file next to the declaration."""

    name: str
    file: Path
    id_field: str
    time: TimeField | None
    scope_field: str | None
    pointer: str
    id_rule: str | None = None  # sequence | uuid | objectid | schema; None: from the schema
    parent: str | None = None  # the dataset the scope field's values are ids of


@dataclass(frozen=True)
class Filter:
    """Keep the records whose ``field`` relates to the request value by ``op``."""

    op: str
    param: str | None
    body: str | None
    field: str | None
    fields: Any
    combine_param: str | None
    combine_body: str | None
    case_sensitive: bool


@dataclass(frozen=True)
class Sort:
    """How a list orders records, and which request values change that."""

    param: str | None = None
    direction_param: str | None = None
    syntax: str = "field"
    fields: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    default_direction: str = "desc"


#: Records per page when neither the request nor the declaration says.
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Paging:
    """How a list splits its records into pages."""

    style: str
    page_param: str | None = None
    offset_param: str | None = None
    size_param: str | None = None
    cursor_param: str | None = None
    first: int = 0
    default_size: int | None = None

    @property
    def page_size(self) -> int:
        """The size of a page when the request names none."""
        return self.default_size or DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Buckets:
    """How a count splits a time range into buckets."""

    param: str | None = None
    default: int = 50
    start: str | None = None
    end: str | None = None
    items: str = "/buckets"
    timestamp: str = "timestamp"
    count: str = "count"


@dataclass(frozen=True)
class OperationBehaviour:
    """What one operation does."""

    operation_id: str
    kind: BehaviourKind
    dataset: str
    pointer: str
    items: str = ""
    param: str | None = None
    scope: str | None = None
    filters: tuple[Filter, ...] = ()
    sort: Sort = field(default_factory=Sort)
    paging: Paging | None = None
    buckets: Buckets | None = None
    format: str = "jsonl"
    columns: tuple[str, ...] = ()
    set: Mapping[str, Any] = field(default_factory=dict)
    job: Mapping[str, Any] = field(default_factory=dict)  # export-create: facts kept with it
    missing: str = "not-found"
    checks: tuple[str, ...] | None = None  # None: every check that applies to the behaviour


@dataclass(frozen=True)
class Token:
    """A credential the mock accepts, and the scopes it holds (``None``: all scopes)."""

    token: str
    scopes: frozenset[str] | None
    description: str = ""


@dataclass(frozen=True)
class Declaration:
    """A parsed ``mock.yaml``."""

    folder: Path
    spec: str
    datasets: Mapping[str, Dataset]
    operations: Mapping[str, OperationBehaviour]
    tokens: tuple[Token, ...]
    source: SourceFile
    error_codes: Mapping[int, str] = field(default_factory=dict)
    #: latency and fault settings, parsed: operation id -> its own; "" -> the top level's
    pacing: Mapping[str, Pacing] = field(default_factory=dict)
    #: names the request journal masks (``journal: mask:``), besides credentials
    masked: frozenset[str] = frozenset()


def iter_format_errors(source: SourceFile) -> Iterator[DeclarationError]:
    """Every way ``source`` breaks the declaration format."""
    errors = sorted(_validator().iter_errors(source.data), key=lambda e: list(map(str, e.path)))
    for error in errors:
        leaf = deepest_error(error)
        pointer = join_pointer("", *leaf.absolute_path)
        yield DeclarationError(
            source.path, str(leaf.message), pointer=pointer, position=source.position(pointer)
        )


def from_source(source: SourceFile) -> Declaration:
    """Check ``source`` against the declaration format and build the model."""
    for error in iter_format_errors(source):
        raise error
    data = source.data
    folder = source.path.parent
    datasets = {name: _dataset(folder, name, spec) for name, spec in data["datasets"].items()}
    default_dataset = next(iter(datasets))
    operations = {}
    for op_id, spec in data["operations"].items():
        operations[op_id] = _operation(op_id, spec, data["operations"], default_dataset)
        if operations[op_id].dataset not in datasets:
            pointer = join_pointer("/operations", op_id, "dataset")
            raise DeclarationError(
                source.path,
                f"no dataset named {operations[op_id].dataset!r}",
                pointer=pointer,
                position=source.position(pointer),
            )
    for name, dataset in datasets.items():
        if dataset.parent is not None and dataset.parent not in datasets:
            pointer = join_pointer("/datasets", name, "parent")
            raise DeclarationError(
                source.path,
                f"no dataset named {dataset.parent!r}",
                pointer=pointer,
                position=source.position(pointer),
                hint="name one of the datasets this declaration lists",
            )
    tokens = tuple(
        Token(
            t["token"], frozenset(t["scopes"]) if "scopes" in t else None, t.get("description", "")
        )
        for t in data.get("tokens", [])
    )
    codes = {int(k): str(v) for k, v in (data.get("errors") or {}).get("codes", {}).items()}
    return Declaration(
        folder,
        str(data.get("spec", folder.name)),
        datasets,
        operations,
        tokens,
        source,
        codes,
        _pacing(source),
        frozenset((data.get("journal") or {}).get("mask", [])),
    )


def _pacing(source: SourceFile) -> dict[str, Pacing]:
    """The latency and fault blocks by operation id ("" for the top level), parsed; raises
    on a range or distribution the format allows but nothing can be drawn from."""
    blocks = {"": source.data, **source.data["operations"]}
    found = {}
    for name, block in blocks.items():
        own = {k: block[k] for k in _PACING if k in block}
        if not own:
            continue
        try:
            found[name] = Pacing.from_mapping(own)
        except ValueError as problem:  # the format checked the rest: only a latency is left
            pointer = join_pointer("/operations", name, "latency") if name else "/latency"
            raise DeclarationError(
                source.path, str(problem), pointer=pointer, position=source.position(pointer)
            ) from None
    return found


def _dataset(folder: Path, name: str, spec: dict[str, Any]) -> Dataset:
    time = spec.get("time")
    return Dataset(
        name=name,
        file=folder / spec["file"],
        id_field=spec["id"],
        time=TimeField(time["field"], time["format"]) if time else None,
        scope_field=spec.get("scope"),
        pointer=join_pointer("/datasets", name),
        id_rule=spec.get("id-rule"),
        parent=spec.get("parent"),
    )


def _operation(
    op_id: str, spec: dict[str, Any], all_ops: dict[str, Any], default_dataset: str
) -> OperationBehaviour:
    base = all_ops.get(spec["like"], {}) if "like" in spec else {}
    merged = {
        **{k: v for k, v in base.items() if k in ("filters", "sort", "dataset", "scope")},
        **spec,
    }
    return OperationBehaviour(
        operation_id=op_id,
        kind=merged["behaviour"],  # the format allows only the kinds
        dataset=merged.get("dataset", default_dataset),
        pointer=join_pointer("/operations", op_id),
        items=merged.get("items", ""),
        param=merged.get("param"),
        scope=merged.get("scope"),
        filters=tuple(_filter(f) for f in merged.get("filters", [])),
        sort=_sort(merged.get("sort", {})),
        paging=_paging(merged["paging"]) if "paging" in merged else None,
        buckets=_buckets(merged["buckets"]) if "buckets" in merged else None,
        format=merged.get("format", "jsonl"),
        columns=tuple(merged.get("columns", ())),
        set=merged.get("set", {}),
        job=merged.get("job", {}),
        missing=merged.get("missing", "not-found"),
        checks=tuple(merged["checks"]) if "checks" in merged else None,
    )


def _filter(spec: dict[str, Any]) -> Filter:
    return Filter(
        spec["op"],
        spec.get("param"),
        spec.get("body"),
        spec.get("field"),
        spec.get("fields"),
        spec.get("combine-param"),
        spec.get("combine-body"),
        bool(spec.get("case-sensitive", False)),
    )


def _sort(spec: dict[str, Any]) -> Sort:
    return Sort(
        spec.get("param"),
        spec.get("direction-param"),
        spec.get("syntax", "field"),
        spec.get("fields", {}),
        spec.get("default"),
        spec.get("default-direction", "desc"),
    )


def _paging(spec: dict[str, Any]) -> Paging:
    return Paging(
        spec["style"],
        spec.get("page-param"),
        spec.get("offset-param"),
        spec.get("size-param"),
        spec.get("cursor-param"),
        spec.get("first", 0),
        spec.get("default-size"),
    )


def _buckets(spec: dict[str, Any]) -> Buckets:
    return Buckets(
        spec.get("param"),
        spec.get("default", 50),
        spec.get("from"),
        spec.get("to"),
        spec.get("items", "/buckets"),
        spec.get("timestamp", "timestamp"),
        spec.get("count", "count"),
    )
