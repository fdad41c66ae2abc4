"""``mockserver diff OLD NEW``: options in, exit code out."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.cli.common import REPORT_FORMATS, error_line, spec_files, writable
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError, UsageError

if TYPE_CHECKING:
    from mockserver.report.findings import Finding
    from mockserver.report.run import Outcome

FORMATS = REPORT_FORMATS
#: ``--fail-on``: whose breaks fail the run (``breaking`` and ``unproven``, the former
#: values, still work: clients, and clients with unproven suspects).
FAIL_SIDES: dict[str, frozenset[str]] = {
    "clients": frozenset({"clients"}),
    "providers": frozenset({"providers"}),
    "both": frozenset({"clients", "providers"}),
    "breaking": frozenset({"clients"}),
    "unproven": frozenset({"clients"}),  # the former --fail-on unproven
}


def add_diff(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``mockserver diff``."""
    parser = verbs.add_parser("diff", help="breaking changes between two documents, each proven")
    parser.description = (
        "Compare two OpenAPI documents operation by operation and report every change "
        "that breaks clients or providers, each proven by a request or response that one "
        "document accepts and the other refuses. Exit 0 when nothing breaks, 1 on "
        "breaking changes, 2 when a document cannot be read."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="OLD NEW; with --base, the documents to compare with the ref (default: specs/)",
    )
    parser.add_argument(
        "--base",
        metavar="GIT_REF",
        help="compare the working tree's documents with the same files at this git ref",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument(
        "--fail-on",
        choices=tuple(FAIL_SIDES),
        metavar="{clients,providers,both}",
        default="clients",
        help="exit 1 on proven breaks of clients (default), of providers, or of both; "
        "breaks of the other side are reported as notes",
    )
    parser.add_argument(
        "--fail-on-unproven",
        action="store_true",
        help="exit 1 on unproven suspects (warnings) of the chosen side too",
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=100,
        help="examples drawn per suspected break in search of a witness (default 100)",
    )
    parser.add_argument(
        "--specs-dir",
        type=Path,
        default=Path("specs"),
        help="the documents --base compares when no PATH is given",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mockserver diff``; returns the exit code."""
    # the verb's machinery loads only when it runs: other verbs start fast
    from mockserver.diff.rules import RULES
    from mockserver.report.findings import Finding
    from mockserver.report.run import Outcome, deliver

    try:
        output = writable(args.output, "--output")
        outcome = _outcome(args)
    except UsageError as error:
        print(error_line("mockserver diff", error), file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except MockserverError as error:
        outcome = Outcome([Finding.from_error(error, RULES)], [])
    outcome.findings = [_for_sides(f, FAIL_SIDES[args.fail_on]) for f in outcome.findings]
    return deliver(
        outcome,
        RULES,
        verb="mockserver diff",
        fmt=args.format,
        output=output,
        fail_level="warning" if args.fail_on_unproven or args.fail_on == "unproven" else "error",
    )


def _for_sides(finding: Finding, sides: frozenset[str]) -> Finding:
    """``finding`` as a note when it breaks a side the run does not fail on."""
    side = finding.details.get("breaks")
    if side is None or side in sides:
        return finding
    return replace(finding, severity="info")


def _outcome(args: argparse.Namespace) -> Outcome:
    from mockserver.diff.gitref import pairs_at
    from mockserver.diff.runner import diff_files
    from mockserver.report.run import Outcome

    if args.budget < 1:
        raise UsageError(None, "--budget must be at least 1")
    if args.base is None:
        if len(args.paths) != 2:
            raise UsageError(None, "give two documents, OLD NEW (or --base GIT_REF)")
        return diff_files(args.paths[0], args.paths[1], budget=args.budget)
    paths = list(args.paths) or spec_files([args.specs_dir])
    total = Outcome()
    with pairs_at(args.base, paths) as pairs:
        for pair in pairs:
            part = diff_files(pair.old, pair.new, label=pair.label, budget=args.budget)
            total.findings += part.findings
            total.checked += part.checked
    return total
