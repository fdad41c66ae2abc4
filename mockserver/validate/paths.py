"""Checks on path templates, the parameters operations declare, and their responses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mockserver.report.findings import Finding
from mockserver.spec.model import Dialect
from mockserver.spec.pointer import join_pointer
from mockserver.validate.structure import Node, OperationNode, Structure

_TEMPLATE_VARIABLE = re.compile(r"{([^{}]*)}")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def iter_path_key_issues(structure: Structure) -> Iterator[Finding]:
    """Path keys with a query string or an empty ``{}``, and paths that match alike."""
    first: dict[str, str] = {}
    for template, _item in structure.path_items:
        pointer = join_pointer("/paths", template)
        if "?" in template:
            yield Finding.at(
                "MS123",
                structure.root,
                pointer,
                f"path {template!r} contains a query string",
                "declare query parameters with 'in: query' instead",
            )
        if "" in _TEMPLATE_VARIABLE.findall(template):
            yield Finding.at(
                "MS123",
                structure.root,
                pointer,
                f"path {template!r} has an empty variable {{}}",
                "name the variable, e.g. {id}, and declare it as a path parameter",
            )
        shape = _TEMPLATE_VARIABLE.sub("{}", template.rstrip("/"))
        if shape in first:
            yield Finding.at(
                "MS122",
                structure.root,
                pointer,
                f"path {template!r} matches the same requests as {first[shape]!r}",
                "merge the two paths, or make their fixed segments differ",
            )
        else:
            first[shape] = template


def iter_path_parameter_issues(structure: Structure) -> Iterator[Finding]:
    """Template variables and ``in: path`` parameters must match one to one."""
    for op in structure.operations:
        if not op.template:
            continue
        variables = [v for v in _TEMPLATE_VARIABLE.findall(op.template) if v]
        declared = {_name(p): p for p in _merged(op) if p.value.get("in") == "path"}
        for name in variables:
            if name not in declared:
                yield Finding.at(
                    "MS106",
                    op.source,
                    op.pointer,
                    f"{op.key}: path variable {{{name}}} is not declared",
                    f"add a parameter with name: {name}, in: path, required: true",
                )
        for name, param in declared.items():
            if name not in variables:
                yield Finding.at(
                    "MS107",
                    param.source,
                    param.pointer,
                    f"{op.key}: path parameter {name!r} is not in the template",
                )


def iter_duplicate_parameter_issues(structure: Structure) -> Iterator[Finding]:
    """The same name and location twice in one list (header names ignore case)."""
    for parameters in structure.parameter_lists:
        first: dict[tuple[str, str], Node] = {}
        for param in parameters:
            location = str(param.value.get("in", ""))
            name = _name(param)
            key = (location, name.lower() if location == "header" else name)
            if key in first:
                yield Finding.at(
                    "MS110",
                    param.source,
                    param.pointer,
                    f"the {location} parameter {name!r} is declared twice "
                    f"(first at {first[key].pointer})",
                    "remove one of them; an operation overrides a path's parameter by "
                    "declaring it once in its own list",
                )
            else:
                first[key] = param


def iter_form_data_issues(structure: Structure) -> Iterator[Finding]:
    """Swagger 2.0 ``formData`` parameters need an operation that consumes a form."""
    if structure.dialect is not Dialect.SWAGGER_2:
        return
    default = structure.root.data.get("consumes")
    for op in structure.operations:
        consumes = op.value.get("consumes", default)
        if isinstance(consumes, list) and not any(c in _FORM_TYPES for c in consumes):
            for param in _merged(op):
                if param.value.get("in") == "formData":
                    yield Finding.at(
                        "MS128",
                        param.source,
                        param.pointer,
                        f"{op.key}: formData parameter {_name(param)!r}, but the operation "
                        f"consumes only {', '.join(map(str, consumes))}",
                        "add multipart/form-data or application/x-www-form-urlencoded to consumes",
                    )
                    break


def _merged(op: OperationNode) -> list[Node]:
    """The path item's parameters overridden by the operation's own."""
    merged = {(str(p.value.get("in")), _name(p)): p for p in [*op.shared, *op.own]}
    return list(merged.values())


def _name(param: Node) -> str:
    return str(param.value.get("name", ""))


#: Statuses HTTP sends without content (RFC 9110 15.3.5 and 15.4.5).
_NO_CONTENT = ("204", "304")


def iter_no_content_issues(structure: Structure) -> Iterator[Finding]:
    """A 204 or 304 that declares content: HTTP forbids it, so no server can send it."""
    for op in structure.operations:
        responses = op.value.get("responses")
        if not isinstance(responses, dict):
            continue
        for status in _NO_CONTENT:
            response = responses.get(status)
            if isinstance(response, dict) and (response.get("content") or response.get("schema")):
                field = "content" if response.get("content") else "schema"
                yield Finding.at(
                    "MS131",
                    op.source,
                    op.at("responses", status, field),
                    f"{op.key}: a {status} response declares a body, which HTTP forbids; "
                    "the mock (and any server) sends none",
                    f"answer with 200 to send a body, or drop the {field} of the {status}",
                )


def iter_refusal_status_issues(structure: Structure) -> Iterator[Finding]:
    """An operation that can refuse a request but declares no status to refuse it with (a
    warning: the mock still refuses, with an undeclared 4xx; see serve/statuses.py)."""
    for op in structure.operations:
        responses = op.value.get("responses")
        if not op.template or not isinstance(responses, dict) or _declares_refusal(responses):
            continue  # webhooks and callbacks are the client's to answer, not the mock's
        reasons = _refusal_reasons(op, structure)
        if reasons:
            yield Finding.at(
                "MS134",
                op.source,
                op.at("responses"),
                f"{op.key} can refuse requests ({', '.join(reasons)}) but declares no 4xx "
                "response and no default; the mock refuses with an undeclared 4xx",
                "declare the refusals it answers, e.g. '400': {description: Bad request}"
                + (" and '401'" if "security" in reasons else "")
                + ", or a 4XX range or a default response",
            )  # a warning: the rule's own severity


def _declares_refusal(responses: dict[object, object]) -> bool:
    keys = [str(key).upper() for key in responses]
    return any(key.startswith("4") or key == "DEFAULT" for key in keys)


def _refusal_reasons(op: OperationNode, structure: Structure) -> list[str]:
    """What lets ``op`` refuse a request: parameters, a body, security."""
    params = _merged(op)
    reasons = []
    if any(p.value.get("in") not in ("body", "formData") for p in params):
        reasons.append("parameters")
    if op.value.get("requestBody") or any(
        p.value.get("in") in ("body", "formData") for p in params
    ):
        reasons.append("a body")
    security = op.value.get("security", structure.root.data.get("security"))
    if isinstance(security, list) and security and all(security):  # [] or {} means open
        reasons.append("security")
    return reasons
