"""Which JSON Schema draft an OpenAPI 3.1 schema says it is written in.

OpenAPI 3.1 lets a document name the dialect of its schemas (``jsonSchemaDialect``) and
each root Schema Object name its own (``$schema``); OpenAPI 3.1 requires that it be used
to read that schema. A Draft 4 ``exclusiveMaximum: true`` is a flag beside ``maximum``,
where 2020-12 would read it as a bound: judging it as 2020-12 refuses what its author
allows. Drafts are recognised by the name in the URI, whatever its scheme or fragment
(``https://json-schema.org/draft-06/schema#`` is written as often as the official
``http://`` one). Draft 5 was never a dialect of its own (it changed only wording, and
kept Draft 4's meta-schema), so it reads as Draft 4. A URI naming no draft (2020-12 itself,
OpenAPI's own dialect, a custom one) keeps the document's default.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urldefrag

from jsonschema import (
    Draft3Validator,
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
)

from mockserver.spec.model import Dialect, Schema, SchemaRegistry
from mockserver.spec.navigate import deref

_DRAFT = re.compile(r"json-schema\.org/(?:draft-0(\d)|draft/(\d{4}-\d{2}))/schema\b")
_BY_NAME: dict[str, Any] = {
    "3": Draft3Validator,
    "4": Draft4Validator,
    "5": Draft4Validator,
    "6": Draft6Validator,
    "7": Draft7Validator,
    "2019-09": Draft201909Validator,
}


def named_draft(schema: Schema, registry: SchemaRegistry) -> Any | None:
    """The jsonschema validator class of the older draft a 3.1 schema names (its own
    ``$schema``, else its document's ``jsonSchemaDialect``); None for the default."""
    if schema.dialect is not Dialect.OPENAPI_3_1:
        return None
    value = deref(schema, registry).value
    named = value.get("$schema") if isinstance(value, dict) else None
    if not isinstance(named, str):
        named = _document_dialect(schema, registry)
    return _draft(named) if isinstance(named, str) else None


def _document_dialect(schema: Schema, registry: SchemaRegistry) -> Any:
    if schema.uri is None:
        return None
    try:
        document = registry.contents(urldefrag(schema.uri)[0])
    except LookupError:
        return None
    return document.get("jsonSchemaDialect") if isinstance(document, dict) else None


def _draft(uri: str) -> Any | None:
    found = _DRAFT.search(uri)
    if found is None:
        return None
    return _BY_NAME.get(found.group(1) or found.group(2))
