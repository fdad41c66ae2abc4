"""The pages that grow with the documents are made on their first request: start-up
neither copies nor serialises a document, and what is served is what it was."""

from __future__ import annotations

import copy
import json
from typing import Any

from mockserver.serve.app import create_app
from mockserver.serve.mount import ServeOptions, load_apis
from mockserver.serve.pages import Pages
from tests.conftest import Client, WriteDoc, minimal_doc


def _document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/a": {
            "servers": [{"url": "https://a.example"}],
            "get": {
                "servers": [{"url": "https://b.example"}],
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/b": {"get": {"responses": {"200": {"description": "ok"}}}},
    }
    doc = minimal_doc(**paths)
    doc["servers"] = [{"url": "https://api.example/v1"}]
    return doc


def test_no_document_page_is_made_at_start_up(write_doc: WriteDoc) -> None:
    [api] = load_apis([write_doc(_document())], ServeOptions(fixtures_dir=None))
    pages = Pages([api])
    assert "/" in pages.lazy and "/api/openapi.json" in pages.lazy
    assert not any(path.endswith("openapi.json") or path == "/" for path in pages.fixed)
    assert pages.find("/api/openapi.json", "GET") is not None
    assert "/api/openapi.json" in pages.fixed and "/api/openapi.json" not in pages.lazy


def test_the_served_document_drops_nested_servers_and_leaves_the_original(
    write_doc: WriteDoc,
) -> None:
    doc = _document()
    options = ServeOptions(fixtures_dir=None)
    [api] = load_apis([write_doc(doc)], options)
    before = copy.deepcopy(dict(api.document.raw))
    client = Client(create_app([api], options))
    served = client.get("/api/openapi.json").json()
    again = client.get("/v1/openapi.json").json()  # the base path's mount
    client.close()
    assert served["servers"] == [{"url": "/api/v1", "description": "mockserver"}]
    assert "servers" not in served["paths"]["/a"] and "servers" not in served["paths"]["/a"]["get"]
    assert served["paths"]["/b"] == doc["paths"]["/b"]
    assert again["servers"] == [{"url": "/v1", "description": "mockserver"}]
    assert json.dumps(dict(api.document.raw), sort_keys=True) == json.dumps(before, sort_keys=True)
