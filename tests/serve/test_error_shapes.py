"""Errors are shaped like each API's own documented error for that status."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.data.generate import ValueGenerator
from mockserver.serve.error_shapes import PROBLEM_JSON, ErrorShaper
from mockserver.serve.problems import Problem, Violation
from mockserver.spec.loader import load_document
from tests.conftest import RAW_TOKEN, TOKEN, Client, WriteDoc, minimal_doc

VIOLATIONS = (
    Violation("query", "limit", "", "25 is greater than the maximum of 20", "maximum"),
    Violation("body", "", "/name", "'name' is a required property", "required"),
)


def shaper_for(
    write_doc: WriteDoc, schema: dict[str, Any], **media: Any
) -> tuple[ErrorShaper, Any]:
    """A shaper for a document whose one operation declares ``schema`` (and ``media``'s
    other keywords, such as ``example``) for its 400."""
    content = {"application/json": {"schema": schema, **media}}
    responses = {"200": {"description": "ok"}, "400": {"description": "bad", "content": content}}
    document = load_document(
        write_doc(
            minimal_doc("3.1.0", **{"/a": {"get": {"operationId": "a", "responses": responses}}})
        )
    )
    return ErrorShaper(document, ValueGenerator(document.registry)), document.operations[0]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
            {"code": "bad_request"},
        ),
        (
            {
                "type": "object",
                "properties": {"type": {"type": "string"}, "message": {"type": "string"}},
            },
            {"type": "BadRequest"},
        ),
        (
            {
                "type": "object",
                "properties": {
                    "statusCode": {"type": "integer"},
                    "message": {"type": "string"},
                    "error": {"type": "string"},
                },
            },
            {"statusCode": 400, "error": "Bad Request"},
        ),
    ],
)
def test_recognised_fields_are_filled(
    write_doc: WriteDoc, schema: dict[str, Any], expected: dict[str, Any]
) -> None:
    shaper, op = shaper_for(write_doc, schema)
    rendered = shaper.render(op, Problem(400, "Invalid request", VIOLATIONS), 400)
    body = json.loads(rendered.body)
    assert rendered.status == 400 and rendered.media_type == "application/json"
    assert {k: body[k] for k in expected} == expected
    assert "query parameter 'limit'" in body["message"] and "body at /name" in body["message"]


def test_violation_lists_carry_each_location(write_doc: WriteDoc) -> None:
    item = {
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
    }
    shaper, op = shaper_for(
        write_doc, {"type": "object", "properties": {"detail": {"type": "array", "items": item}}}
    )
    body = json.loads(shaper.render(op, Problem(400, "Invalid", VIOLATIONS), 400).body)
    assert [d["loc"] for d in body["detail"]] == [["query", "limit"], ["body", "name"]]
    assert [d["type"] for d in body["detail"]] == ["maximum", "required"]


def test_undeclared_statuses_are_rfc_7807(write_doc: WriteDoc) -> None:
    shaper, op = shaper_for(write_doc, {"type": "object"})
    rendered = shaper.render(op, Problem(404, "nothing here"), 404)
    assert rendered.media_type == PROBLEM_JSON
    assert b'"title":"Not Found"' in rendered.body and b'"status":404' in rendered.body


@pytest.mark.parametrize(
    ("produces", "expected"),
    [(["application/json"], "application/json"), (["application/xml"], "application/xml")],
)
def test_a_swagger_2_undeclared_status_comes_in_the_produced_media_type(
    write_doc: WriteDoc, produces: list[str], expected: str
) -> None:
    # 2.0's produces applies to every response, declared or not (Schemathesis checks so)
    document = load_document(
        write_doc(
            {
                "swagger": "2.0",
                "info": {"title": "t", "version": "1"},
                "produces": produces,
                "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
            }
        )
    )
    shaper = ErrorShaper(document, ValueGenerator(document.registry))
    rendered = shaper.render(document.operations[0], Problem(401, "no credentials"), 401)
    assert (rendered.status, rendered.media_type) == (401, expected)
    assert b"no credentials" in rendered.body


@pytest.mark.parametrize(
    ("url", "headers", "status", "keys"),
    [
        (
            "/losant/orgs/575ed6e87ae143cd83dc4aa8/audit-logs?page=-1",
            TOKEN,
            400,
            {"type", "message"},
        ),
        ("/launchdarkly/api/v2/auditlog/zzz", RAW_TOKEN, 404, {"code", "message"}),
        ("/anaconda/api/audit-logs/not-a-uuid", TOKEN, 422, {"detail"}),
        ("/anaconda/api/audit-logs/00000000-0000-4000-8000-000000000000", TOKEN, 404, {"detail"}),
        # the document's own 401 example ({statusCode, message}), its message filled in
        ("/gorules/api/audit-logs", {}, 401, {"statusCode", "message"}),
    ],
)
def test_each_vendor_errs_in_its_own_shape(
    vendored: Client, url: str, headers: dict[str, str], status: int, keys: set[str]
) -> None:
    response = vendored.get(url, headers=headers)
    assert response.status_code == status
    assert set(response.json()) == keys


_CODED = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}


@pytest.mark.parametrize(
    ("schema", "media"),
    [
        (_CODED, {"example": {"code": "BAD_AGE", "message": "written by the author"}}),
        (
            _CODED,
            {"examples": {"one": {"value": {"code": "BAD_AGE", "message": "by the author"}}}},
        ),
        ({**_CODED, "example": {"code": "BAD_AGE", "message": "in the schema"}}, {}),
    ],
)
def test_a_declared_error_example_is_the_refusal_with_its_message_filled(
    write_doc: WriteDoc, schema: dict[str, Any], media: dict[str, Any]
) -> None:
    shaper, op = shaper_for(write_doc, schema, **media)
    body = json.loads(shaper.render(op, Problem(400, "Invalid request", VIOLATIONS), 400).body)
    assert body["code"] == "BAD_AGE"  # the author's own code stays
    assert "query parameter 'limit'" in body["message"]  # the violation is written in


def test_a_declared_error_example_that_breaks_its_schema_is_not_used(
    write_doc: WriteDoc,
) -> None:
    shaper, op = shaper_for(write_doc, _CODED, example={"code": 7})
    body = json.loads(shaper.render(op, Problem(400, "Invalid request", VIOLATIONS), 400).body)
    assert body["code"] != 7 and isinstance(body["code"], str)
