"""MS134: an operation that can refuse requests but declares no status to refuse them with.

The mock refuses such requests all the same, with an undeclared 4xx (see
mockserver/serve/statuses.py); validate warns the author of the gap, without failing.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from mockserver.report.findings import Finding
from mockserver.validate.runner import validate_paths
from tests.conftest import WriteDoc

OK = {"200": {"description": "ok"}}
AGE = [{"name": "age", "in": "query", "required": True, "schema": {"type": "integer"}}]
BODY = {"content": {"application/json": {"schema": {"type": "object"}}}}
BEARER = {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}


def doc(operation: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/q": {"post": operation}},
        **top,
    }


def warnings(write_doc: WriteDoc, document: dict[str, Any]) -> list[Finding]:
    path = write_doc(yaml.safe_dump(document, sort_keys=False))
    return [f for f in validate_paths([path]).findings if f.code == "MS134"]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (doc({"parameters": AGE, "responses": OK}), "parameters"),
        (doc({"requestBody": BODY, "responses": OK}), "a body"),
        (doc({"responses": OK}, security=[{"bearer": []}], components=BEARER), "security"),
        (
            doc(
                {
                    "responses": {"201": {"description": "ok"}, "500": {"description": "x"}},
                    "parameters": AGE,
                }
            ),
            "parameters",
        ),
    ],
)
def test_an_operation_that_can_refuse_but_declares_no_4xx_is_warned(
    write_doc: WriteDoc, document: dict[str, Any], reason: str
) -> None:
    (finding,) = warnings(write_doc, document)
    assert finding.severity == "warning"
    assert finding.pointer == "/paths/~1q/post/responses"
    assert f"POST /q can refuse requests ({reason}" in finding.message
    assert "default" in finding.hint and "'400'" in finding.hint


def test_the_fix_names_401_for_security(write_doc: WriteDoc) -> None:
    document = doc({"responses": OK}, security=[{"bearer": []}], components=BEARER)
    (finding,) = warnings(write_doc, document)
    assert "'401'" in finding.hint


def test_a_swagger_2_body_parameter_can_refuse(write_doc: WriteDoc) -> None:
    body = {"name": "b", "in": "body", "schema": {"type": "object"}}
    document = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/q": {"post": {"parameters": [body], "responses": OK}}},
    }
    (finding,) = warnings(write_doc, document)
    assert "(a body)" in finding.message


@pytest.mark.parametrize(
    "document",
    [
        doc({"parameters": AGE, "responses": {**OK, "400": {"description": "bad"}}}),
        doc({"parameters": AGE, "responses": {**OK, "404": {"description": "none"}}}),
        doc({"parameters": AGE, "responses": {**OK, "4XX": {"description": "refused"}}}),
        doc({"parameters": AGE, "responses": {**OK, "default": {"description": "error"}}}),
        doc({"responses": OK}),  # nothing to refuse
        doc(
            {"responses": OK, "security": []},  # the operation opts out of the root's security
            security=[{"bearer": []}],
            components=BEARER,
        ),
        doc({"responses": OK}, security=[{}, {"bearer": []}], components=BEARER),  # optional
    ],
)
def test_no_warning_where_a_refusal_is_declared_or_impossible(
    write_doc: WriteDoc, document: dict[str, Any]
) -> None:
    assert warnings(write_doc, document) == []


def test_webhooks_are_not_the_mocks_to_answer(write_doc: WriteDoc) -> None:
    hook = {"post": {"requestBody": BODY, "responses": OK}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "webhooks": {"adopted": hook},
    }
    assert warnings(write_doc, document) == []


def test_a_warning_does_not_fail_the_run(write_doc: WriteDoc) -> None:
    path = write_doc(yaml.safe_dump(doc({"parameters": AGE, "responses": OK})))
    outcome = validate_paths([path])
    assert [f.code for f in outcome.findings] == ["MS134"]
    assert outcome.exit_code() == 0 and outcome.exit_code("warning") == 1
