"""ReadMe's public example documents (``@readme/oas-examples``, 2.0, 3.0 and 3.1), served.

These documents are written the common way, by people who are not writing for mockserver:
Schemathesis' positive checks (run in process over ASGI, Schemathesis judging only by each
document) must find no failure on any document that declares responses, and where a
success response's schema carries its own ``example`` (and its media type none), that
example is what is served (issue 17).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockserver.serve.app import create_app
from mockserver.serve.mount import ServeOptions, load_apis
from tests.conftest import DATA, MakeClient

EXAMPLES = DATA / "oas-examples"
DOCUMENTS = sorted(EXAMPLES.glob("*/*.json"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: A refusal of credentials is answered 401/403 even where the operation declares neither
#: (docs/serve.md: a refusal never looks like a success), and Schemathesis draws
#: credentials it cannot know (an empty api_key): such an answer is judged by every check
#: but the declared-status one, which the user's truth overrides here.
REFUSAL_CHECKS = [c for c in CHECKS if c is not status_code_conformance]
MAX_EXAMPLES = 8  # per operation: every document in a few minutes on one core


def _declares_responses(path: Path) -> bool:
    document = json.loads(path.read_text(encoding="utf-8"))
    return any(
        isinstance(op, dict) and op.get("responses")
        for item in (document.get("paths") or {}).values()
        for op in item.values()
    )


def _app(path: Path) -> tuple[Any, str]:
    options = ServeOptions(fixtures_dir=None, any_token=True)
    apis = load_apis([path], options)
    return create_app(apis, options), apis[0].name


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


SERVED = [p for p in DOCUMENTS if _declares_responses(p)]


def test_the_vendored_set_has_every_version() -> None:
    assert {p.parent.name for p in SERVED} == {"2.0", "3.0", "3.1"}


#: Documents the mock does not serve as Schemathesis expects yet, and why (strict xfail).
KNOWN: dict[str, str] = {}


@dataclass(frozen=True)
class DroppedPattern:
    """A parameter whose ``pattern`` Schemathesis drops, drawing any string for it.

    Schemathesis keeps a pattern only if the Rust regex engine compiles it, and that engine
    refuses a lone ``{``. ECMA-262 (Annex B, the reading without the ``u`` flag that
    OpenAPI 3.0's Draft 4 schemas use) reads it as a literal brace, as Python's ``re``
    does: so ``^(?:{[0-9a-fA-F]{4}...)$`` still asks for 32 hex digits, and a draw such as
    ``''`` breaks the document. Judged here by Python's ``re`` (with ``$`` read as
    ECMA-262's end of input), which reads these patterns alike.
    """

    location: str  # "query", "header", ...
    name: str

    def breaks(self, document: dict[str, Any], operation: Any, case: Any) -> bool:
        """Whether ``case``'s value for the parameter does not match its pattern."""
        schema = _declared_schema(document, operation, self.location, self.name)
        pattern = str(schema["pattern"])
        value = _drawn(case, self.location, self.name)
        if not isinstance(value, str):
            return False
        ecma = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
        return re.search(ecma, value) is None


@dataclass(frozen=True)
class BrokenExample:
    """A parameter whose author's ``example`` or ``default`` (``values``) breaks its own
    ``format`` (``why``), and Schemathesis sends it as it is."""

    location: str
    name: str
    values: tuple[str, ...]
    why: str

    def breaks(self, document: dict[str, Any], operation: Any, case: Any) -> bool:
        """Whether ``case`` sends one of the author's broken values for the parameter."""
        schema = _declared_schema(document, operation, self.location, self.name)
        authored = [schema[k] for k in ("example", "default") if k in schema]
        assert set(self.values) <= set(authored), f"{self.values} are not the author's"
        return _drawn(case, self.location, self.name) in self.values


@dataclass(frozen=True)
class NullWithoutType:
    """A body property whose schema says ``nullable: true`` beside no ``type`` (only a
    ``oneOf`` of objects), and Schemathesis sends ``null`` for it. OpenAPI 3.0.3 and
    3.0.4: nullable "only takes effect if ``type`` is explicitly defined within the same
    Schema Object" (openapi-schema-validator reads it so too): ``null`` breaks the schema.
    The property is ``name`` in each additional property of a ``holder`` object, wherever
    the body holds one (an operation may nest it in an array or another object).
    """

    holder: str
    name: str

    def breaks(self, document: dict[str, Any], operation: Any, case: Any) -> bool:
        """Whether ``case``'s body holds ``null`` at the property."""
        return any(
            isinstance(value, dict) and self.name in value and value[self.name] is None
            for held in _values_of(case.body, self.holder)
            if isinstance(held, dict)
            for value in held.values()
        )


def _values_of(node: Any, key: str) -> Iterator[Any]:
    """Every value held under ``key`` anywhere in ``node``."""
    if isinstance(node, dict):
        if key in node:
            yield node[key]
        for child in node.values():
            yield from _values_of(child, key)
    elif isinstance(node, list):
        for child in node:
            yield from _values_of(child, key)


InvalidDraw = DroppedPattern | BrokenExample | NullWithoutType

#: The author's examples and defaults in ReadMe's schema-validation documents (3.0 and 3.1
#: alike) that break their own format.
_BROKEN_FORMAT_EXAMPLES = (
    BrokenExample(
        "query",
        "json-pointer",
        ("#/a~1b", "#/foo"),
        "'#/a~1b' and '#/foo' are URI fragments (RFC 6901 section 6); format json-pointer "
        "is the JSON string form of section 5, which starts with '/' or is empty",
    ),
    BrokenExample(
        "query",
        "idn-hostname",
        ("B\u00fccher.example",),
        "'B' (U+0042) is DISALLOWED in an IDNA2008 U-label (RFC 5892: upper case is "
        "mapped away before, never sent); 'bücher.example' is the hostname",
    ),
    BrokenExample(
        "query",
        "time",
        ("23:20:50.52",),
        "the default '23:20:50.52' has no time-offset, which RFC 3339's full-time (JSON "
        "Schema's format time) requires",
    ),
)

#: Requests Schemathesis draws that break their document: the oracle's intent is then a
#: refusal, so the mock must answer each with a 4xx, and is judged by nothing else on
#: them. Each names one parameter of one operation, never a whole document.
INVALID_DRAWS: dict[tuple[str, str], tuple[InvalidDraw, ...]] = {
    **{
        ("3.0/complex-nesting", label): (
            NullWithoutType("objectOfAdditionalProperties", "metadata"),
        )
        for label in (
            "PUT /anything/top-level-array",
            "POST /top-level-object/of-everything",
            "POST /multischema/of-everything",
        )
    },
    ("3.0/schema-validation", "GET /anything/strings"): (
        DroppedPattern("query", "complex-pattern-required"),
    ),
    **{
        (document, "GET /anything/jsonschema-formats"): _BROKEN_FORMAT_EXAMPLES
        for document in ("3.0/schema-validation", "3.1/schema-validation-local")
    },
}
#: Operations whose success schema no finite JSON value satisfies: the mock answers the
#: documented 500 naming the schema (ARCHITECTURE: only such a schema is a 500).
UNSATISFIABLE = {"POST /direct"}  # TreeNode requires parent, itself a TreeNode


def _params(paths: list[Path]) -> list[Any]:
    return [
        pytest.param(
            p,
            id=_id(p),
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[_id(p)])] if _id(p) in KNOWN else [],
        )
        for p in paths
    ]


@pytest.mark.schemathesis
@pytest.mark.slow
@pytest.mark.parametrize("path", _params(SERVED))
def test_schemathesis_positive_checks_find_no_failure(path: Path) -> None:
    app, name = _app(path)
    schema = schemathesis.openapi.from_asgi(f"/{name}/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    document = json.loads(path.read_text(encoding="utf-8"))
    failures = [
        failure
        for operation in operations
        if operation.label not in UNSATISFIABLE
        for failure in _failures(
            operation, document, INVALID_DRAWS.get((_id(path), operation.label), ())
        )
    ]
    assert not failures, "\n\n".join(failures)


def _failures(
    operation: Any, document: dict[str, Any], invalid: tuple[InvalidDraw, ...]
) -> list[str]:
    """What Schemathesis' positive checks find on one operation (the first failure); a
    draw that breaks the document (``invalid``) must be refused with a 4xx instead."""
    found: list[str] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def check(case: Any) -> None:
        try:
            response = case.call()
            broken = [d for d in invalid if d.breaks(document, operation, case)]
            if broken:
                status = response.status_code
                assert 400 <= status < 500, f"{broken} break the document, yet {status}"
                return
            refused = response.status_code in (401, 403)
            if _no_final_success(operation) and response.status_code < 300:
                assert "warning" in response.headers, "an undeclared success names the gap"
                refused = True  # judged as a refusal: the declared status is overridden
            case.validate_response(response, checks=REFUSAL_CHECKS if refused else CHECKS)
        except AssertionError as failure:  # Schemathesis' failure group is one
            found.append(f"{operation.label}: {failure}"[:1500])
            raise

    try:
        check()
    except AssertionError:
        pass
    except Unsatisfiable:  # Schemathesis can build no request (allOf string and integer)
        return []
    return found[-1:]


def _no_final_success(operation: Any) -> bool:
    """Whether the operation declares nothing but 1xx and 5xx answers (3.0/http-status-codes
    has operations declaring only ``100`` and only ``500``).

    OpenAPI says a sole response code SHOULD be the success, but a 1xx is never a final
    answer and the mock never answers a valid request with a 5xx (docs/serve.md: it would
    read as the mock crashing, and Schemathesis' own not_a_server_error check fails it): it
    answers an undeclared 2xx with a ``Warning`` naming the gap, which is judged by every
    check but the declared-status one."""
    codes = [str(code) for code in operation.definition.raw.get("responses", {})]
    return bool(codes) and all(code[:1] in ("1", "5") for code in codes)


def _declared_schema(
    document: dict[str, Any], operation: Any, location: str, name: str
) -> dict[str, Any]:
    """The schema of the parameter ``name`` in ``location`` of ``operation``."""
    item = document["paths"][operation.path]
    declared = [
        *(item.get("parameters") or []),
        *(item[operation.method.lower()].get("parameters") or []),
    ]
    for param in (_resolved(document, p) for p in declared):
        if param.get("in") == location and param.get("name") == name:
            return dict(_resolved(document, param.get("schema") or param))
    raise LookupError(f"{operation.label} declares no {location} parameter {name!r}")


def _drawn(case: Any, location: str, name: str) -> Any:
    """The value ``case`` sends for a parameter (None when it sends none)."""
    return (getattr(case, location) or {}).get(name)


def _resolved(document: dict[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` followed (the documents use only local ones)."""
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "boolean": (bool,)}


def _authored(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    """The properties of an object schema whose own ``example`` is plainly of their type."""
    schema = _resolved(document, schema)
    found = {}
    for name, declared in ((schema or {}).get("properties") or {}).items():
        prop = _resolved(document, declared)
        kinds = _TYPES.get(str(prop.get("type")), ())
        plain = not {"enum", "pattern", "format"} & set(prop)
        if "example" in prop and kinds and isinstance(prop["example"], kinds) and plain:
            found[name] = prop["example"]
    return found


def _target(document: dict[str, Any], route: str, get: dict[str, Any]) -> str | None:
    """``route`` with its path variables as 1 and its required query parameters as their
    first enum value; ``None`` when a required parameter has no such obvious value."""
    query = []
    for param in [_resolved(document, p) for p in get.get("parameters") or []]:
        schema = _resolved(document, param.get("schema")) or param
        if param.get("in") == "path":
            route = route.replace("{" + str(param["name"]) + "}", "1")
        elif param.get("required") and param.get("in") == "query":
            enum = (_resolved(document, schema.get("items")) or schema).get("enum")
            if not enum:
                return None
            query.append(f"{param['name']}={enum[0]}")
        elif param.get("required"):
            return None
    if "{" in route:
        return None
    return route + ("?" + "&".join(query) if query else "")


def _schema_examples(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, {property: example}) of each parameterless GET whose JSON 200 declares no
    example of its own and whose objects (or array items) have property examples."""
    for route, item in (document.get("paths") or {}).items():
        get = item.get("get") if isinstance(item, dict) else None
        target = _target(document, route, get) if isinstance(get, dict) else None
        if get is None or target is None:
            continue
        response = _resolved(document, (get.get("responses") or {}).get("200")) or {}
        media = (response.get("content") or {}).get("application/json") or {}
        if not media or {"example", "examples"} & set(media):
            continue
        schema = _resolved(document, media.get("schema")) or {}
        if schema.get("type") == "array":
            schema = _resolved(document, schema.get("items"))
        found = _authored(document, schema)
        if found:
            yield target, found


SCHEMA_EXAMPLES = [
    pytest.param(path, *found, id=f"{_id(path)}{found[0]}")
    for path in SERVED
    for found in _schema_examples(json.loads(path.read_text(encoding="utf-8")))
]


def test_some_documents_have_property_examples() -> None:
    assert len(SCHEMA_EXAMPLES) >= 3


@pytest.mark.parametrize(("path", "route", "examples"), SCHEMA_EXAMPLES)
def test_the_schemas_own_examples_are_what_is_served(
    make_client: MakeClient, path: Path, route: str, examples: dict[str, Any]
) -> None:
    client = make_client(path, fixtures_dir=None, any_token=True)
    published = client.get(f"/{path.stem}/openapi.json").json()
    base = str(published["servers"][0]["url"]).rstrip("/")
    credentials = {"Authorization": "Bearer mock-token", "api_key": "mock-token"}
    answer = client.get(base + route, headers={"Accept": "application/json", **credentials})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    objects = [o for o in (body if isinstance(body, list) else [body]) if isinstance(o, dict)]
    shown = {k: o[k] for o in objects for k in examples if k in o}
    assert shown, body  # the properties are there to judge
    assert shown == {k: examples[k] for k in shown}
