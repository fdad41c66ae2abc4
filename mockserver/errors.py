"""Every error mockserver raises on purpose, in one place.

    MockserverError           base: a message, and where and how to fix it
    ├── LoadError             a file cannot be read or parsed (missing, not UTF-8, bad YAML,
    │                         too deep, alias bomb)
    ├── SpecError             a document is not a usable OpenAPI 2.0/3.0/3.1 document
    ├── RefError              a $ref is unresolvable, remote, or outside the document's folder
    ├── DeclarationError      a fixture folder's behaviour declaration or dataset is broken
    └── UsageError            command-line options that cannot work together

Each carries a stable ``code`` (the rule codes of ``mockserver validate``), the file, the
JSON pointer and, when known, the line and column, so the CLI can print one precise line.

Every verb exits with one of three codes: 0 all is well, 1 it found problems (findings,
contract failures, breaking changes), 2 it could not run (a bad option, a missing file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK, EXIT_FOUND_PROBLEMS, EXIT_COULD_NOT_RUN = 0, 1, 2


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file: where an error points. It lives here,
    with the errors that carry it, so that this module imports nothing of mockserver's."""

    line: int
    column: int


class MockserverError(Exception):
    """Base class: ``str(error)`` is ``file:line:col: CODE message (at pointer)``."""

    default_code = "MS000"

    def __init__(
        self,
        file: Path | None,
        message: str,
        *,
        code: str | None = None,
        pointer: str = "",
        position: Position | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.file = file
        self.message = message
        self.code = code or self.default_code
        self.pointer = pointer
        self.position = position
        self.hint = hint

    def __str__(self) -> str:
        where = str(self.file) if self.file else "<input>"
        if self.position is not None:
            where += f":{self.position.line}:{self.position.column}"
        text = f"{where}: {self.code} {self.message}"
        if self.pointer:
            text += f" (at {self.pointer})"
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class LoadError(MockserverError):
    """A file cannot be read or parsed safely."""

    default_code = "MS002"


class SpecError(MockserverError):
    """A document is not a usable OpenAPI document."""

    default_code = "MS005"


class RefError(MockserverError):
    """A ``$ref`` cannot be followed."""

    default_code = "MS102"


class DeclarationError(MockserverError):
    """A behaviour declaration or dataset under ``fixtures/`` is broken."""

    default_code = "MS202"


class UsageError(MockserverError):
    """Command-line options that cannot work together."""

    default_code = "MS900"
