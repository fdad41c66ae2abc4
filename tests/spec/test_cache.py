"""The compiled-document cache: an unchanged document comes back from it as the same model;
a changed document, referenced file or fixture folder, and a corrupt, foreign or unsafe
entry, are never trusted: the document is loaded again and the entry rewritten."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest

import mockserver.spec
from mockserver.cli.serve import _options
from mockserver.serve.mount import load_api
from mockserver.serve.options import ServeOptions
from mockserver.spec.cache import (
    HEADER,
    DocumentCache,
    cache_folder,
    code_digest,
    folder_digest,
)
from mockserver.spec.loader import load_document
from tests.conftest import WriteDoc, minimal_doc

PET = {"type": "object", "properties": {"name": {"type": "string"}}}


def _doc(*paths: str, ref: str = "#/components/schemas/Pet") -> dict[str, Any]:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}}
    doc = minimal_doc("3.1.0", **{p: {"get": {"responses": ok}} for p in paths})
    doc["components"] = {"schemas": {"Pet": PET}}
    return doc


def _entries(cache: DocumentCache) -> list[Path]:
    return sorted(cache.folder.glob("*.pickle"))


@pytest.fixture
def cache(tmp_path: Path) -> DocumentCache:
    return DocumentCache(tmp_path / "cache")


def test_an_unchanged_document_comes_back_from_the_cache(
    write_doc: WriteDoc, cache: DocumentCache
) -> None:
    path = write_doc(_doc("/pets", "/owners"))
    first = load_document(path, cache=cache)
    [entry] = _entries(cache)
    cached = cache.load(entry.stem)
    assert cached is not None
    assert cached.operations == first.operations == load_document(path).operations
    assert cached.raw == first.raw
    again = load_document(path, cache=cache)
    assert [op.key for op in again.operations] == ["GET /pets", "GET /owners"]
    assert _entries(cache) == [entry]


def test_a_cached_model_shares_its_data_and_strings(
    write_doc: WriteDoc, cache: DocumentCache
) -> None:
    path = write_doc(_doc("/pets", "/owners"))
    load_document(path, cache=cache)
    document = load_document(path, cache=cache)
    schemas = [op.responses[0].content[0].schema for op in document.operations]
    assert all(s is not None for s in schemas)
    raw_pets = document.raw["paths"]["/pets"]["get"]["responses"]["200"]
    assert schemas[0].value is raw_pets["content"]["application/json"]["schema"]  # type: ignore[union-attr]
    owners = document.raw["paths"]["/owners"]["get"]["responses"]["200"]
    assert next(iter(owners)) is next(iter(raw_pets))  # "description": one string object
    assert owners["description"] is raw_pets["description"]


def test_the_registry_resolves_refs_in_a_cached_model(
    write_doc: WriteDoc, cache: DocumentCache
) -> None:
    path = write_doc(_doc("/pets"))
    load_document(path, cache=cache)
    document = load_document(path, cache=cache)
    schema = document.operations[0].responses[0].content[0].schema
    assert schema is not None and schema.uri is not None
    ref = schema.value["$ref"]
    resolved = document.registry.resolver(base_uri=schema.uri.split("#")[0]).lookup(ref).contents
    assert resolved == PET


def test_a_changed_document_is_loaded_again(write_doc: WriteDoc, cache: DocumentCache) -> None:
    path = write_doc(_doc("/pets"))
    load_document(path, cache=cache)
    write_doc(_doc("/pets", "/owners"))
    document = load_document(path, cache=cache)
    assert [op.key for op in document.operations] == ["GET /pets", "GET /owners"]
    assert len(_entries(cache)) == 2


def test_a_changed_referenced_file_makes_the_entry_stale(
    write_doc: WriteDoc, cache: DocumentCache
) -> None:
    write_doc({"Pet": PET}, name="common.yaml")
    path = write_doc(_doc("/pets", ref="common.yaml#/Pet"))
    load_document(path, cache=cache)
    write_doc({"Pet": {**PET, "required": ["name"]}}, name="common.yaml")
    document = load_document(path, cache=cache)
    schema = document.operations[0].responses[0].content[0].schema
    assert schema is not None and schema.uri is not None
    resolver = document.registry.resolver(base_uri=schema.uri.split("#")[0])
    target = resolver.lookup(schema.value["$ref"]).contents
    assert target["required"] == ["name"]
    assert len(_entries(cache)) == 1  # the stale entry was replaced under the same key


def test_changed_fixtures_change_the_key(tmp_path: Path, write_doc: WriteDoc) -> None:
    path = write_doc(_doc("/pets"), name="specs/api.yaml")
    fixtures = tmp_path / "fixtures"
    (fixtures / "api").mkdir(parents=True)
    (fixtures / "api" / "pets.json").write_text("[]", encoding="utf-8")
    cache = DocumentCache(tmp_path / "cache")
    options = ServeOptions(fixtures_dir=fixtures, cache=cache)
    load_api(path, options)
    load_api(path, options)
    assert len(_entries(cache)) == 1
    before = folder_digest(fixtures / "api")
    (fixtures / "api" / "pets.json").write_text('[{"name": "Rex"}]', encoding="utf-8")
    assert folder_digest(fixtures / "api") != before
    load_api(path, options)
    assert len(_entries(cache)) == 2


class _Calls:
    """Unpickles by calling a function: what a planted entry would do."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (os.getcwd, ())


def _corrupt_entries() -> list[tuple[str, bytes]]:
    harmful = pickle.dumps(_Calls())
    return [
        ("empty", b""),
        ("garbage", b"\x00\xffnot a cache entry"),
        ("header only", HEADER),
        ("truncated pickle", HEADER + b"\x80\x05\x95"),
        ("another version", HEADER.replace(b" 1 ", b" 0 ") + b"anything"),
        ("other code", HEADER.replace(code_digest().encode(), b"0" * 16)),
        ("a foreign object", HEADER + harmful),
        ("not an entry", HEADER + pickle.dumps({"operations": []})),
    ]


@pytest.mark.parametrize(("label", "content"), _corrupt_entries(), ids=lambda v: str(v)[:20])
def test_a_corrupt_entry_is_ignored_and_rebuilt(
    write_doc: WriteDoc, cache: DocumentCache, label: str, content: bytes
) -> None:
    path = write_doc(_doc("/pets"))
    load_document(path, cache=cache)
    [entry] = _entries(cache)
    entry.write_bytes(content)
    assert cache.load(entry.stem) is None, label
    assert not entry.exists()
    document = load_document(path, cache=cache)
    assert [op.key for op in document.operations] == ["GET /pets"]
    assert entry.read_bytes().startswith(HEADER)
    assert cache.load(entry.stem) is not None


def test_an_entry_others_may_write_is_not_trusted(
    write_doc: WriteDoc, cache: DocumentCache
) -> None:
    path = write_doc(_doc("/pets"))
    load_document(path, cache=cache)
    [entry] = _entries(cache)
    entry.chmod(0o666)
    assert cache.load(entry.stem) is None


def test_an_unwritable_cache_folder_is_a_miss_not_an_error(
    write_doc: WriteDoc, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    path = write_doc(_doc("/pets"))
    document = load_document(path, cache=DocumentCache(blocker / "cache"))
    assert [op.key for op in document.operations] == ["GET /pets"]


def test_the_cache_lives_in_the_users_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "mockserver" / "compiled"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_folder() == Path.home() / ".cache" / "mockserver" / "compiled"


@pytest.mark.parametrize(("cached", "expected"), [(True, True), (False, False)])
def test_no_cache_turns_the_cache_off(cached: bool, expected: bool) -> None:
    settings = {"seed": 0, "any_token": False, "cors_origins": [], "fixtures": "fixtures"}
    options = _options({**settings, "cache": cached})
    assert (options.cache is not None) is expected


def test_an_entry_names_the_code_that_made_it(tmp_path: Path) -> None:
    """A checkout moved to another commit keeps its version number: the digest of the
    model-building code tells its entries apart."""
    package = Path(mockserver.spec.__file__).parent
    copy = tmp_path / "spec"
    copy.mkdir()
    for module in package.glob("*.py"):
        (copy / module.name).write_bytes(module.read_bytes())
    assert code_digest(copy) == code_digest() and code_digest().encode() in HEADER
    (copy / "build.py").write_bytes((copy / "build.py").read_bytes() + b"\n# edited\n")
    assert code_digest(copy) != code_digest()
