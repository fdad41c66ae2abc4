"""``mockserver diff OLD NEW``: options in, exit code out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.cli.common import REPORT_FORMATS, error_line, spec_files, writable
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError, UsageError

if TYPE_CHECKING:
    from mockserver.report.findings import Severity
    from mockserver.report.run import Outcome

FORMATS = REPORT_FORMATS
#: ``--fail-on``: the least severity that fails the run (unproven breaks are warnings).
FAIL_LEVELS: dict[str, Severity] = {"breaking": "error", "unproven": "warning"}


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
        choices=("breaking", "unproven"),
        default="breaking",
        help="exit 1 on proven breaks only (default), or on unproven suspects too",
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
    return deliver(
        outcome,
        RULES,
        verb="mockserver diff",
        fmt=args.format,
        output=output,
        fail_level=FAIL_LEVELS[args.fail_on],
    )


def _outcome(args: argparse.Namespace) -> Outcome:
    from mockserver.diff.gitref import pairs_at
    from mockserver.report.run import Outcome

    if args.budget < 1:
        raise UsageError(None, "--budget must be at least 1")
    if args.base is None:
        if len(args.paths) != 2:
            raise UsageError(None, "give two documents, OLD NEW (or --base GIT_REF)")
        return _guarded(args.paths[0], args.paths[1], None, args.budget)
    paths = list(args.paths) or spec_files([args.specs_dir])
    total = Outcome()
    with pairs_at(args.base, paths) as pairs:
        for pair in pairs:
            part = _guarded(pair.old, pair.new, pair.label, args.budget)
            total.findings += part.findings
            total.checked += part.checked
    return total


def _guarded(old: Path, new: Path, label: Path | None, budget: int) -> Outcome:
    """One pair's outcome; a crash is an MS006 finding on the pair (exit 2), and the other
    pairs are still compared and reported."""
    from mockserver.diff.runner import diff_files
    from mockserver.report.findings import Finding
    from mockserver.report.run import Outcome

    try:
        return diff_files(old, new, label=label, budget=budget)
    except MockserverError:
        raise
    except Exception as error:  # a bug: name the file, keep the other pairs' report
        message = f"mockserver failed on this pair ({type(error).__name__}: {error})"
        return Outcome([Finding("MS006", new, "", message)], [new])
