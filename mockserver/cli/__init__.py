"""The ``mockserver`` command: options in, exit code out; one module per verb."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mockserver import __version__
from mockserver.cli.diff import add_diff
from mockserver.cli.validate import add_validate
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every verb."""
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Contract-testing mock server for OpenAPI 2.0, 3.0 and 3.1.",
    )
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    add_validate(verbs)
    from mockserver.cli.contract import add_contract
    from mockserver.cli.serve import add_serve

    add_serve(verbs)
    add_contract(verbs)
    add_diff(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from mockserver.cli.serve import quiet_third_party_warnings

    quiet_third_party_warnings()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except MockserverError as error:
        print(f"mockserver {args.verb}: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        return 130
