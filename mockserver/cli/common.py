"""What every verb shares: finding the documents a command line names."""

from __future__ import annotations

from pathlib import Path

from mockserver.errors import UsageError
from mockserver.spec.loader import SPEC_SUFFIXES, find_spec


def spec_path(name: str, specs_dir: Path) -> Path:
    """The document ``name`` names: a path, or a file stem in ``specs_dir``."""
    found = find_spec(name, specs_dir)
    if found is None:
        raise UsageError(
            None, f"no document {name!r}", hint=f"give a path, or the name of a file in {specs_dir}"
        )
    return found


def spec_files(paths: list[Path]) -> list[Path]:
    """The documents named by ``paths``: files as given, folders' YAML/JSON files sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(path, "no such file or folder")
    if not found:
        raise UsageError(None, "no documents to serve", hint="give a path to an OpenAPI file")
    names = [p.stem for p in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(
            None,
            f"two documents are named {duplicates[0]!r}; each API is "
            "served under /<file name>, so names must differ",
        )
    return found


def named_spec_files(names: list[str], specs_dir: Path) -> list[Path]:
    """``--spec`` values (names in ``specs_dir`` or paths) as documents; all of
    ``specs_dir`` when none is given."""
    if not names:
        return spec_files([specs_dir])
    return spec_files([find_spec(name, specs_dir) or Path(name) for name in names])
