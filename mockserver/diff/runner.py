"""Diff two documents: suspects from the comparison, verdicts from the witnesses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mockserver.diff.documents import Side, load_side
from mockserver.diff.rules import RULES, to_finding
from mockserver.diff.suspects import Suspect, iter_suspects
from mockserver.diff.witness import Witness, WitnessFinder
from mockserver.errors import MockserverError
from mockserver.report.findings import Finding
from mockserver.report.run import Outcome


def diff_files(old: Path, new: Path, *, label: Path | None = None, budget: int = 100) -> Outcome:
    """Every proven and unproven break from the document ``old`` to ``new``."""
    outcome = Outcome(checked=[label or old, new])
    try:
        old_side, new_side = load_side(old, label), load_side(new)
    except MockserverError as error:
        return Outcome([Finding.from_error(error, RULES)], outcome.checked)
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
