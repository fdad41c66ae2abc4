"""Checks on Server objects: every ``{variable}`` declared, used, and given a valid default."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mockserver.report.findings import Finding
from mockserver.spec.model import Dialect
from mockserver.validate.structure import Node, Structure

_VARIABLE = re.compile(r"{([^{}]+)}")


def iter_server_issues(structure: Structure) -> Iterator[Finding]:
    """Every problem with every server, wherever it is declared."""
    for server in structure.servers:
        url = server.value.get("url")
        variables = server.value.get("variables")
        variables = variables if isinstance(variables, dict) else {}
        used = _VARIABLE.findall(url) if isinstance(url, str) else []
        for name in used:
            if name not in variables:
                yield Finding.at(
                    "MS112",
                    server.source,
                    server.at("url"),
                    f"the server URL names {{{name}}}, which is not among its variables",
                    f"declare variables: {{{name}: {{default: ...}}}}",
                )
        for name, variable in variables.items():
            if isinstance(url, str) and name not in used:
                yield Finding.at(
                    "MS113",
                    server.source,
                    server.at("variables", str(name)),
                    f"server variable {name!r} is not used in the URL {url!r}",
                    f"use {{{name}}} in the URL, or remove the variable",
                )
            if isinstance(variable, dict):
                yield from _variable_values(server, str(name), variable, structure.dialect)


def _variable_values(
    server: Node, name: str, variable: dict[str, object], dialect: Dialect
) -> Iterator[Finding]:
    enum = variable.get("enum")
    if not isinstance(enum, list):
        return
    if not enum:
        if dialect is Dialect.OPENAPI_3_0:  # 3.1's meta-schema reports it itself
            yield Finding.at(
                "MS111",
                server.source,
                server.at("variables", name, "enum"),
                f"server variable {name!r} has an empty enum: no value is allowed",
                "list the allowed values, or remove enum",
            )
        return
    if "default" in variable and variable["default"] not in enum:
        yield Finding.at(
            "MS111",
            server.source,
            server.at("variables", name, "default"),
            f"the default {variable['default']!r} of server variable {name!r} is not one of "
            f"its enum values {enum}",
            "make the default one of the enum values",
        )
