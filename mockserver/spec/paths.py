"""Path templates: their variables, and the pattern a request path is matched with."""

from __future__ import annotations

import re

#: ``{name}`` in a path template; a name is anything but braces and slashes.
VARIABLE = re.compile(r"{([^{}/]+)}")


def template_variables(template: str) -> tuple[str, ...]:
    """The variable names of ``/things/{thing-id}/parts/{part}``, in order."""
    return tuple(VARIABLE.findall(template))


def template_pattern(template: str) -> re.Pattern[str]:
    """A pattern whose ``fullmatch`` captures each variable's value from a request path.

    A value is one or more characters other than ``/``; newlines and other control
    characters are values like any other (``DOTALL``, and ``fullmatch`` rather than ``$``).
    """
    regex = "".join(
        "([^/]+)" if index % 2 else re.escape(part)
        for index, part in enumerate(VARIABLE.split(template))
    )
    return re.compile(regex, re.DOTALL)


def last_variable(template: str) -> str | None:
    """The variable a template ends with (``/things/{id}`` -> ``id``), if it ends with one."""
    found = VARIABLE.findall(template)
    return found[-1] if found and template.endswith("{" + found[-1] + "}") else None
