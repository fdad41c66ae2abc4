"""Checks on a fixture folder: its declaration, and every record against its schemas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from mockserver.data.binding import bind_declaration, served_schemas
from mockserver.data.dataset import iter_duplicate_ids, load_records, project
from mockserver.data.declaration import (
    DECLARATION_NAME,
    Declaration,
    from_source,
    iter_format_errors,
)
from mockserver.errors import DeclarationError, MockserverError
from mockserver.report.findings import Finding
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.loader import load_document
from mockserver.spec.model import ApiDocument
from mockserver.spec.pointer import join_pointer
from mockserver.spec.source import load_source
from mockserver.validate.rules import RULES

__all__ = ["DECLARATION_NAME", "check_fixture_folder"]


def check_fixture_folder(
    folder: Path, specs_folder: Path, documents: Mapping[str, Path] | None = None
) -> list[Finding]:
    """Every finding for the fixture folder ``folder``; ``documents`` are the documents
    checked with it, by name (file stem), which its declaration's ``spec`` names first."""
    try:
        source = load_source(folder / DECLARATION_NAME)
    except MockserverError as error:
        return [Finding.from_error(error, RULES)]
    problems = [Finding.from_error(e, RULES) for e in iter_format_errors(source)]
    if problems:
        return problems
    try:
        declaration = from_source(source)
        document = load_document(find_spec(declaration, specs_folder, documents or {}))
        bind_declaration(declaration, document)
    except MockserverError as error:
        return [_finding(error)]
    return list(_check_records(declaration, document))


def find_spec(
    declaration: Declaration, specs_folder: Path, documents: Mapping[str, Path] | None = None
) -> Path:
    """The document a declaration names: one of ``documents`` (given beside the folder, as
    ``serve DOC --fixtures DIR`` pairs them, by name), else in ``specs_folder`` or next to
    the folder."""
    named = (documents or {}).get(declaration.spec)
    if named is not None:
        return named
    for folder in (specs_folder, declaration.folder):
        for suffix in (".yaml", ".yml", ".json"):
            candidate = folder / f"{declaration.spec}{suffix}"
            if candidate.is_file():
                return candidate
    raise DeclarationError(
        declaration.source.path,
        f"no document named {declaration.spec!r} in {specs_folder}",
        pointer="/spec",
        hint="set 'spec:' to the file name (without suffix) of a document",
    )


def _check_records(declaration: Declaration, document: ApiDocument) -> Iterator[Finding]:
    for dataset in declaration.datasets.values():
        try:
            source, records = load_records(dataset)
        except MockserverError as error:
            yield _finding(error)
            continue
        for index, first in iter_duplicate_ids(dataset, records):
            pointer = join_pointer("", index, dataset.id_field)
            pos = source.position(pointer)
            yield Finding(
                "MS203",
                dataset.file,
                pointer,
                f"record {index} repeats the id of record {first}",
                pos.line,
                pos.column,
            )
        for label, schema, names in served_schemas(declaration, document, dataset.name):
            validator = SchemaValidator(schema, document.registry, direction="response")
            for index, record in enumerate(records):
                for violation in validator.iter_violations(project(record, names)):
                    pointer = join_pointer("", index) + violation.pointer
                    pos = source.position(pointer)
                    yield Finding(
                        "MS201",
                        dataset.file,
                        pointer,
                        f"record {index} as served by {label}: {violation.message}",
                        pos.line,
                        pos.column,
                    )


def _finding(error: MockserverError) -> Finding:
    if error.position is None and error.pointer and error.file and error.file.is_file():
        try:
            position = load_source(error.file).position(error.pointer)
        except MockserverError:
            position = None
        error.position = position
    return Finding.from_error(error, RULES)
