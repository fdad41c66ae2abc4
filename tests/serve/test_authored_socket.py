"""Issue 17's answers over a real socket: the author's examples, declared error examples,
Prism's query overrides and HEAD, as ``mockserver serve`` sends them through granian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import serving

pytestmark = [pytest.mark.subprocess]

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "authored", "version": "1"},
    "paths": {
        "/ping": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "text/plain": {"schema": {"type": "string", "example": "pong"}}
                        },
                    },
                    "201": {
                        "description": "made",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                }
            }
        },
        "/q": {
            "get": {
                "parameters": [
                    {"name": "age", "in": "query", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {"description": "ok"},
                    "400": {
                        "description": "refused",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "code": {"type": "string"},
                                        "message": {"type": "string"},
                                    },
                                },
                                "example": {"code": "BAD_AGE", "message": "age is wrong"},
                            }
                        },
                    },
                },
            }
        },
    },
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("authored")
    spec = folder / "authored.yaml"
    spec.write_text(yaml.safe_dump(DOCUMENT), encoding="utf-8")
    (folder / "no-fixtures").mkdir()  # an empty fixtures folder: nothing declared
    with serving(str(spec), "--fixtures", str(folder / "no-fixtures")) as url:
        yield url


def test_a_schema_example_is_served_as_text(base: str) -> None:
    answer = httpx.get(f"{base}/ping")
    assert (answer.status_code, answer.text) == (200, "pong")


def test_dynamic_generates_instead(base: str) -> None:
    assert httpx.get(f"{base}/ping?__dynamic=true").text != "pong"
    assert httpx.get(f"{base}/ping", headers={"Prefer": "dynamic=true"}).text != "pong"


def test_the_code_override_is_not_a_parameter(base: str) -> None:
    assert httpx.get(f"{base}/ping?__code=201").status_code == 201


def test_a_refusal_uses_the_declared_error_example(base: str) -> None:
    answer = httpx.get(f"{base}/q")
    assert answer.status_code == 400
    body = answer.json()
    assert (
        body["code"] == "BAD_AGE"
        and "age" in body["message"]
        and body["message"] != ("age is wrong")
    )


def test_head_is_get_without_a_body(base: str) -> None:
    got, head = httpx.get(f"{base}/ping"), httpx.head(f"{base}/ping")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] == "4"
