"""Turn a parsed OpenAPI 2.0/3.0/3.1 document into the frozen :mod:`model`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from mockserver.errors import SpecError
from mockserver.spec.media import media_matches, media_type_of
from mockserver.spec.model import (
    HTTP_METHODS,
    ApiDocument,
    Dialect,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Schema,
    SchemaRegistry,
    SecurityRequirement,
    SecurityScheme,
)
from mockserver.spec.pointer import join_pointer
from mockserver.spec.refs import Located, RefResolver, file_uri

#: Swagger 2.0 parameter keywords that are JSON Schema validation keywords.
_SWAGGER_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
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
_COLLECTION_STYLES = {
    "csv": ("form", False),
    "multi": ("form", True),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "tsv": ("tabDelimited", False),
}


def detect_dialect(data: Any, resolver: RefResolver) -> tuple[str, Dialect]:
    """The version string and dialect of a document, or a :class:`SpecError`."""
    path = resolver.root.path
    if not isinstance(data, dict):
        raise SpecError(
            path,
            "not an OpenAPI document: the top level is not a mapping",
            hint="an OpenAPI document starts with 'openapi: 3.1.0' or 'swagger: 2.0'",
        )
    version = data.get("openapi", data.get("swagger"))
    if version is None:
        raise SpecError(
            path,
            "not an OpenAPI document: no 'openapi' or 'swagger' field",
            hint="add 'openapi: 3.1.0' (or 3.0.3, or 'swagger: \"2.0\"') at the top",
        )
    dialect = Dialect.from_version(str(version))
    if dialect is None:
        key = "/openapi" if "openapi" in data else "/swagger"
        raise SpecError(
            path,
            f"unsupported version {version!r}",
            pointer=key,
            hint="mockserver reads Swagger 2.0 and OpenAPI 3.0.x and 3.1.x; "
            "quote the version so YAML keeps it a string",
        )
    return str(version), dialect


def build_document(name: str, resolver: RefResolver, registry: SchemaRegistry) -> ApiDocument:
    """The model of the document ``resolver`` was made for."""
    data = resolver.root.data
    version, dialect = detect_dialect(data, resolver)
    builder = _Builder(resolver, dialect)
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    return ApiDocument(
        name=name,
        path=resolver.root.path,
        version=version,
        dialect=dialect,
        title=str(info.get("title", name)),
        api_version=str(info.get("version", "")),
        base_path=builder.base_path(),
        operations=tuple(builder.operations()),
        security_schemes=builder.security_schemes(),
        raw=data,
        files=tuple(f.path for f in resolver.files),
        registry=registry,
    )


def build_outgoing(resolver: RefResolver) -> tuple[Operation, ...]:
    """The operations the API calls rather than serves: 3.1 ``webhooks`` (path
    ``/webhooks/NAME``) and every operation's ``callbacks`` (path ``OPPATH/callbacks/NAME``),
    for tools that compare them with the roles of client and server reversed."""
    data = resolver.root.data
    _, dialect = detect_dialect(data, resolver)
    builder = _Builder(resolver, dialect)
    webhooks = data.get("webhooks") if isinstance(data.get("webhooks"), dict) else {}
    items = [
        (f"/webhooks/{name}", item, join_pointer("/webhooks", name), resolver.root)
        for name, item in webhooks.items()
    ]
    for path, item in (data.get("paths") or {}).items():
        item_at = builder._deref(item, join_pointer("/paths", path))
        for method in HTTP_METHODS if isinstance(item_at.value, dict) else ():
            op = item_at.value.get(method)
            callbacks = op.get("callbacks") if isinstance(op, dict) else None
            for name, callback in (callbacks if isinstance(callbacks, dict) else {}).items():
                pointer = join_pointer(item_at.pointer, method, "callbacks", name)
                at = builder._deref(callback, pointer, item_at.file)
                for expression, target in (at.value if isinstance(at.value, dict) else {}).items():
                    where = join_pointer(at.pointer, expression)
                    items.append((f"{path}/callbacks/{name}", target, where, at.file))
    return tuple(builder.path_items(items))


_PARAMETER_LOCATIONS = frozenset({"path", "query", "header", "cookie"})


class _Builder:
    def __init__(self, resolver: RefResolver, dialect: Dialect) -> None:
        self.resolver = resolver
        self.dialect = dialect
        self.root = resolver.root
        self.data: dict[str, Any] = resolver.root.data
        self.swagger = dialect is Dialect.SWAGGER_2

    # -- document level ---------------------------------------------------------------

    def base_path(self) -> str:
        if self.swagger:
            return _canonical(str(self.data.get("basePath", "")))
        servers = self.data.get("servers") or []
        if not servers or not isinstance(servers[0], dict):
            return ""
        url = str(servers[0].get("url", ""))
        for var, spec in (servers[0].get("variables") or {}).items():
            url = url.replace("{" + var + "}", str(spec.get("default", "")))
        return _canonical(urlsplit(url).path)

    def security_schemes(self) -> dict[str, SecurityScheme]:
        if self.swagger:
            schemes = self.data.get("securityDefinitions") or {}
        else:
            schemes = (self.data.get("components") or {}).get("securitySchemes") or {}
        found = {}
        for name in schemes:
            value = self._deref(schemes[name], "/x").value  # pointer only used in errors
            found[name] = _security_scheme(name, value)
        return found

    def operations(self) -> Iterator[Operation]:
        paths = self.data.get("paths") or {}
        found = ((p, i, join_pointer("/paths", p), self.root) for p, i in paths.items())
        yield from self.path_items(found)

    def path_items(self, items: Iterable[tuple[str, Any, str, Any]]) -> Iterator[Operation]:
        """The operations of path items given as (path, item, pointer, file)."""
        for path, item, pointer, file in items:
            item_at = self._deref(item, pointer, file)
            if not isinstance(item_at.value, dict):
                continue
            shared = self._parameters(item_at.value.get("parameters"), item_at)
            for method in HTTP_METHODS:
                if isinstance(item_at.value.get(method), dict):
                    yield self._operation(path, method, item_at, shared)

    # -- operations -------------------------------------------------------------------

    def _operation(
        self, path: str, method: str, item: Located, shared: list[Parameter]
    ) -> Operation:
        op_at = _child(item, method)
        op = op_at.value
        own = self._parameters(op.get("parameters"), op_at)
        merged = {(p.location, p.name): p for p in [*shared, *own]}
        # Swagger 2.0 body and formData "parameters" become the request body, not parameters
        params = tuple(p for p in merged.values() if p.location in _PARAMETER_LOCATIONS)
        body = self._swagger_body(op_at, [*shared, *own]) if self.swagger else self._body(op_at)
        operation_id = op.get("operationId")
        return Operation(
            operation_id=str(operation_id or f"{method.upper()} {path}"),
            method=method,
            path=path,
            parameters=params,
            request_body=body,
            responses=tuple(self._responses(op_at)),
            security=self._security(op),
            pointer=op_at.pointer,
            summary=str(op.get("summary", "")),
            description=str(op.get("description", "")),
            tags=tuple(str(t) for t in op.get("tags") or ()),
            deprecated=bool(op.get("deprecated", False)),
            declared_operation_id=operation_id is not None,
        )

    def _security(self, op: dict[str, Any]) -> tuple[SecurityRequirement, ...]:
        requirements = op.get("security", self.data.get("security")) or []
        return tuple(
            tuple((str(name), tuple(str(s) for s in scopes or ())) for name, scopes in req.items())
            for req in requirements
            if isinstance(req, dict)
        )

    # -- parameters -------------------------------------------------------------------

    def _parameters(self, raw: Any, owner: Located) -> list[Parameter]:
        found = []
        for index, entry in enumerate(raw or []):
            located = self._deref(
                entry, join_pointer(owner.pointer, "parameters", index), owner.file
            )
            if isinstance(located.value, dict) and "name" in located.value:
                found.append(self._parameter(located))
        return found

    def _parameter(self, at: Located) -> Parameter:
        value = at.value
        location = str(value.get("in", "query"))
        if self.swagger:
            return self._swagger_parameter(at, location)
        style = str(value.get("style") or ("form" if location in ("query", "cookie") else "simple"))
        schema, media = self._schema(at, "schema"), None
        if "content" in value and isinstance(value["content"], dict) and value["content"]:
            media = next(iter(value["content"]))
            content_at = _child(_child(at, "content"), media)
            schema = self._schema(content_at, "schema")
        return Parameter(
            name=str(value["name"]),
            location=location,  # type: ignore[arg-type]
            required=bool(value.get("required", location == "path")),
            schema=schema,
            style=style,
            explode=bool(value.get("explode", style == "form")),
            pointer=at.pointer,
            allow_reserved=bool(value.get("allowReserved", False)),
            media_type=media,
            examples=tuple(self._examples(at)),
            deprecated=bool(value.get("deprecated", False)),
            description=str(value.get("description", "")),
        )

    def _swagger_parameter(self, at: Located, location: str) -> Parameter:
        value = at.value
        if location == "body":
            schema = self._schema(at, "schema")
            style, explode = "simple", False
        else:
            schema = self._synthetic(at, _swagger_schema(value))
            style, explode = _COLLECTION_STYLES.get(
                str(value.get("collectionFormat", "csv")), ("form", False)
            )
            if location in ("path", "header"):
                style = "simple"
        return Parameter(
            name=str(value["name"]),
            location=location,  # type: ignore[arg-type]
            required=bool(value.get("required", location == "path")),
            schema=schema,
            style=style,
            explode=explode,
            pointer=at.pointer,
            examples=tuple(self._examples(at)),
            description=str(value.get("description", "")),
        )

    # -- bodies -----------------------------------------------------------------------

    def _body(self, op_at: Located) -> RequestBody | None:
        if "requestBody" not in op_at.value:
            return None
        at = self._deref(op_at.value["requestBody"], op_at.pointer + "/requestBody", op_at.file)
        return RequestBody(
            required=bool(at.value.get("required", False)),
            content=tuple(self._content(at)),
            pointer=at.pointer,
        )

    def _swagger_body(self, op_at: Located, params: list[Parameter]) -> RequestBody | None:
        consumes = op_at.value.get("consumes", self.data.get("consumes")) or ["application/json"]
        body = next((p for p in params if p.location == "body"), None)  # type: ignore[comparison-overlap]
        if body is not None:
            content = tuple(MediaType(str(c), body.schema, body.examples) for c in consumes)
            return RequestBody(body.required, content, body.pointer)
        form = [p for p in params if p.location == "formData"]  # type: ignore[comparison-overlap]
        if not form:
            return None
        schema = self._synthetic(
            op_at,
            {
                "type": "object",
                "properties": {p.name: (p.schema.value if p.schema else {}) for p in form},
                "required": [p.name for p in form if p.required],
            },
        )
        form_types = [c for c in consumes if "form" in c] or ["application/x-www-form-urlencoded"]
        return RequestBody(
            any(p.required for p in form),
            tuple(MediaType(str(c), schema) for c in form_types),
            op_at.pointer,
        )

    def _content(self, at: Located) -> Iterator[MediaType]:
        content = at.value.get("content") or {}
        for name in content:
            media_at = _child(_child(at, "content"), name)
            if not isinstance(media_at.value, dict) or "/" not in str(name):
                continue  # "access" is no media type: nothing can be sent or read as it
            yield MediaType(
                name=str(name),
                schema=self._schema(media_at, "schema"),
                examples=tuple(self._examples(media_at)),
                encoding=media_at.value.get("encoding") or {},
            )

    # -- responses --------------------------------------------------------------------

    def _responses(self, op_at: Located) -> Iterator[Response]:
        responses = op_at.value.get("responses") or {}
        for status in responses:
            at = self._deref(
                responses[status], join_pointer(op_at.pointer, "responses", str(status)), op_at.file
            )
            if not isinstance(at.value, dict):
                continue
            content = self._swagger_content(at, op_at) if self.swagger else self._content(at)
            yield Response(
                status=str(status),
                description=str(at.value.get("description", "")),
                content=tuple(content),
                headers=tuple(self._headers(at)),
                pointer=at.pointer,
            )

    def _swagger_content(self, at: Located, op_at: Located) -> Iterator[MediaType]:
        """In 2.0 ``produces`` names the media types of every response, with a schema or
        without one (a response without a schema has no body to describe)."""
        produces = op_at.value.get("produces", self.data.get("produces"))
        if "schema" not in at.value and not produces:
            return
        produces = produces or ["application/json"]
        examples = at.value.get("examples") or {}
        schema = self._schema(at, "schema") if "schema" in at.value else None
        for name in produces:
            key = _example_key(str(name), examples)
            named = (
                [Example(key, examples[key], join_pointer(at.pointer, "examples", key))]
                if key is not None
                else []
            )
            yield MediaType(str(name), schema, tuple(named))

    def _headers(self, at: Located) -> Iterator[Header]:
        headers = at.value.get("headers") or {}
        for name in headers:
            header_at = self._deref(
                headers[name], join_pointer(at.pointer, "headers", name), at.file
            )
            value = header_at.value if isinstance(header_at.value, dict) else {}
            schema = (
                self._synthetic(header_at, _swagger_schema(value))
                if self.swagger
                else self._schema(header_at, "schema")
            )
            yield Header(str(name), bool(value.get("required", False)), schema, header_at.pointer)

    # -- schemas and examples ---------------------------------------------------------

    def _schema(self, owner: Located, key: str) -> Schema | None:
        if not isinstance(owner.value, dict) or key not in owner.value:
            return None
        at = _child(owner, key)
        return Schema(at.value, self.dialect, at.uri, at.file.path, at.pointer)

    def _synthetic(self, owner: Located, value: dict[str, Any]) -> Schema:
        base = file_uri(owner.file)
        return Schema(
            _absolute_refs(value, base), self.dialect, None, owner.file.path, owner.pointer
        )

    def _examples(self, at: Located) -> Iterator[Example]:
        value = at.value
        if "example" in value:
            yield Example("default", value["example"], at.pointer + "/example")
        if self.swagger and "x-example" in value:
            yield Example("default", value["x-example"], at.pointer + "/x-example")
        examples = value.get("examples")
        if not isinstance(examples, dict) or self.swagger:
            return
        for name in examples:
            ex_at = self._deref(examples[name], join_pointer(at.pointer, "examples", name), at.file)
            if isinstance(ex_at.value, dict) and "value" in ex_at.value:
                yield Example(
                    str(name),
                    ex_at.value["value"],
                    ex_at.pointer + "/value",
                    str(ex_at.value.get("summary", "")),
                )

    def _deref(self, value: Any, pointer: str, file: Any = None) -> Located:
        return self.resolver.deref(Located(value, file or self.root, pointer))


def _child(at: Located, key: str | int) -> Located:
    return Located(at.value[key], at.file, join_pointer(at.pointer, key))


def _canonical(path: str) -> str:
    return path.rstrip("/")


def _swagger_schema(value: dict[str, Any]) -> dict[str, Any]:
    schema = {k: value[k] for k in _SWAGGER_SCHEMA_KEYS if k in value}
    if value.get("type") == "file":
        schema["type"] = "string"
        schema["format"] = "binary"
    if value.get("allowEmptyValue") is False and schema.get("type") == "string":
        # a query or form value the document says may not be empty: written as a schema
        schema["minLength"] = max(int(schema.get("minLength", 0)), 1)
    return schema


def _security_scheme(name: str, value: dict[str, Any]) -> SecurityScheme:
    kind = str(value.get("type", ""))
    if kind == "basic":  # Swagger 2.0 spelling
        return SecurityScheme(name, "http", scheme="basic")
    return SecurityScheme(
        name=name,
        type=kind,
        scheme=str(value.get("scheme", "")).lower(),
        location=str(value.get("in", "")),
        parameter_name=str(value.get("name", "")),
        description=str(value.get("description", "")),
    )


def _absolute_refs(value: Any, base: str) -> Any:
    """A copy of ``value`` whose local ``$ref``\\ s name ``base`` explicitly."""
    if isinstance(value, dict):
        return {
            k: (
                base + v
                if k == "$ref" and isinstance(v, str) and v.startswith("#")
                else _absolute_refs(v, base)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_absolute_refs(v, base) for v in value]
    return value


def iter_schemas(document: ApiDocument) -> Iterable[tuple[str, Schema]]:
    """Every schema the operations use directly, labelled for messages."""
    for op in document.operations:
        for param in op.parameters:
            if param.schema is not None:
                yield f"{op.key} parameter {param.name}", param.schema
        if op.request_body is not None:
            for media in op.request_body.content:
                if media.schema is not None:
                    yield f"{op.key} request {media.name}", media.schema
        for response in op.responses:
            for media in response.content:
                if media.schema is not None:
                    yield f"{op.key} {response.status} {media.name}", media.schema


def _example_key(produced: str, examples: dict[str, Any]) -> str | None:
    """The 2.0 ``examples`` key for the produced media type: the type itself, else the same
    type with other parameters, else a range that covers it (``*/*``, ``text/*``), as
    authors write them; the most specific wins."""
    if produced in examples:
        return produced
    essence = media_type_of(produced)
    keys = [str(key) for key in examples]
    same = [key for key in keys if media_type_of(key) == essence]
    ranges = [key for key in keys if "*" in key and media_matches(media_type_of(key), essence)]
    ranges.sort(key=lambda key: media_type_of(key).count("*"))
    found = same or ranges
    return found[0] if found else None
