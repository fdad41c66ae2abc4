"""Diff two documents: suspects from the comparison, verdicts from the witnesses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.diff.documents import Side, load_side
from mockserver.diff.rules import UNPROVEN, to_finding
from mockserver.diff.suspects import Suspect, iter_suspects
from mockserver.diff.witness import Witness, WitnessFinder
from mockserver.errors import MockserverError
from mockserver.validate.findings import Finding

EXIT_CLEAN, EXIT_BREAKING, EXIT_COULD_NOT_RUN = 0, 1, 2


@dataclass
class Outcome:
    """What a diff found, and which files it compared."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[Path] = field(default_factory=list)

    def exit_code(self, fail_on: str = "breaking") -> int:
        """2 when a document could not be read; 1 on breaks (and, with
        ``fail_on="unproven"``, on unproven suspects too); else 0."""
        if any(f.fatal for f in self.findings):
            return EXIT_COULD_NOT_RUN
        failing = [f for f in self.findings if f.code != UNPROVEN or fail_on == "unproven"]
        return EXIT_BREAKING if failing else EXIT_CLEAN


def diff_files(old: Path, new: Path, *, label: Path | None = None, budget: int = 100) -> Outcome:
    """Every proven and unproven break from the document ``old`` to ``new``."""
    outcome = Outcome(checked=[label or old, new])
    try:
        old_side, new_side = load_side(old, label), load_side(new)
    except MockserverError as error:
        return Outcome([Finding.from_error(error)], outcome.checked)
    outcome.findings = diff_sides(old_side, new_side, budget=budget)
    return outcome


@dataclass(frozen=True)
class Verdict:
    """A suspected break and its witness (None: unproven)."""

    suspect: Suspect
    witness: Witness | None


def iter_verdicts(old: Side, new: Side, *, budget: int = 100) -> Iterator[Verdict]:
    """Each suspected break from ``old`` to ``new`` with the witness found for it."""
    finder = WitnessFinder(old, new, budget)
    for suspect in iter_suspects(old, new):
        yield Verdict(suspect, finder.find(suspect))


def diff_sides(old: Side, new: Side, *, budget: int = 100) -> list[Finding]:
    """The findings for two loaded documents, in the order of OLD's operations."""
    return [
        to_finding(v.suspect, v.witness, old, new) for v in iter_verdicts(old, new, budget=budget)
    ]
