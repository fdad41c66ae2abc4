"""One finding record for every verb, with its severity, and the rules that name findings.

Codes never change meaning once released: CI configurations and SARIF dashboards key on
them. ``MS0xx`` means a file could not be checked at all (exit code 2); any other code is
a problem found in a file that was read. Each verb owns its rules and registers them in a
:class:`Registry` it builds itself: no module adds to another's table at import time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mockserver.errors import MockserverError

if TYPE_CHECKING:  # importing the spec package at run time costs `--help` a second
    from mockserver.spec.source import SourceFile

Severity = Literal["error", "warning", "info"]
#: Severities from the least to the most severe.
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")


def at_least(severity: Severity, level: Severity) -> bool:
    """Whether ``severity`` is ``level`` or more severe."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(level)


@dataclass(frozen=True)
class Rule:
    """A kind of problem: stable code, short name, the usual way to fix it, and how
    severe its findings are unless a configuration says otherwise."""

    code: str
    name: str
    summary: str
    hint: str
    severity: Severity = "error"


class Registry:
    """The rules a run may report, by code; a verb fills its own explicitly."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        self.register(*rules)

    def register(self, *rules: Rule) -> None:
        """Add ``rules``; a code already taken by another rule is a programming error."""
        for rule in rules:
            if self._rules.get(rule.code, rule) != rule:
                raise ValueError(f"rule code {rule.code} is already taken")
            self._rules[rule.code] = rule

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def graded(self, finding: Finding) -> Finding:
        """``finding`` at its rule's default severity."""
        severity = self[finding.code].severity
        return finding if finding.severity == severity else replace(finding, severity=severity)

    def fix(self, finding: Finding) -> str:
        """The finding's own hint if it has one, else its rule's general advice."""
        return finding.hint or self[finding.code].hint


#: What loading a document can fail with, whichever verb loads it (raised by the spec
#: layer with these codes): every verb's registry starts with them.
LOADING_RULES: tuple[Rule, ...] = (
    Rule(
        "MS001",
        "unreadable-file",
        "The file cannot be read.",
        "check the path and the file's permissions",
    ),
    Rule(
        "MS002",
        "syntax-error",
        "The file is not valid YAML or JSON.",
        "fix the syntax at the position shown",
    ),
    Rule(
        "MS003",
        "too-deep",
        "The document nests deeper than mockserver accepts.",
        "flatten the structure or move nested schemas into components",
    ),
    Rule(
        "MS004",
        "alias-expansion",
        "YAML aliases expand to an absurd size.",
        "write the values out instead of nesting aliases",
    ),
    Rule(
        "MS005",
        "not-openapi",
        "The file is not an OpenAPI 2.0, 3.0 or 3.1 document.",
        "start the document with 'openapi: 3.1.0', 'openapi: 3.0.3' or 'swagger: \"2.0\"'",
    ),
    Rule(
        "MS006",
        "internal-error",
        "mockserver failed while checking the file: a bug in mockserver, not the file.",
        "report it with the file; the other files' findings are still listed",
    ),
    Rule(
        "MS102",
        "unresolved-ref",
        "A $ref points at nothing.",
        "check the file name and every segment of the pointer",
    ),
    Rule(
        "MS103",
        "forbidden-ref",
        "A $ref is remote or leaves the folder refs may reach.",
        "copy the referenced file next to the document and use a relative path",
    ),
)


@dataclass(frozen=True)
class Finding:
    """One problem at one place, and how severe it is."""

    code: str
    file: Path
    pointer: str
    message: str
    line: int = 1
    column: int = 1
    hint: str = ""
    severity: Severity = "error"
    #: Structured facts a verb adds for machines (JSON values only): diff's witness,
    #: both locations and the side a break hurts. Machine formats carry them as fields.
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def fatal(self) -> bool:
        """Whether the file could not be checked at all (exit code 2)."""
        return self.code.startswith("MS0")

    @classmethod
    def at(
        cls, code: str, source: SourceFile, pointer: str, message: str, hint: str = ""
    ) -> Finding:
        """A finding at ``pointer`` in a loaded file, placed on its line and column."""
        position = source.position(pointer)
        return cls(code, source.path, pointer, message, position.line, position.column, hint)

    @classmethod
    def from_error(cls, error: MockserverError, rules: Registry) -> Finding:
        """A finding for an error raised while loading; a code ``rules`` does not know
        becomes MS005 (not an OpenAPI document)."""
        position = error.position
        return cls(
            code=error.code if error.code in rules else "MS005",
            file=error.file or Path("<input>"),
            pointer=error.pointer,
            message=error.message,
            line=position.line if position else 1,
            column=position.column if position else 1,
            hint=error.hint,
        )
