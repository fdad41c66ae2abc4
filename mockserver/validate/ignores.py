"""Local exceptions written in the document: ``x-mockserver-ignore: [MS106]``.

An author who knows a finding is intended says so next to the object it is about, where
a reviewer sees it, rather than in a configuration file far away. The list applies to
the object holding it and to everything inside it, in the file it is written in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.report.config import under
from mockserver.report.findings import Finding
from mockserver.spec.pointer import join_pointer
from mockserver.spec.source import SourceFile
from mockserver.validate.rules import RULES

KEY = "x-mockserver-ignore"


@dataclass(frozen=True)
class LocalIgnore:
    """Codes ignored in one subtree of one file."""

    file: Path
    pointer: str
    codes: frozenset[str]

    def covers(self, finding: Finding) -> bool:
        """Whether ``finding`` is one of the codes, inside the subtree, in the file."""
        return (
            finding.code in self.codes
            and finding.file == self.file
            and under(finding.pointer, self.pointer)
        )


def collect(sources: Iterable[SourceFile]) -> tuple[list[LocalIgnore], list[Finding]]:
    """Every exception written in ``sources``, and an MS133 finding for each one that is
    not a list of known rule codes."""
    ignores: list[LocalIgnore] = []
    problems: list[Finding] = []
    for source in sources:
        if KEY not in source.text:
            continue  # most documents have none: skip the walk
        for pointer, value in _iter_marks(source.data, ""):
            codes = value if isinstance(value, list) else [value]
            unknown = [c for c in codes if not (isinstance(c, str) and c in RULES)]
            if unknown:
                message = f"{KEY} names {unknown[0]!r}, which is not a rule code"
                problems.append(Finding.at("MS133", source, join_pointer(pointer, KEY), message))
            known = frozenset(c for c in codes if isinstance(c, str) and c in RULES)
            ignores.append(LocalIgnore(source.path, pointer, known))
    return ignores, problems


def apply(findings: Iterable[Finding], sources: Iterable[SourceFile]) -> Iterator[Finding]:
    """``findings`` less those an exception in ``sources`` covers, then the exceptions'
    own problems."""
    ignores, problems = collect(sources)
    for finding in findings:
        if finding.fatal or not any(i.covers(finding) for i in ignores):
            yield finding
    yield from problems


def _iter_marks(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        if KEY in node:
            yield pointer, node[KEY]
        for key, child in node.items():
            if isinstance(child, dict | list):
                yield from _iter_marks(child, join_pointer(pointer, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            if isinstance(child, dict | list):
                yield from _iter_marks(child, join_pointer(pointer, index))
