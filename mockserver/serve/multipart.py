"""Read a ``multipart/form-data`` body into the fields its schema describes.

Each part (RFC 7578) is read as the media type it is in: its own ``Content-Type``, else
the one the operation's Encoding Object gives the property, else OpenAPI's default for
the property's type: ``application/json`` for an object (and for each item of an array of
objects), text for the rest. So ``object={}`` sent without a part ``Content-Type`` is the
empty object its schema asks for, not the two-character string ``"{}"``. A part that is
not the JSON its type says stays text, and the schema check names it.
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import json
from collections.abc import Mapping
from typing import Any

from mockserver.serve.problems import invalid
from mockserver.spec.media import media_type_of
from mockserver.spec.params import ParameterShape


def read_multipart(
    data: bytes,
    content_type: str,
    shape: ParameterShape | None = None,
    encoding: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The body's fields by name (a repeated name is a list), JSON parts decoded."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    if not message.is_multipart():
        if data.strip().startswith(b"--") and data.strip().endswith(b"--"):
            return {}  # a multipart body with no parts: no fields
        raise invalid("body", "", "the multipart body cannot be read", "malformed")
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        media = _part_media(part, str(name), shape, encoding or {})
        pairs.append((str(name), _part_value(part, media)))
    return fields_of(pairs)


def fields_of(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Form fields by name: a name sent more than once holds the list of its values."""
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if key in fields:
            existing = fields[key]
            fields[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            fields[key] = value
    return fields


def _part_media(
    part: email.message.Message,
    name: str,
    shape: ParameterShape | None,
    encoding: Mapping[str, Any],
) -> str:
    """The media type a part is read as (see the module's docstring)."""
    own = part.get("content-type")
    if own:
        return media_type_of(str(own))
    declared = encoding.get(name)
    if isinstance(declared, dict) and isinstance(declared.get("contentType"), str):
        return media_type_of(declared["contentType"].split(",")[0])
    if shape is None or name not in shape.properties:
        return "text/plain"
    types = shape.properties[name]
    if "array" in types:
        types = shape.leaf_types((name, "0"))
    return "application/json" if types == frozenset({"object"}) else "text/plain"


def _part_value(part: email.message.Message, media: str) -> Any:
    payload = part.get_payload(decode=True)
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if "json" not in media:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text  # not the JSON it should be: the schema check names it
