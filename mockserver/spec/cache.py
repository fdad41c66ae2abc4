"""The compiled-document cache: a second start on an unchanged document skips parsing,
resolving and modelling it.

An entry holds what loading produces, the frozen model (:class:`ApiDocument`, without its
registry, which is rebuilt lazily from the same data) and the data of every file loaded,
pickled together: the model's schemas keep pointing into that data, so a resolved ``$ref``
target stays one object shared by all its users, never a copy, and repeated strings are
interned once before the entry is written and stay one object after it is read.

An entry's name is the SHA-256 of the cache format, mockserver's version and the digest of
the code that builds models (so a checkout moved to another commit never reads an entry of
the old code), Python's version, the document's path and bytes, and a salt the caller gives
(``serve`` passes the digest of the API's fixture folder). The files the document refers
to are only known once it is read, so the entry lists each with its digest and is used only
when all still match.

Why pickle is acceptable here: only mockserver writes entries, of its own plain dataclasses,
into the user's own folder (created 0700, files 0600). An entry is read only when it is a
regular file owned by the user that nobody else may write, and it must start with this
format's header line; anything else (stale, truncated, corrupt, of another version, or
holding anything but a model) is ignored, removed and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver import __version__
from mockserver.spec.model import ApiDocument
from mockserver.spec.source import SourceFile

#: Bump when what an entry holds changes shape.
FORMAT = 1


def code_digest(package: Path = Path(__file__).parent) -> str:
    """The SHA-256 of the code that builds a model (this package's modules): an entry made
    by other code (a checkout moved to another commit, an edited install) is never read,
    whatever version number it carries. Reading the package's 176 kB costs about a
    millisecond."""
    digest = hashlib.sha256()
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


HEADER = (
    f"mockserver-document-cache {FORMAT} {__version__} {code_digest()} {sys.version.split()[0]}\n"
).encode()
#: Strings longer than this are rarely repeated (descriptions): not worth interning.
INTERN_LIMIT = 200


@dataclass(frozen=True)
class _Entry:
    """What is pickled: the model without its registry, and the files it was read from."""

    document: ApiDocument
    files: tuple[tuple[Path, Any, bool], ...]  # (path, data, is_json), the root first
    digests: tuple[tuple[Path, str], ...]  # every file but the root, with its SHA-256


def cache_folder() -> Path:
    """``$XDG_CACHE_HOME/mockserver/compiled``, else ``~/.cache/mockserver/compiled``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mockserver" / "compiled"


def folder_digest(folder: Path) -> str:
    """The SHA-256 of every file under ``folder`` (names and bytes); empty if none."""
    if not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class DocumentCache:
    """Entries in one folder; every failure to read or write one is a miss, never an error."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache_folder()

    def key(self, path: Path, name: str, salt: str = "") -> str:
        """The entry name for the document at ``path`` as it is now."""
        digest = hashlib.sha256(HEADER)
        for part in (str(path.resolve()), name, salt):
            digest.update(part.encode() + b"\0")
        digest.update(_file_digest(path).encode())
        return digest.hexdigest()

    def load(self, key: str) -> ApiDocument | None:
        """The cached model for ``key``, or None (the entry is then removed if it exists)."""
        entry_path = self.folder / f"{key}.pickle"
        entry = self._read(entry_path)
        if entry is None or not _fresh(entry):
            with contextlib.suppress(OSError):
                entry_path.unlink()
            return None
        from mockserver.spec.dialects import schema_registry  # noqa: PLC0415 (only on a hit)

        files = [SourceFile(p, "", data, is_json) for p, data, is_json in entry.files]
        registry = schema_registry(files, entry.document.dialect)
        return dataclasses.replace(entry.document, registry=registry)

    def store(self, key: str, document: ApiDocument, files: Sequence[SourceFile]) -> None:
        """Keep ``document`` (read from ``files``, the root first) under ``key``."""
        intern_strings(f.data for f in files)
        entry = _Entry(
            dataclasses.replace(document, registry=None),  # type: ignore[arg-type]
            tuple((f.path, f.data, f.is_json) for f in files),
            tuple((f.path, _file_digest(f.path)) for f in files[1:]),
        )
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as out:
                out.write(HEADER)
                pickle.dump(entry, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(out.name, self.folder / f"{key}.pickle")
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(out.name)

    def _read(self, path: Path) -> _Entry | None:
        try:
            with path.open("rb") as file:
                if not _ours(os.fstat(file.fileno())) or file.readline() != HEADER:
                    return None
                entry = _Unpickler(file).load()
        except Exception:  # a corrupt entry can raise almost anything while unpickling
            return None
        return entry if isinstance(entry, _Entry) else None


class _Unpickler(pickle.Unpickler):
    """Finds classes only in mockserver's model, the standard library's paths and
    builtins: an entry naming anything else is corrupt."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(("mockserver.spec.", "pathlib", "builtins", "collections")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a cached model")


def _ours(info: os.stat_result) -> bool:
    """A regular file of this user's that neither group nor others may write."""
    owner = info.st_uid == os.getuid() if hasattr(os, "getuid") else True
    return stat.S_ISREG(info.st_mode) and owner and not info.st_mode & 0o022


def _fresh(entry: _Entry) -> bool:
    """Whether every referenced file still has the bytes the entry was made from."""
    try:
        return all(_file_digest(path) == digest for path, digest in entry.digests)
    except OSError:
        return False


def _file_digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(io.DEFAULT_BUFFER_SIZE * 256):
            hasher.update(chunk)
    return hasher.hexdigest()


def intern_strings(roots: Iterable[Any]) -> None:
    """Make every repeated short string (keys and values) of ``roots`` one object, in place."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            items = [(_interned(key), _interned(value)) for key, value in node.items()]
            node.clear()  # refilled in the same order, with the same values
            node.update(items)
            stack.extend(v for _, v in items if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            node[:] = [_interned(value) for value in node]
            stack.extend(v for v in node if isinstance(v, (dict, list)))


def _interned(value: Any) -> Any:
    if isinstance(value, str) and len(value) <= INTERN_LIMIT:
        return sys.intern(value)
    return value
