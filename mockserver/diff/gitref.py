"""The documents as they were at a git ref: ``--base HEAD~1`` for CI and pre-commit.

Each document's folder is taken from the ref with ``git archive`` into a temporary
folder, so that ``$ref``\\ s to files beside it resolve as they did at that ref.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mockserver.errors import UsageError


@dataclass(frozen=True)
class Pair:
    """A document in the working tree and the same file at the ref."""

    old: Path  # the extracted copy
    label: Path  # how reports name it: ``REF:path/in/repo``
    new: Path


@contextmanager
def pairs_at(ref: str, paths: list[Path]) -> Iterator[list[Pair]]:
    """Pairs for the ``paths`` that exist at ``ref`` (new documents break nothing)."""
    if not paths:
        raise UsageError(None, "no documents to compare", hint="name the files, or add specs/")
    top = _toplevel(paths[0].resolve().parent)
    _check_ref(top, ref)
    with tempfile.TemporaryDirectory(prefix="mockserver-diff-") as folder:
        root = Path(folder)
        extracted: set[Path] = set()
        found = []
        for path in paths:
            relative = _relative(path, top)
            if relative.parent not in extracted:
                _extract(top, ref, relative.parent, root)
                extracted.add(relative.parent)
            if (root / relative).is_file():
                found.append(Pair(root / relative, Path(f"{ref}:{relative.as_posix()}"), path))
        yield found


def _git(top: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(top), *args], capture_output=True, check=False)


def _toplevel(folder: Path) -> Path:
    try:
        result = _git(folder, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        raise UsageError(None, "--base needs git, which is not installed") from None
    if result.returncode != 0:
        raise UsageError(
            None, f"{folder} is not in a git checkout", hint="run inside the repository"
        )
    return Path(result.stdout.decode().strip())


def _check_ref(top: Path, ref: str) -> None:
    if _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(
            None, f"no commit {ref!r} in {top}", hint="name a branch, tag or commit (HEAD~1)"
        )


def _relative(path: Path, top: Path) -> Path:
    try:
        return path.resolve().relative_to(top.resolve())
    except ValueError:
        raise UsageError(path, f"not inside the git checkout at {top}") from None


def _extract(top: Path, ref: str, folder: Path, into: Path) -> None:
    spec = folder.as_posix() if folder != Path() else "."
    result = _git(top, "archive", "--format=tar", ref, "--", spec)
    if result.returncode != 0:
        return  # the folder is new since the ref
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(into, filter="data")
