"""The ``set:`` template language of behaviour declarations.

A declaration's ``set`` maps JSON pointers in the answer to templates: literals, or
``$page.total``, ``$sort.field``, ``$request.query.limit``, ``$job.id``, ``$count.total``
(``$$`` escapes a literal dollar). A template whose value is unknown is left out of the
answer (:data:`OMIT`), so optional fields stay absent rather than null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.data.filters import RequestValues
from mockserver.spec.pointer import split_pointer
from mockserver.spec.sentinel import NOT_SENT

#: The value of a template that has none: the field is left out.
OMIT: Any = object()


@dataclass(frozen=True)
class Facts:
    """What the templates of one answer may read."""

    request: RequestValues
    page: Mapping[str, Any] = field(default_factory=dict)
    sort: tuple[str, str] = ("", "")
    job: Mapping[str, Any] = field(default_factory=dict)
    count: Mapping[str, Any] = field(default_factory=dict)


def evaluate(template: Any, facts: Facts) -> Any:
    """The template's value, or :data:`OMIT`."""
    if isinstance(template, dict):
        values = {k: evaluate(v, facts) for k, v in template.items()}
        return OMIT if OMIT in values.values() else values
    if not isinstance(template, str) or not template.startswith("$"):
        return template
    if template.startswith("$$"):
        return template[1:]
    return _expression(template[1:], facts)


def apply(settings: Mapping[str, Any], body: Any, facts: Facts) -> Any:
    """``body`` with each pointer of ``settings`` set to its template's value."""
    for pointer, template in settings.items():
        value = evaluate(template, facts)
        if value is not OMIT:
            put(body, pointer, value)
    return body


def put(body: dict[str, Any], pointer: str, value: Any) -> None:
    """Set ``value`` at ``pointer``, creating objects along the way."""
    tokens = split_pointer(pointer)
    node = body
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
    node[tokens[-1]] = value


def _expression(name: str, facts: Facts) -> Any:
    head, _, rest = name.partition(".")
    if head == "sort":
        return facts.sort[0] if rest == "field" else facts.sort[1]
    if head == "request":
        location, _, param = rest.partition(".")
        value = facts.request.value(param, location)
        return OMIT if value is NOT_SENT else value
    known = {"page": facts.page, "job": facts.job, "count": facts.count}.get(head, {})
    value = known.get(rest)
    return OMIT if value is None else value
