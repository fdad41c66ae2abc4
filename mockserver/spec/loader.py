"""Load an OpenAPI document from disk into the frozen model: the only spec I/O (with the
compiled-document cache of :mod:`mockserver.spec.cache`, which it alone reads and fills)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the loader's own imports wait for a load: finding a file needs none
    from mockserver.spec.cache import DocumentCache
    from mockserver.spec.model import ApiDocument
    from mockserver.spec.source import SourceFile

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def load_document(
    path: Path, *, name: str | None = None, cache: DocumentCache | None = None, salt: str = ""
) -> ApiDocument:
    """Read, resolve and model the document at ``path``; with ``cache``, take the model
    from there when the document (and ``salt``) are unchanged, and keep it there otherwise.

    Raises a :class:`~mockserver.errors.MockserverError` subclass naming the file,
    line and JSON pointer when the document cannot be used.
    """
    name = name or path.stem
    if cache is None:
        return _load(path, name)[0]
    try:
        key = cache.key(path, name, salt)
    except OSError:  # unreadable: let the loader say so, with its own message
        return _load(path, name)[0]
    found = cache.load(key)
    if found is not None:
        return found
    document, files = _load(path, name)
    cache.store(key, document, files)
    return document


def _load(path: Path, name: str) -> tuple[ApiDocument, tuple[SourceFile, ...]]:
    # here, not at the top: find_spec's users (every verb's command line, serve's parent
    # process) should not import the JSON Schema validators the model is built with
    from mockserver.spec.build import build_document, detect_dialect  # noqa: PLC0415
    from mockserver.spec.dialects import schema_registry  # noqa: PLC0415
    from mockserver.spec.refs import RefResolver  # noqa: PLC0415
    from mockserver.spec.source import load_source  # noqa: PLC0415

    source = load_source(path)
    resolver = RefResolver(source)
    _, dialect = detect_dialect(source.data, resolver)
    resolver.load_all()
    registry = schema_registry(resolver.files, dialect)
    return build_document(name, resolver, registry), resolver.files


def find_spec(name: str, *folders: Path) -> Path | None:
    """The document ``name`` refers to: a path as given, else ``<folder>/<name>.yaml`` (or
    ``.yml``, ``.json``) in the first of ``folders`` that has it."""
    if Path(name).is_file():
        return Path(name)
    for folder in folders:
        for suffix in SPEC_SUFFIXES:
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    return None
