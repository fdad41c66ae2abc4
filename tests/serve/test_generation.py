"""Served bodies are generated whenever a valid one exists, and list envelopes are valid.

Each answer is judged by an independent validator (``openapi_schema_validator`` on the raw
document, with ``pattern`` read by the ``regex`` module, which knows ECMA-262's ``\\p{..}``),
never by the server's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import regex
from jsonschema import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator

from mockserver.data.inference import infer_declaration
from mockserver.serve.app import create_app_from_paths
from mockserver.serve.mount import ServeOptions
from mockserver.spec.pointer import join_pointer
from tests.conftest import DATA, RAW_TOKEN, Client, MakeClient, WriteDoc, loaded

FULL = DATA / "ld-openapi.full.json"


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Oracle = extend(OAS30ReadValidator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


def violations(raw: dict[str, Any], path: str, method: str, body: Any) -> list[str]:
    """What an independent validator finds wrong with ``body`` as the 200 answer."""
    pointer = join_pointer(
        "", "paths", path, method, "responses", "200", "content", "application/json", "schema"
    )
    oracle = Oracle({**raw, "$ref": "#" + pointer}, format_checker=Oracle.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in oracle.iter_errors(body)]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


#: The reproducers of conformance class A2 (generated data that failed where a valid
#: value exists), as one OpenAPI 3.0 document.
REPRODUCERS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "generation", "version": "1"},
    "paths": {
        "/ids": {
            "get": {
                "responses": _json(
                    {
                        "type": "object",
                        "required": ["id"],
                        "properties": {
                            "id": {
                                "type": "string",
                                "pattern": "[a-z0-9]+",
                                "minLength": 26,
                                "maxLength": 26,
                            }
                        },
                    }
                )
            }
        },
        "/tags": {
            "get": {
                "responses": _json(
                    {
                        "type": "object",
                        "required": ["v", "name"],
                        "properties": {
                            "v": {
                                "type": "string",
                                "pattern": r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*",
                                "maxLength": 256,
                            },
                            "name": {"type": "string", "pattern": r"^\p{Lu}\p{Ll}+$"},
                        },
                    }
                )
            }
        },
        "/stop": {
            "post": {
                "responses": _json(
                    {
                        "type": "object",
                        "required": ["Message", "RecordFile"],
                        "properties": {"Message": {"type": "string"}},
                    }
                )
            }
        },
        "/maintainer": {
            "get": {
                "responses": _json(
                    {
                        "properties": {"kind": {"type": "string"}},
                        "required": ["kind"],
                        "oneOf": [
                            {"$ref": "#/components/schemas/Member"},
                            {"$ref": "#/components/schemas/Team"},
                        ],
                    }
                )
            }
        },
    },
    "components": {
        "schemas": {
            "Member": {
                "type": "object",
                "properties": {"_id": {"type": "string"}, "email": {"type": "string"}},
                "required": ["_id", "email"],
            },
            "Team": {
                "type": "object",
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                "required": ["key", "name"],
            },
        }
    },
}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/ids"), ("get", "/tags"), ("post", "/stop"), ("get", "/maintainer")],
)
def test_a_valid_body_is_served_where_one_exists(
    write_doc: WriteDoc, make_client: MakeClient, method: str, path: str
) -> None:
    client = make_client(write_doc(REPRODUCERS, "generation.yaml"))
    for attempt in range(3):
        response = client.request(method.upper(), f"/generation{path}?n={attempt}")
        assert response.status_code == 200, response.text
        assert violations(REPRODUCERS, path, method, response.json()) == []


@pytest.fixture(scope="module")
def full() -> Iterator[Client]:
    """LaunchDarkly's full document, served as a new user would serve it."""
    client = Client(create_app_from_paths([FULL], ServeOptions(fixtures_dir=None)))
    yield client
    client.close()


HEADERS = {**RAW_TOKEN, "LD-API-Version": "beta"}
DOCUMENT = loaded(FULL)
DECLARATION, _ = infer_declaration(DOCUMENT)


def _inferred_lists() -> list[str]:
    """The document's list operations the mock infers a behaviour for, reachable with
    only the project and environment filled in (no required query parameter)."""
    assert DECLARATION is not None
    paths = []
    for behaviour in DECLARATION.operations.values():
        op = DOCUMENT.operation(behaviour.operation_id)
        assert op is not None
        rest = op.path.replace("{projectKey}", "").replace("{environmentKey}", "")
        needs_query = any(p.required and p.location == "query" for p in op.parameters)
        if behaviour.kind == "list" and "{" not in rest and not needs_query:
            paths.append(op.path)
    return sorted(paths)


LISTS = _inferred_lists()


def _first_id(client: Client, path: str, url: str) -> str:
    """The id of the first record a list serves, in the id field its dataset declares."""
    assert DECLARATION is not None
    behaviour = next(
        b
        for b in DECLARATION.operations.values()
        if b.kind == "list" and (op := DOCUMENT.operation(b.operation_id)) and op.path == path
    )
    id_field = DECLARATION.datasets[behaviour.dataset].id_field
    return str(client.get(url, headers=HEADERS).json()["items"][0][id_field])


@pytest.fixture(scope="module")
def parents(full: Client) -> dict[str, str]:
    """A project, and an environment of it, that the mock's datasets hold."""
    project = _first_id(full, "/api/v2/projects", "/api/v2/projects")
    environments = "/api/v2/projects/{projectKey}/environments"
    environment = _first_id(full, environments, environments.replace("{projectKey}", project))
    return {"{projectKey}": project, "{environmentKey}": environment}


def test_the_reported_list_answers_are_among_those_checked() -> None:
    assert {
        "/api/v2/auditlog",
        "/api/v2/projects/{projectKey}/views",
        "/api/v2/projects/{projectKey}/release-policies",
        "/api/v2/projects/{projectKey}/ai-configs",
    } <= set(LISTS)


@pytest.mark.slow
@pytest.mark.parametrize("path", LISTS)
def test_launchdarkly_full_document_s_list_answers_meet_their_schema(
    full: Client, parents: dict[str, str], path: str
) -> None:
    raw = json.loads(FULL.read_text(encoding="utf-8"))
    url = path
    for variable, value in parents.items():
        url = url.replace(variable, value)
    response: httpx.Response = full.get(url, headers=HEADERS)
    assert response.status_code == 200, response.text
    assert violations(raw, path, "get", response.json()) == []


def test_an_inferred_list_envelope_counts_the_whole_dataset(full: Client) -> None:
    projects = "/api/v2/projects"
    page = full.get(f"{projects}?limit=2", headers=HEADERS).json()
    total = page["totalCount"]
    assert len(page["items"]) == 2 and total > 2
    rest = full.get(f"{projects}?limit=100&offset=2", headers=HEADERS).json()
    assert rest["totalCount"] == total and len(rest["items"]) == total - 2
    assert page["_links"]["self"]["href"].endswith(f"{projects}?limit=2")
