"""Load an OpenAPI document from disk into the frozen model: the only spec I/O (with the
compiled-document cache of :mod:`mockserver.spec.cache`, which it alone reads and fills).

A document named by an ``http(s)`` URL is downloaded first, into the user's cache folder,
and loaded from there like any other file (its relative ``$ref`` s then point into that
folder, so a remote document must be self-contained)."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mockserver.errors import LoadError

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


#: Seconds a document URL may take to answer.
FETCH_SECONDS = 10.0
#: The largest document a URL may send.
FETCH_BYTES = 64 * 1024 * 1024


def is_url(name: str) -> bool:
    """Whether ``name`` is an ``http(s)`` URL rather than a path."""
    return name.startswith(("http://", "https://"))


def cache_folder() -> Path:
    """Where downloaded documents are kept: ``$XDG_CACHE_HOME/mockserver/documents``
    (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mockserver" / "documents"


def fetch_document(url: str, timeout: float = FETCH_SECONDS) -> Path:
    """The document at ``url``, downloaded into :func:`cache_folder` under its own file name
    (so it is served as ``/<name>``); a :class:`LoadError` in one line when it cannot be."""
    name = Path(urlsplit(url).path).name or "openapi"
    folder = cache_folder() / hashlib.sha256(url.encode()).hexdigest()[:16]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            body = answer.read(FETCH_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise LoadError(
            None, f"{url}: the server answered {error.code} {error.reason}", code="MS001"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise LoadError(None, f"{url} cannot be reached: {reason}", code="MS001") from None
    if len(body) > FETCH_BYTES:
        raise LoadError(None, f"{url}: larger than {FETCH_BYTES // 2**20} MiB", code="MS001")
    if Path(name).suffix not in SPEC_SUFFIXES:
        name += ".json" if body.lstrip()[:1] in (b"{", b"[") else ".yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(body)
    return path
