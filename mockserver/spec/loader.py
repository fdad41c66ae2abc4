"""Load an OpenAPI document from disk into the frozen model: the only spec I/O."""

from __future__ import annotations

from pathlib import Path

from mockserver.spec.build import build_document, detect_dialect
from mockserver.spec.dialects import schema_registry
from mockserver.spec.model import ApiDocument
from mockserver.spec.refs import RefResolver
from mockserver.spec.source import load_source

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def load_document(path: Path, *, name: str | None = None) -> ApiDocument:
    """Read, resolve and model the document at ``path``.

    Raises a :class:`~mockserver.errors.MockserverError` subclass naming the file,
    line and JSON pointer when the document cannot be used.
    """
    source = load_source(path)
    resolver = RefResolver(source)
    _, dialect = detect_dialect(source.data, resolver)
    resolver.load_all()
    registry = schema_registry(resolver.files, dialect)
    return build_document(name or path.stem, resolver, registry)


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
