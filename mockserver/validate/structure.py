"""Every OpenAPI object of a document, found by its place in the structure.

Objects are reached the way the specification nests them (paths, operations, callbacks,
webhooks, components, encodings...), never by guessing from key names: a property called
``schema`` or ``nullable`` is a property, not a keyword. ``$ref``\\ s between OpenAPI
objects are followed, each target is visited once, and a ref that points at nothing is
simply not followed: reporting it is another check's job, and every other check still runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag

from mockserver.errors import MockserverError
from mockserver.spec.model import HTTP_METHODS, Dialect
from mockserver.spec.pointer import join_pointer
from mockserver.spec.refs import Located, RefResolver
from mockserver.spec.schema_walk import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED
from mockserver.spec.source import SourceFile

#: Keywords whose value is one schema, a list of schemas, or a map of named schemas.
_ONE = tuple(sorted(SCHEMA_VALUED))  # one schema each, as spec.schema_walk lists them
_MANY, _MAPS = SCHEMA_LISTS, SCHEMA_MAPS


@dataclass(frozen=True)
class Node:
    """One OpenAPI object (a mapping) and where it is written."""

    source: SourceFile
    pointer: str
    value: dict[str, Any]

    def at(self, *tokens: str | int) -> str:
        """The pointer of a field of this object."""
        return join_pointer(self.pointer, *tokens)

    def child(self, key: str) -> Located | None:
        """The field ``key`` as a located value, when present."""
        if key not in self.value:
            return None
        return Located(self.value[key], self.source, self.at(key))

    def children(self, key: str) -> Iterator[tuple[str, Located]]:
        """The entries of a map field, each located."""
        mapping = self.value.get(key)
        if isinstance(mapping, dict):
            for name, value in mapping.items():
                yield str(name), Located(value, self.source, self.at(key, str(name)))


@dataclass(frozen=True)
class OperationNode(Node):
    """An operation, with the path template it serves (empty for webhooks and callbacks)."""

    template: str = ""
    method: str = ""
    shared: tuple[Node, ...] = ()  # the path item's parameters
    own: tuple[Node, ...] = ()  # the operation's own parameters

    @property
    def key(self) -> str:
        """``GET /pets/{id}``: how messages name an operation."""
        return f"{self.method.upper()} {self.template or self.pointer}"


@dataclass
class Structure:
    """What a document holds, by kind of object."""

    dialect: Dialect
    root: SourceFile
    path_items: list[tuple[str, Node]] = field(default_factory=list)  # (template, item)
    operations: list[OperationNode] = field(default_factory=list)
    parameter_lists: list[tuple[Node, ...]] = field(default_factory=list)
    parameters: list[Node] = field(default_factory=list)
    headers: list[Node] = field(default_factory=list)
    media_types: list[Node] = field(default_factory=list)
    responses: list[Node] = field(default_factory=list)
    examples: list[Node] = field(default_factory=list)
    links: list[Node] = field(default_factory=list)
    servers: list[Node] = field(default_factory=list)
    schemas: list[Located] = field(default_factory=list)  # outermost schemas
    simple_schemas: list[Node] = field(default_factory=list)  # Swagger 2.0 non-body fields

    schema_nodes: list[Node] = field(default_factory=list)  # every schema, nested ones too


class _Walker:
    def __init__(self, resolver: RefResolver, dialect: Dialect) -> None:
        self.resolver = resolver
        self.swagger = dialect is Dialect.SWAGGER_2
        self.found = Structure(dialect, resolver.root)
        self._seen: set[tuple[str, str, str]] = set()
        self._schemas: set[tuple[str, str]] = set()

    # -- plumbing -----------------------------------------------------------------------

    def _node(self, kind: str, at: Located) -> Node | None:
        """The object at ``at`` with refs followed; None if broken or already visited."""
        try:
            at = self.resolver.deref(at)
        except MockserverError:
            return None  # reported by the ref check
        if not isinstance(at.value, dict):
            return None
        key = (kind, str(at.file.path), at.pointer)
        if key in self._seen:
            return None
        self._seen.add(key)
        return Node(at.file, at.pointer, at.value)

    def _deref(self, at: Located) -> Node | None:
        """The object at ``at`` with refs followed, visited or not (for lists of parameters)."""
        try:
            at = self.resolver.deref(at)
        except MockserverError:
            return None
        return Node(at.file, at.pointer, at.value) if isinstance(at.value, dict) else None

    def _each(self, owner: Node, key: str) -> Iterator[Located]:
        for _, located in owner.children(key):
            yield located

    def schema(self, at: Located | None) -> None:
        if at is None or not isinstance(at.value, dict | bool):
            return
        key = (str(at.file.path), at.pointer)
        if key not in self._schemas:
            self._schemas.add(key)
            self.found.schemas.append(at)

    # -- the document ---------------------------------------------------------------------

    def document(self) -> Structure:
        root = Node(self.resolver.root, "", self.resolver.root.data)
        self._servers(root)
        for template, item in root.children("paths"):
            self.path_item(item, template)
        for _, item in root.children("webhooks"):
            self.path_item(item, "")
        if self.swagger:
            self._swagger_components(root)
        else:
            self._components(root)
        self._schema_nodes()
        return self.found

    def _components(self, root: Node) -> None:
        components = root.value.get("components")
        if not isinstance(components, dict):
            return
        holder = Node(root.source, "/components", components)
        visit = {
            "responses": self.response,
            "parameters": self.parameter,
            "examples": self.example,
            "requestBodies": self.request_body,
            "headers": self.header,
            "links": self.link,
            "callbacks": self.callback,
        }
        for _, at in holder.children("schemas"):
            self.schema(at)
        for kind, method in visit.items():
            for at in self._each(holder, kind):
                method(at)
        for _, at in holder.children("pathItems"):
            self.path_item(at, "")

    def _swagger_components(self, root: Node) -> None:
        for _, at in root.children("definitions"):
            self.schema(at)
        for at in self._each(root, "parameters"):
            self.parameter(at)
        for at in self._each(root, "responses"):
            self.response(at)

    def _schema_nodes(self) -> None:
        """Every schema, nested ones included, each once; schemas in other files that these
        refer to are schemas too."""
        seen: set[tuple[str, str]] = set()
        index = 0
        while index < len(self.found.schemas):
            root = self.found.schemas[index]
            index += 1
            for pointer, value in iter_subschema_values(root.value, root.pointer):
                key = (str(root.file.path), pointer)
                if key in seen:
                    continue
                seen.add(key)
                self.found.schema_nodes.append(Node(root.file, pointer, value))
                ref = value.get("$ref")
                if isinstance(ref, str) and not ref.startswith("#"):
                    self._external_schema(ref, root.file, pointer)

    def _external_schema(self, ref: str, source: SourceFile, pointer: str) -> None:
        if urldefrag(ref)[0] in self.resolver.schema_ids:
            return
        try:
            self.schema(self.resolver.locate(ref, source, pointer + "/$ref"))
        except MockserverError:
            return  # reported by the ref check

    def _servers(self, owner: Node) -> None:
        servers = owner.value.get("servers")
        if isinstance(servers, list):
            for index, server in enumerate(servers):
                if isinstance(server, dict):
                    self.found.servers.append(
                        Node(owner.source, owner.at("servers", index), server)
                    )

    # -- paths and operations ---------------------------------------------------------------

    def path_item(self, at: Located, template: str) -> None:
        item = self._node("path-item", at)
        if item is None:
            return
        if template:
            self.found.path_items.append((template, item))
        self._servers(item)
        shared = self._parameter_list(item)
        for method in HTTP_METHODS:
            if isinstance(item.value.get(method), dict):
                self.operation(item, method, template, shared)

    def _parameter_list(self, owner: Node) -> tuple[Node, ...]:
        entries = owner.value.get("parameters")
        if not isinstance(entries, list):
            return ()
        found = []
        for index, entry in enumerate(entries):
            located = Located(entry, owner.source, owner.at("parameters", index))
            self.parameter(located)
            node = self._deref(located)
            if node is not None:
                found.append(node)
        self.found.parameter_lists.append(tuple(found))
        return tuple(found)

    def operation(self, item: Node, method: str, template: str, shared: tuple[Node, ...]) -> None:
        pointer = item.at(method)
        value = item.value[method]
        plain = Node(item.source, pointer, value)
        own = self._parameter_list(plain)
        self.found.operations.append(
            OperationNode(item.source, pointer, value, template, method, shared, own)
        )
        self._servers(plain)
        body = plain.child("requestBody")
        if body is not None:
            self.request_body(body)
        for at in self._each(plain, "responses"):
            self.response(at)
        for at in self._each(plain, "callbacks"):
            self.callback(at)

    def callback(self, at: Located) -> None:
        node = self._node("callback", at)
        if node is None:
            return
        for expression, value in node.value.items():
            if not str(expression).startswith("x-"):
                self.path_item(Located(value, node.source, node.at(str(expression))), "")

    # -- the objects that hold values and schemas --------------------------------------------

    def parameter(self, at: Located) -> None:
        node = self._node("parameter", at)
        if node is None:
            return
        self.found.parameters.append(node)
        if self.swagger and node.value.get("in") != "body":
            self._simple(node)
            return
        self._schema_holder(node)

    def header(self, at: Located) -> None:
        node = self._node("header", at)
        if node is None:
            return
        self.found.headers.append(node)
        if self.swagger:
            self._simple(node)
        else:
            self._schema_holder(node)

    def _schema_holder(self, node: Node) -> None:
        """Parameters, headers and media types: a schema, examples, and maybe content."""
        self.schema(node.child("schema"))
        for at in self._each(node, "content"):
            self.media_type(at)
        if not self.swagger:
            for at in self._each(node, "examples"):
                self.example(at)

    def _simple(self, node: Node) -> None:
        """A Swagger 2.0 non-body parameter or header: schema keywords written inline."""
        current: Node | None = node
        while current is not None:
            self.found.simple_schemas.append(current)
            items = current.value.get("items")
            current = (
                Node(current.source, current.at("items"), items)
                if isinstance(items, dict)
                else None
            )

    def request_body(self, at: Located) -> None:
        node = self._node("request-body", at)
        if node is not None:
            for media in self._each(node, "content"):
                self.media_type(media)

    def response(self, at: Located) -> None:
        node = self._node("response", at)
        if node is None:
            return
        self.found.responses.append(node)
        for header in self._each(node, "headers"):
            self.header(header)
        if self.swagger:
            self.schema(node.child("schema"))
            return
        for media in self._each(node, "content"):
            self.media_type(media)
        for link in self._each(node, "links"):
            self.link(link)

    def media_type(self, at: Located) -> None:
        node = self._node("media-type", at)
        if node is None:
            return
        self.found.media_types.append(node)
        self._schema_holder(node)
        for _, encoding in node.children("encoding"):
            if isinstance(encoding.value, dict):
                holder = Node(encoding.file, encoding.pointer, encoding.value)
                for header in self._each(holder, "headers"):
                    self.header(header)

    def example(self, at: Located) -> None:
        node = self._node("example", at)
        if node is not None:
            self.found.examples.append(node)

    def link(self, at: Located) -> None:
        node = self._node("link", at)
        if node is not None:
            self.found.links.append(node)


def iter_subschema_values(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, schema) for ``schema`` and every schema nested in it, by keyword."""
    stack: list[tuple[str, Any]] = [(pointer, schema)]
    while stack:
        here, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield here, node
        for key in _ONE:
            if isinstance(node.get(key), dict):
                stack.append((here + "/" + key, node[key]))
        for key in _MANY:
            if isinstance(node.get(key), list):
                stack.extend((f"{here}/{key}/{i}", v) for i, v in enumerate(node[key]))
        for key in _MAPS:
            if isinstance(node.get(key), dict):
                stack.extend((join_pointer(here, key, name), v) for name, v in node[key].items())


def from_resolver(resolver: RefResolver, dialect: Dialect) -> Structure:
    """The structure of the document ``resolver`` was made for (and the files it refers to)."""
    return _Walker(resolver, dialect).document()
