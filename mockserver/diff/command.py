"""``mockserver diff OLD NEW``: options in, exit code out.

The CLI module registers the verb with :func:`add_arguments` and calls :func:`run`;
``python -m mockserver.diff`` runs it alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.errors import MockserverError, UsageError

if TYPE_CHECKING:
    from mockserver.diff.runner import Outcome

FORMATS = ("github", "json", "junit", "sarif", "text")  # the validate reporters'
EXIT_COULD_NOT_RUN = 2
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``mockserver diff``."""
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


def run(args: argparse.Namespace) -> int:
    """Run ``mockserver diff``; returns the exit code."""
    # the verb's machinery loads only when it runs: other verbs start fast
    from mockserver.diff.report import render  # noqa: PLC0415
    from mockserver.diff.runner import Outcome  # noqa: PLC0415
    from mockserver.validate.findings import Finding  # noqa: PLC0415

    try:
        outcome = _outcome(args)
    except UsageError as error:
        print(f"mockserver diff: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except MockserverError as error:
        outcome = Outcome([Finding.from_error(error)], [])
    report = render(args.format, outcome.findings, outcome.checked)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    return outcome.exit_code(args.fail_on)


def _outcome(args: argparse.Namespace) -> Outcome:
    from mockserver.diff.gitref import pairs_at  # noqa: PLC0415
    from mockserver.diff.runner import Outcome, diff_files  # noqa: PLC0415

    if args.budget < 1:
        raise UsageError(None, "--budget must be at least 1")
    if args.base is None:
        if len(args.paths) != 2:
            raise UsageError(None, "give two documents, OLD NEW (or --base GIT_REF)")
        return diff_files(args.paths[0], args.paths[1], budget=args.budget)
    paths = list(args.paths) or _spec_files(args.specs_dir)
    total = Outcome()
    with pairs_at(args.base, paths) as pairs:
        for pair in pairs:
            part = diff_files(pair.old, pair.new, label=pair.label, budget=args.budget)
            total.findings += part.findings
            total.checked += part.checked
    return total


def _spec_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise UsageError(None, f"no folder {folder}", hint="name the documents to compare")
    return sorted(p for p in folder.iterdir() if p.suffix in _SPEC_SUFFIXES and p.is_file())


def main(argv: list[str] | None = None) -> int:
    """``python -m mockserver.diff``."""
    parser = argparse.ArgumentParser(prog="mockserver diff")
    add_arguments(parser)
    return run(parser.parse_args(argv))
