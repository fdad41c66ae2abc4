"""What a check yields: a rule code at a spot in a file, before it is placed on a line."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.spec.source import SourceFile


@dataclass(frozen=True)
class Issue:
    """One problem: its rule code, the file and pointer it is about, and how to fix it."""

    code: str
    source: SourceFile
    pointer: str
    message: str
    hint: str = ""
