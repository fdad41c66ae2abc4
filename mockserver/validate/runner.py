"""Decide what each path is and run the right checks; the exit code is the report layer's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mockserver.errors import MockserverError
from mockserver.report.findings import Finding
from mockserver.report.run import Outcome
from mockserver.spec.loader import SPEC_SUFFIXES
from mockserver.spec.source import load_source
from mockserver.validate.document import DocumentChecker
from mockserver.validate.fixtures import DECLARATION_NAME, check_fixture_folder
from mockserver.validate.rules import RULES


def validate_paths(
    paths: list[Path], specs_folder: Path = Path("specs"), ref_root: Path | None = None
) -> Outcome:
    """Check every document and fixture folder under ``paths``; ``$ref``s may reach any
    file under ``ref_root`` (by default, see :func:`default_ref_root`)."""
    outcome = Outcome()
    targets = list(_targets(paths))
    # a fixture folder checked beside documents is read against the one it names, as
    # `serve DOC --fixtures DIR` pairs them: by the document's file stem
    documents = {path.stem: path for kind, path in targets if kind == "document"}
    for kind, path in targets:
        outcome.checked.append(path)
        outcome.findings.extend(_check_target(kind, path, specs_folder, ref_root, documents))
    return outcome.sorted()


def _check_target(
    kind: str,
    path: Path,
    specs_folder: Path,
    ref_root: Path | None,
    documents: dict[str, Path],
) -> list[Finding]:
    """The findings for one target; a bug in mockserver costs this file only (MS006)."""
    try:
        if kind == "fixtures":
            return check_fixture_folder(path, specs_folder, documents)
        return check_document_file(path, ref_root)
    except Exception as error:  # any bug must still leave the other files' reports
        message = f"mockserver failed on this file ({type(error).__name__}: {error})"
        return [Finding("MS006", path, "", message)]


def check_document_file(path: Path, ref_root: Path | None = None) -> list[Finding]:
    """Every finding for the OpenAPI document at ``path``."""
    try:
        source = load_source(path)
    except MockserverError as error:
        return [Finding.from_error(error, RULES)]
    return DocumentChecker(source, ref_root or default_ref_root(path)).run()


def default_ref_root(document: Path) -> Path:
    """Where a document's ``$ref``s may reach: the repository holding it, else the current
    folder if it holds it, else the document's own folder. Files beyond are refused, so a
    document cannot make validate read ``/etc`` or a home folder."""
    folder = document.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    here = Path.cwd().resolve()
    return here if folder.is_relative_to(here) else folder


def _targets(paths: list[Path]) -> Iterator[tuple[str, Path]]:
    for path in paths:
        if path.is_dir():
            yield from _folder_targets(path)
        elif path.name == DECLARATION_NAME:
            yield "fixtures", path.parent
        else:
            yield "document", path  # a missing file becomes an MS001 finding


def _folder_targets(folder: Path) -> Iterator[tuple[str, Path]]:
    if (folder / DECLARATION_NAME).is_file():
        yield "fixtures", folder
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith("."):
            yield from _folder_targets(child)
        elif child.suffix in SPEC_SUFFIXES and child.is_file():
            yield "document", child
