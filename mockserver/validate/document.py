"""Checks on one OpenAPI document: meta-schema, refs, examples, defaults, paths, ids."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import ValidationError
from openapi_spec_validator.schemas import (
    openapi_v2_schema_validator,
    openapi_v30_schema_validator,
    openapi_v31_schema_validator,
)

from mockserver.errors import MockserverError, RefError
from mockserver.spec.build import build_document, detect_dialect
from mockserver.spec.dialects import SchemaValidator, deepest_error, schema_registry
from mockserver.spec.model import ApiDocument, Dialect, Example, Schema
from mockserver.spec.pointer import join_pointer, resolve_pointer
from mockserver.spec.refs import RefResolver, file_uri, iter_refs
from mockserver.spec.schema_walk import iter_subschemas, schema_roots
from mockserver.spec.source import SourceFile
from mockserver.validate.findings import Finding

_META_SCHEMAS = {
    Dialect.SWAGGER_2: openapi_v2_schema_validator,
    Dialect.OPENAPI_3_0: openapi_v30_schema_validator,
    Dialect.OPENAPI_3_1: openapi_v31_schema_validator,
}
_TEMPLATE_VARIABLE = re.compile(r"{([^{}]+)}")
_UNEXPECTED = re.compile(
    r"\('([^']+)'(?:, '[^']+')* (?:was|were) unexpected\)"
    r"|^'([^']+)' does not match any of the regexes"
)


class DocumentChecker:
    """Runs every document check, collecting findings rather than stopping at the first."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.resolver = RefResolver(source)
        self.findings: list[Finding] = []
        self.document: ApiDocument | None = None
        self._validators: dict[str, SchemaValidator] = {}

    def run(self) -> list[Finding]:
        """All findings for the document; ``self.document`` is set when it could be modelled."""
        try:
            _, dialect = detect_dialect(self.source.data, self.resolver)
        except MockserverError as error:
            self._add_error(error)
            return self.findings
        self._check_meta_schema(dialect)
        if not self._check_refs():
            return self.findings
        registry = schema_registry(self.resolver.files, dialect)
        try:
            self.document = build_document(self.source.path.stem, self.resolver, registry)
        except MockserverError as error:
            self._add_error(error)
            return self.findings
        self._check_values(self.document, dialect, registry)
        self._check_path_parameters(self.document)
        self._check_operation_ids(self.document)
        self._check_security(self.document)
        return self.findings

    # -- helpers ----------------------------------------------------------------------

    def _add(
        self,
        code: str,
        pointer: str,
        message: str,
        *,
        source: SourceFile | None = None,
        hint: str = "",
    ) -> None:
        source = source or self.source
        position = source.position(pointer)
        self.findings.append(
            Finding(code, source.path, pointer, message, position.line, position.column, hint)
        )

    def _add_error(self, error: MockserverError) -> None:
        source = next((f for f in self.resolver.files if f.path == error.file), self.source)
        if error.position is None and error.pointer:
            self._add(error.code, error.pointer, error.message, source=source, hint=error.hint)
        else:
            self.findings.append(Finding.from_error(error))

    # -- checks -----------------------------------------------------------------------

    def _check_meta_schema(self, dialect: Dialect) -> None:
        if _fast_meta_schema(dialect).is_valid(self.source.data):
            return  # the compiled check agrees with the reference one; only explain failures
        for error in _META_SCHEMAS[dialect].iter_errors(self.source.data):
            leaf = deepest_error(error)
            pointer = join_pointer("", *leaf.absolute_path)
            unexpected = _UNEXPECTED.search(str(leaf.message))
            if unexpected:  # point at the offending key itself, not its parent
                pointer = join_pointer(pointer, unexpected.group(1) or unexpected.group(2))
            self._add("MS101", pointer, _first_line(leaf))

    def _check_refs(self) -> bool:
        """Report every broken ref in every reachable file; True when all resolve."""
        clean = True
        pending, seen = [self.source], set()
        while pending:
            source = pending.pop()
            if source.path in seen:
                continue
            seen.add(source.path)
            for pointer, ref in iter_refs(source.data):
                if ref.split("#")[0] in self.resolver.schema_ids:
                    continue
                try:
                    target = self.resolver.locate(ref, source, pointer)
                except RefError as error:
                    clean = False
                    self._add(error.code, pointer, error.message, source=source, hint=error.hint)
                    continue
                pending.append(target.file)
        return clean

    def _check_values(self, document: ApiDocument, dialect: Dialect, registry: Any) -> None:
        for label, schema, example in _operation_examples(document):
            self._check_value(
                "MS104",
                schema,
                example.value,
                example.pointer,
                f"{label} example {example.name!r}",
                registry,
            )
        for source in self.resolver.files:
            for pointer in _schema_pointers(source, dialect):
                node = resolve_pointer(source.data, pointer)
                schema = Schema(
                    node, dialect, file_uri(source) + "#" + pointer, source.path, pointer
                )
                for code, key, value in _schema_values(node, dialect):
                    self._check_value(
                        code,
                        schema,
                        value,
                        join_pointer(pointer, *key),
                        f"{key[0]} of the schema at {pointer}",
                        registry,
                        source,
                    )

    def _check_value(
        self,
        code: str,
        schema: Schema,
        value: Any,
        pointer: str,
        label: str,
        registry: Any,
        source: SourceFile | None = None,
    ) -> None:
        source = source or next(
            (f for f in self.resolver.files if f.path == schema.file), self.source
        )
        validator = self._validator(schema, registry)
        for violation in validator.iter_violations(value):
            where = f" at {violation.pointer}" if violation.pointer else ""
            self._add(
                code,
                join_pointer(pointer) + violation.pointer,
                f"{label}{where}: {violation.message}",
                source=source,
            )

    def _validator(self, schema: Schema, registry: Any) -> SchemaValidator:
        key = schema.uri or repr(schema.value)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(
                schema, registry, direction="any", single_use=True
            )
        return self._validators[key]

    def _check_path_parameters(self, document: ApiDocument) -> None:
        for op in document.operations:
            variables = _TEMPLATE_VARIABLE.findall(op.path)
            declared = {p.name: p for p in op.parameters if p.location == "path"}
            for name in variables:
                if name not in declared:
                    self._add(
                        "MS106",
                        op.pointer,
                        f"{op.key}: path variable {{{name}}} is not declared",
                        hint=f"add a parameter with name: {name}, in: path, required: true",
                    )
            for name, param in declared.items():
                if name not in variables:
                    self._add(
                        "MS107",
                        param.pointer,
                        f"{op.key}: path parameter {name!r} is not in the template",
                    )

    def _check_operation_ids(self, document: ApiDocument) -> None:
        first: dict[str, str] = {}
        for op in document.operations:
            if not op.declared_operation_id:
                continue
            if op.operation_id in first:
                self._add(
                    "MS108",
                    op.pointer + "/operationId",
                    f"operationId {op.operation_id!r} of {op.key} is already used by "
                    f"{first[op.operation_id]}",
                )
            else:
                first[op.operation_id] = op.key

    def _check_security(self, document: ApiDocument) -> None:
        for op in document.operations:
            for requirement in op.security:
                for name, _ in requirement:
                    if name not in document.security_schemes:
                        self._add(
                            "MS109",
                            op.pointer,
                            f"{op.key}: security scheme {name!r} is not declared",
                        )


@functools.cache
def _fast_meta_schema(dialect: Dialect) -> Any:
    """The meta-schema compiled by jsonschema-rs: milliseconds instead of a second on a
    2.6 MB document. The Python validator still produces the detailed findings."""
    return jsonschema_rs.validator_for(dict(_META_SCHEMAS[dialect].schema))


def _first_line(error: ValidationError) -> str:
    return str(error.message).splitlines()[0][:300]


def _operation_examples(document: ApiDocument) -> Iterator[tuple[str, Schema, Example]]:
    for op in document.operations:
        for param in op.parameters:
            if param.schema is not None:
                for example in param.examples:
                    yield f"{op.key} parameter {param.name}", param.schema, example
        media_types = [*(op.request_body.content if op.request_body else ())]
        media_types += [m for r in op.responses for m in r.content]
        for media in media_types:
            if media.schema is not None:
                for example in media.examples:
                    yield f"{op.key} {media.name}", media.schema, example


def _schema_pointers(source: SourceFile, dialect: Dialect) -> list[str]:
    seen: dict[str, None] = {}
    for root in schema_roots(source.data, dialect):
        for pointer in iter_subschemas(source.data, root, dialect):
            seen.setdefault(pointer)
    return list(seen)


def _schema_values(node: Any, dialect: Dialect) -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
    if not isinstance(node, dict) or ("$ref" in node and dialect is not Dialect.OPENAPI_3_1):
        return
    if "default" in node:
        yield "MS105", ("default",), node["default"]
    if "example" in node:
        yield "MS104", ("example",), node["example"]
    if dialect is Dialect.OPENAPI_3_1 and isinstance(node.get("examples"), list):
        for index, value in enumerate(node["examples"]):
            yield "MS104", ("examples", index), value
