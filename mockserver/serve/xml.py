"""Values as XML, shaped by the schema's OpenAPI ``xml`` objects.

An operation that declares only ``application/xml`` (or ``text/xml``) gets XML: element
names from ``xml.name``, else the property name, else the schema component's name;
``xml.attribute`` properties as attributes; arrays wrapped in an element of their own only
when ``xml.wrapped`` says so; ``xml.prefix`` and ``xml.namespace`` kept.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.navigate import child, deref

DEFAULT_ROOT = "root"


def to_xml(
    value: Any, schema: Schema | None, registry: SchemaRegistry, default_root: str = DEFAULT_ROOT
) -> bytes:
    """``value`` as an XML document whose root is named as the schema says."""
    name = _name_of(schema, registry, default_root)
    elements = _elements(name, value, schema, registry)
    if isinstance(value, list) and not _xml(schema, registry).get("wrapped"):
        elements = [_wrap(name, elements)]  # a document has one root, whatever the array
    document: bytes = ET.tostring(elements[0], encoding="utf-8", xml_declaration=True)
    return document


def _name_of(schema: Schema | None, registry: SchemaRegistry, fallback: str) -> str:
    """``xml.name``, else the name of the component a ``$ref`` points at, else ``fallback``."""
    if schema is None:
        return fallback
    declared = _xml(schema, registry).get("name")
    if declared:
        return str(declared)
    ref = schema.value.get("$ref") if isinstance(schema.value, dict) else None
    if isinstance(ref, str) and "/" in ref:
        return ref.rsplit("/", 1)[-1]
    return fallback


def _xml(schema: Schema | None, registry: SchemaRegistry) -> dict[str, Any]:
    """The ``xml`` object of a schema (its own, else its ``$ref`` target's)."""
    if schema is None:
        return {}
    own = schema.value.get("xml") if isinstance(schema.value, dict) else None
    if isinstance(own, dict):
        return own
    target = deref(schema, registry).value
    found = target.get("xml") if isinstance(target, dict) else None
    return found if isinstance(found, dict) else {}


def _qualified(name: str, xml: dict[str, Any]) -> str:
    prefix = xml.get("prefix")
    return f"{prefix}:{name}" if prefix else name


def _elements(
    name: str, value: Any, schema: Schema | None, registry: SchemaRegistry
) -> list[ET.Element]:
    """The element(s) for ``value`` named ``name``: an unwrapped array gives several."""
    xml = _xml(schema, registry)
    tag = _qualified(str(xml.get("name") or name), xml)
    if isinstance(value, list):
        items = child(schema, registry, "0") if schema else None
        item_name = _name_of(items, registry, str(xml.get("name") or name))
        members = [e for v in value for e in _elements(item_name, v, items, registry)]
        return [_wrap(tag, members)] if xml.get("wrapped") else members
    element = ET.Element(tag)
    if xml.get("namespace"):
        attribute = f"xmlns:{xml['prefix']}" if xml.get("prefix") else "xmlns"
        element.set(attribute, str(xml["namespace"]))
    if isinstance(value, dict):
        for key, item in value.items():
            sub = child(schema, registry, key) if schema else None
            sub_xml = _xml(sub, registry)
            if sub_xml.get("attribute") and not isinstance(item, dict | list):
                element.set(_qualified(str(sub_xml.get("name") or key), sub_xml), _text(item))
            else:
                element.extend(_elements(key, item, sub, registry))
    elif value is not None:
        element.text = _text(value)
    return [element]


def _wrap(tag: str, members: list[ET.Element]) -> ET.Element:
    wrapper = ET.Element(tag)
    wrapper.extend(members)
    return wrapper


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_xml(media_type: str) -> bool:
    """Whether a media type is XML (``application/xml``, ``text/xml``, ``*+xml``)."""
    base = media_type.split(";", 1)[0].strip().lower()
    return base.endswith("/xml") or base.endswith("+xml")
