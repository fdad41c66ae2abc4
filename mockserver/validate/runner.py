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


def validate_paths(paths: list[Path], specs_folder: Path = Path("specs")) -> Outcome:
    """Check every document and fixture folder under ``paths``."""
    outcome = Outcome()
    for kind, path in _targets(paths):
        outcome.checked.append(path)
        try:
            if kind == "fixtures":
                outcome.findings.extend(check_fixture_folder(path, specs_folder))
            else:
                outcome.findings.extend(check_document_file(path))
        except Exception as error:  # a bug: name the file, keep the others' findings
            outcome.findings.append(Finding.crashed(path, error))
    return outcome.sorted()


def check_document_file(path: Path) -> list[Finding]:
    """Every finding for the OpenAPI document at ``path``."""
    try:
        source = load_source(path)
    except MockserverError as error:
        return [Finding.from_error(error, RULES)]
    return DocumentChecker(source).run()


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
