"""The journal's secret fields are found once per API, whatever the number of operations
sharing a schema: a schema met first deep down is walked again when met nearer the top."""

from __future__ import annotations

from typing import Any

from mockserver.serve.journal.masks import Masks, secret_fields
from mockserver.serve.journal.recorder import Recorder
from mockserver.serve.journal.stores import MemoryJournal
from mockserver.serve.mount import ServeOptions, load_apis
from tests.conftest import WriteDoc, minimal_doc


def _post(ref: str) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    return {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}


def _document() -> dict[str, Any]:
    # Deep nests Shared eight levels down, where the walk stops before Shared's fields;
    # /shallow reaches Shared at the top, where its secret field must still be found
    chain: dict[str, Any] = {"$ref": "#/components/schemas/Shared"}
    for _ in range(8):
        chain = {"type": "object", "properties": {"down": chain}}
    schemas = {
        "Deep": chain,
        "Shared": {  # its secret one level further down: beyond the walk from Deep
            "type": "object",
            "properties": {"inner": {"properties": {"pin": {"writeOnly": True}}}},
        },
        "Login": {"properties": {"secret": {"type": "string", "format": "password"}}},
    }
    doc = minimal_doc(
        "3.0.3", **{"/deep": _post("#/components/schemas/Deep"),
                    "/shallow": _post("#/components/schemas/Shared"),
                    "/login": _post("#/components/schemas/Login")}
    )  # fmt: skip
    doc["components"] = {"schemas": schemas}
    return doc


def test_a_shared_schema_met_deep_first_is_searched_again_near_the_top(
    write_doc: WriteDoc,
) -> None:
    [api] = load_apis([write_doc(_document())], ServeOptions(fixtures_dir=None))
    assert secret_fields(api) == {"pin", "secret"}


def test_the_union_of_each_apis_masks_is_the_masks_of_all(write_doc: WriteDoc) -> None:
    first = write_doc(_document(), name="first.yaml")
    second = write_doc(minimal_doc("3.0.3", **{"/x": _post("#/components/schemas/X")})
                       | {"components": {"schemas": {"X": {"properties": {
                           "token": {"type": "string", "writeOnly": True}}}}}},
                       name="second.yaml")  # fmt: skip
    apis = load_apis([first, second], ServeOptions(fixtures_dir=None))
    assert Masks.union(Masks.of([api]) for api in apis) == Masks.of(apis)
    assert Masks.of(apis).fields == {"pin", "secret", "token"}


def test_the_recorder_finds_the_masks_on_its_first_entry_not_when_made(
    write_doc: WriteDoc,
) -> None:
    [api] = load_apis([write_doc(_document())], ServeOptions(fixtures_dir=None))
    recorder = Recorder(MemoryJournal(), [api])
    assert "masks" not in vars(recorder)  # start-up walks no request schema
    assert recorder.masks[api.name].fields == {"pin", "secret"}
    assert recorder.all_masks.fields == {"pin", "secret"}
