"""Diff two documents: suspects from the comparison, verdicts from the witnesses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mockserver.diff.documents import Side, load_side
from mockserver.diff.rules import CRASHED, RULES, to_finding
from mockserver.diff.suspects import Suspect, iter_outgoing_suspects, iter_suspects
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
    try:
        outcome.findings = diff_sides(old_side, new_side, budget=budget)
    except Exception as error:  # a bug must name the pair and exit 2
        outcome.findings = [_crash(old_side, new_side, error)]
    return outcome


def _crash(old: Side, new: Side, error: Exception) -> Finding:
    return Finding(
        code=CRASHED,
        file=old.label,
        pointer="",
        message=(f"comparing {old.label} with {new.label} failed: {type(error).__name__}: {error}"),
    )


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
    back = WitnessFinder(new, old, budget)
    for suspect in iter_outgoing_suspects(old, new):
        if not suspect.reversed:
            yield Verdict(suspect, finder.find(suspect))
            continue
        yield _unreversed(suspect, back.find(suspect))


def _unreversed(suspect: Suspect, witness: Witness | None) -> Verdict:
    """A verdict found NEW -> OLD, told OLD -> NEW (old_op is OLD's again)."""
    assert suspect.new_op is not None  # a reversed suspect pairs two operations
    told = replace(
        suspect,
        old_op=suspect.new_op,
        new_op=suspect.old_op,
        old_site=suspect.new_site,
        new_site=suspect.old_site,
        reversed=False,
    )
    if witness is None:
        return Verdict(told, None)
    names = {"OLD": "NEW", "NEW": "OLD"}
    return Verdict(
        told,
        replace(
            witness,
            accepted_by=names[witness.accepted_by],
            rejected_by=names[witness.rejected_by],
        ),
    )


def diff_sides(old: Side, new: Side, *, budget: int = 100) -> list[Finding]:
    """The findings for two loaded documents, in the order of OLD's operations: one
    change that several operations reach (a shared schema) is one finding listing them."""
    groups: dict[tuple[Any, ...], list[Verdict]] = {}
    for verdict in iter_verdicts(old, new, budget=budget):
        groups.setdefault(_change(verdict), []).append(verdict)
    return [
        to_finding(
            group[0].suspect,
            group[0].witness,
            old,
            new,
            tuple(dict.fromkeys(v.suspect.old_op.key for v in group)),
        )
        for group in groups.values()
    ]


def _change(verdict: Verdict) -> tuple[Any, ...]:
    """What makes two verdicts the same change: rule, proof, both sites and summary.
    Changes written at no schema site (an operation, a status) stay per operation."""
    suspect = verdict.suspect
    if suspect.old_site is None or suspect.new_site is None or suspect.code in _PER_OPERATION:
        return (id(verdict),)
    proven = verdict.witness is not None
    return (suspect.code, proven, suspect.old_site, suspect.new_site, suspect.summary)


#: Rules whose sites are the operation's own: never shared between operations.
_PER_OPERATION = frozenset({"MS401", "MS408", "MS409"})
