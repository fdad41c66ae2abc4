"""Path templates: their variables, and the pattern a request path is matched with."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

#: ``{name}`` in a path template; a name is anything but braces and slashes.
VARIABLE = re.compile(r"{([^{}/]*)}")
#: Stands for a ``/`` sent percent-encoded inside one segment (``%2F``) while a path is
#: matched, so that it stays inside its segment; put back in each variable's value.
ENCODED_SLASH = "\ue000"


def sent_path(key: str) -> str:
    """The part of a path key a request's path is matched with: ``/rest?method=x`` and
    ``/{Bucket}#tagging`` are ``/rest`` and ``/{Bucket}`` (keys that tell operations on
    one path apart by a query or header, which OpenAPI leaves to convention)."""
    return re.split(r"[?#]", key, maxsplit=1)[0]


@functools.lru_cache(maxsize=4096)
def key_conditions(key: str) -> tuple[str, ...]:
    """What a request must carry to be the operation a key names: each ``name`` or
    ``name=value`` after its ``?`` or ``#``, joined by ``&``; a templated value
    (``?filename={filename}``) asks only for the name."""
    rest = key[len(sent_path(key)) + 1 :]
    found = []
    for condition in re.split(r"[&?#]", rest):
        name, equals, value = condition.partition("=")
        if name:
            found.append(name if not equals or VARIABLE.fullmatch(value) else condition)
    return tuple(found)


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


def template_shape(template: str) -> str:
    """The template with each variable written ``{}``: templates that differ only in their
    variables' names have one shape, and match the same paths."""
    return VARIABLE.sub("{}", template)


def template_rank(template: str) -> list[tuple[int, int, str]]:
    """A sort key putting the more specific of two templates first: segment by segment, a
    literal segment before one mixing text and a variable (``{name}.json``), the one with
    more literal text first, and a bare variable last."""
    rank = []
    for segment in template.split("/"):
        literal = VARIABLE.sub("", segment)
        kind = 0 if literal == segment else (2 if not literal else 1)
        rank.append((kind, -len(literal), segment))
    return rank


def matchable_path(raw_path: bytes) -> str:
    """A request's raw path, percent-decoded segment by segment, an encoded ``/`` kept as
    :data:`ENCODED_SLASH` so it does not split its segment."""
    text = raw_path.split(b"?", 1)[0].decode("latin-1")
    text = text.replace("%2F", ENCODED_SLASH).replace("%2f", ENCODED_SLASH)
    return unquote(text, errors="replace")
