"""Every example and default against its own schema, wherever the document writes one:
schemas, parameters (``example``, ``examples`` maps, ``content``), headers (in responses
and in encodings), media types, Swagger 2.0 responses, callbacks and webhooks.

An example of a non-JSON media type (a form, say) may be written as the serialised text
the wire carries (``a=1&b=2``): the specification allows it, so such a string is not
checked against an object schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from referencing.exceptions import Unresolvable

from mockserver.errors import MockserverError
from mockserver.report.findings import Finding
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.media import media_type_of
from mockserver.spec.model import Dialect, Schema, SchemaRegistry
from mockserver.spec.pointer import split_pointer
from mockserver.spec.refs import Located, RefResolver, file_uri
from mockserver.spec.source import SourceFile
from mockserver.validate.structure import Node, Structure

#: Swagger 2.0 parameter and header fields that are schema keywords.
_SIMPLE_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
)


class ValueChecker:
    """Checks values against schemas, compiling each schema once."""

    def __init__(
        self, structure: Structure, resolver: RefResolver, registry: SchemaRegistry
    ) -> None:
        self.structure = structure
        self.resolver = resolver
        self.dialect = structure.dialect
        self.registry = registry
        self._validators: dict[str, SchemaValidator] = {}

    def iter_issues(self) -> Iterator[Finding]:
        """Every example and default that breaks its schema."""
        found = self.structure
        for node in [*found.parameters, *found.headers]:
            yield from self._holder(node)
        for node in found.media_types:
            yield from self._holder(node, serialised=_serialised_media(node))
        for node in found.responses:
            yield from self._swagger_response(node)
        for node in found.simple_schemas:
            yield from self._simple(node)
        for node in found.schema_nodes:
            yield from self._schema_values(node)

    def _holder(self, node: Node, *, serialised: bool = False) -> Iterator[Finding]:
        """A parameter, header or media type: its example(s) against its schema; with
        ``serialised``, a string example is taken as the serialised text of the value."""
        schema = node.value.get("schema")
        if not isinstance(schema, dict | bool) or (
            self.dialect is Dialect.SWAGGER_2 and node.value.get("in") != "body"
        ):
            return
        target = self._schema(node.source, node.at("schema"), schema)
        as_text = serialised and not self._admits_strings(node)
        if "example" in node.value and not (as_text and isinstance(node.value["example"], str)):
            yield from self._check(
                "MS104", target, node.source, node.at("example"), node.value["example"], "example"
            )
        if self.dialect is Dialect.SWAGGER_2 and "x-example" in node.value:
            yield from self._check(
                "MS104",
                target,
                node.source,
                node.at("x-example"),
                node.value["x-example"],
                "example",
            )
        named = node.value.get("examples")
        if self.dialect is Dialect.SWAGGER_2 or not isinstance(named, dict):
            return
        for name in named:
            example = self._example(node, str(name))
            if example is None or "value" not in example.value:
                continue
            if not (as_text and isinstance(example.value["value"], str)):
                yield from self._check(
                    "MS104",
                    target,
                    example.source,
                    example.at("value"),
                    example.value["value"],
                    f"example {name!r}",
                )

    def _admits_strings(self, node: Node) -> bool:
        """Whether the holder's schema (its ref followed) may be a string at all."""
        try:
            schema = self.resolver.deref(
                Located(node.value["schema"], node.source, node.at("schema"))
            ).value
        except MockserverError:
            return True  # reported by the ref check
        kind = schema.get("type") if isinstance(schema, dict) else None
        return kind is None or kind == "string" or (isinstance(kind, list) and "string" in kind)

    def _example(self, node: Node, name: str) -> Node | None:
        """The Example object a holder names, its ref followed."""
        at = Located(node.value["examples"][name], node.source, node.at("examples", name))
        try:
            at = self.resolver.deref(at)
        except MockserverError:
            return None  # reported by the ref check
        return Node(at.file, at.pointer, at.value) if isinstance(at.value, dict) else None

    def _swagger_response(self, node: Node) -> Iterator[Finding]:
        schema = node.value.get("schema")
        named = node.value.get("examples")
        if self.dialect is not Dialect.SWAGGER_2 or not isinstance(schema, dict):
            return
        if isinstance(named, dict):
            target = self._schema(node.source, node.at("schema"), schema)
            for mime, value in named.items():
                yield from self._check(
                    "MS104",
                    target,
                    node.source,
                    node.at("examples", str(mime)),
                    value,
                    f"{mime} example",
                )

    def _simple(self, node: Node) -> Iterator[Finding]:
        """Swagger 2.0 inline fields: default and x-example against the fields themselves."""
        fields = {k: node.value[k] for k in _SIMPLE_KEYS if k in node.value}
        if fields.get("type") == "file":
            fields["type"] = "string"
        schema = Schema(fields, self.dialect, None, node.source.path, node.pointer)
        for key, code in (("default", "MS105"), ("x-example", "MS104")):
            if key in node.value:
                yield from self._check(
                    code, schema, node.source, node.at(key), node.value[key], key
                )

    def _schema_values(self, node: Node) -> Iterator[Finding]:
        value = node.value
        if "$ref" in value and self.dialect is not Dialect.OPENAPI_3_1:
            return  # siblings of $ref are ignored in 2.0 and 3.0
        schema = self._schema(node.source, node.pointer, value)
        if "default" in value:
            yield from self._check(
                "MS105", schema, node.source, node.at("default"), value["default"], "default"
            )
        if "example" in value:
            yield from self._check(
                "MS104", schema, node.source, node.at("example"), value["example"], "example"
            )
        if self.dialect is Dialect.OPENAPI_3_1 and isinstance(value.get("examples"), list):
            for index, example in enumerate(value["examples"]):
                yield from self._check(
                    "MS104", schema, node.source, node.at("examples", index), example, "example"
                )

    def _schema(self, source: SourceFile, pointer: str, value: Any) -> Schema:
        return Schema(value, self.dialect, file_uri(source) + "#" + pointer, source.path, pointer)

    def _check(
        self, code: str, schema: Schema, source: SourceFile, pointer: str, value: Any, label: str
    ) -> Iterator[Finding]:
        validator = self._validator(schema)
        try:
            violations = list(validator.iter_violations(value))
        except Unresolvable:  # jsonschema wraps referencing's error, keeping its type
            return  # the schema's broken $ref is reported on its own
        for violation in violations:
            where = f" at {violation.pointer}" if violation.pointer else ""
            yield Finding.at(
                code,
                source,
                pointer + violation.pointer,
                f"{label} of the schema at {schema.pointer}{where}: {violation.message}",
            )

    def _validator(self, schema: Schema) -> SchemaValidator:
        key = schema.uri or repr(schema.value)
        if key not in self._validators:
            self._validators[key] = SchemaValidator(
                schema, self.registry, direction="any", single_use=True
            )
        return self._validators[key]


def _serialised_media(node: Node) -> bool:
    """Whether a media type object's examples may be serialised text: any but JSON."""
    media = media_type_of(split_pointer(node.pointer)[-1])
    return not (media in ("application/json", "*/*") or media.endswith("+json"))


def iter_example_object_issues(structure: Structure) -> Iterator[Finding]:
    """An Example object holds ``value`` or ``externalValue``, never both."""
    for node in structure.examples:
        if "value" in node.value and "externalValue" in node.value:
            yield Finding.at(
                "MS121",
                node.source,
                node.pointer,
                "the example has both value and externalValue; they are mutually exclusive",
                "keep one of them",
            )
