"""Checks on one OpenAPI document: every check runs, whatever the others find.

A broken ``$ref`` is reported where it is written and then simply not followed, so the
meta-schema, the schema dialect, examples, paths, servers and names are all still checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mockserver.errors import MockserverError, RefError
from mockserver.report.findings import Finding
from mockserver.spec.build import detect_dialect
from mockserver.spec.dialects import schema_registry
from mockserver.spec.model import Dialect
from mockserver.spec.pointer import split_pointer
from mockserver.spec.refs import Located, RefResolver, iter_refs
from mockserver.spec.source import SourceFile
from mockserver.validate import ignores, names, paths, schemas
from mockserver.validate.metaschema import (
    OAS_DIALECT,
    iter_dialect_issues,
    iter_meta_schema_issues,
    known_dialect,
)
from mockserver.validate.rules import RULES
from mockserver.validate.servers import iter_server_issues
from mockserver.validate.structure import Structure, from_resolver
from mockserver.validate.values import ValueChecker, iter_example_object_issues

StructureCheck = Callable[[Structure], Iterable[Finding]]

#: Checks that need only the document's structure, in the order their findings are listed.
_STRUCTURE_CHECKS: tuple[StructureCheck, ...] = (
    paths.iter_path_key_issues,
    paths.iter_path_parameter_issues,
    paths.iter_duplicate_parameter_issues,
    paths.iter_form_data_issues,
    paths.iter_no_content_issues,
    paths.iter_refusal_status_issues,
    names.iter_operation_id_issues,
    names.iter_security_issues,
    names.iter_tag_issues,
    names.iter_component_name_issues,
    iter_server_issues,
    iter_example_object_issues,
)


#: Keys whose values are data (examples, defaults, enums, extensions), not structure...
_VALUE_KEYS = frozenset({"example", "default", "enum", "const", "value"})
#: ...unless they are names in a map, such as a property called "default".
_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "responses",
        "headers",
        "schemas",
        "parameters",
        "examples",
        "requestBodies",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
        "content",
        "encoding",
        "variables",
        "webhooks",
        "paths",
    }
)


def _in_a_value(pointer: str) -> bool:
    """Whether ``pointer`` lies inside an example, default, enum or extension, where a
    ``$ref`` key is data like any other."""
    tokens = split_pointer(pointer)
    for index, token in enumerate(tokens[:-1]):
        parent = tokens[index - 1] if index else ""
        if parent in _MAPS:
            continue
        if token in _VALUE_KEYS or token.startswith("x-"):
            return True
        if token == "examples" and tokens[index + 1].isdigit():
            return True  # 3.1 schema examples: a list of values
    return False


class DocumentChecker:
    """Runs every document check, collecting findings rather than stopping at the first."""

    def __init__(self, source: SourceFile, ref_root: Path | None = None) -> None:
        self.source = source
        self.resolver = RefResolver(source, ref_root)

    def run(self) -> list[Finding]:
        """All findings for the document."""
        try:
            _, dialect = detect_dialect(self.source.data, self.resolver)
        except MockserverError as error:
            return [self._from_error(error)]
        found = ignores.apply(dict.fromkeys(self._issues(dialect)), self.resolver.files)
        return [RULES.graded(f) for f in found]

    def _issues(self, dialect: Dialect) -> Iterator[Finding]:
        root = Located(self.source.data, self.source, "")
        yield from iter_meta_schema_issues(root, dialect)
        yield from self._ref_issues()
        structure = from_resolver(self.resolver, dialect)
        yield from self._dialect_issues(structure)
        for check in _STRUCTURE_CHECKS:
            yield from check(structure)
        yield from names.iter_link_issues(structure, self.resolver)
        yield from self._schema_issues(structure)
        registry = schema_registry(self.resolver.files, dialect)
        yield from ValueChecker(structure, self.resolver, registry).iter_issues()
        yield from self._key_issues()

    def _key_issues(self) -> Iterator[Finding]:
        """Every key YAML read as a number or boolean, in every file reached (MS132, a
        warning by default: most tools accept ``200:`` though OpenAPI asks for quotes)."""
        for source in self.resolver.files:
            for pointer in source.non_string_keys:
                key = split_pointer(pointer)[-1]
                message = f"key {key} is not a string in YAML; JSON has only string keys"
                yield Finding.at("MS132", source, pointer, message, f"quote it: '{key}':")

    def _ref_issues(self) -> Iterator[Finding]:
        """Every broken ref in every reachable file."""
        pending, seen = [self.source], set()
        while pending:
            source = pending.pop()
            if source.path in seen:
                continue
            seen.add(source.path)
            for pointer, ref in iter_refs(source.data):
                if ref.split("#")[0] in self.resolver.schema_ids or _in_a_value(pointer):
                    continue
                try:
                    target = self.resolver.locate(ref, source, pointer)
                except RefError as error:
                    yield Finding.at(error.code, source, pointer, error.message, error.hint)
                    continue
                pending.append(target.file)

    def _dialect_issues(self, structure: Structure) -> Iterator[Finding]:
        if structure.dialect is not Dialect.OPENAPI_3_1:
            return  # 2.0 and 3.0 schemas are part of the document's own meta-schema
        dialect = self.source.data.get("jsonSchemaDialect", OAS_DIALECT)
        if isinstance(dialect, str) and known_dialect(dialect):
            yield from iter_dialect_issues(structure.schemas, dialect.rstrip("#"))

    def _schema_issues(self, structure: Structure) -> Iterator[Finding]:
        dialect = structure.dialect
        for node in structure.schema_nodes:
            for check in schemas.SCHEMA_CHECKS:
                yield from check(node, dialect)
            yield from schemas.iter_discriminator_issues(node, dialect, self.resolver)
        for node in structure.simple_schemas:
            for check in schemas.SIMPLE_CHECKS:
                yield from check(node, dialect)

    def _from_error(self, error: MockserverError) -> Finding:
        if error.position is None and error.pointer:
            return Finding.at(error.code, self.source, error.pointer, error.message, error.hint)
        return Finding.from_error(error, RULES)
