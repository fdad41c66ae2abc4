"""The ``mockserver`` command: options in, exit code out; one module per verb.

The verbs' modules import their machinery only when they run, so ``--help`` and
``--version`` answer at once and ``validate`` never loads the server.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from mockserver import __version__
from mockserver.cli.common import error_line
from mockserver.cli.contract import add_contract
from mockserver.cli.diff import add_diff
from mockserver.cli.serve import add_serve, quiet_third_party_warnings
from mockserver.cli.validate import add_validate
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError

#: Set to see the traceback of an unexpected error instead of its one line.
TRACEBACK_VARIABLE = "MOCKSERVER_TRACEBACK"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every verb."""
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Contract-testing mock server for OpenAPI 2.0, 3.0 and 3.1.",
    )
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    add_validate(verbs)
    add_serve(verbs)
    add_contract(verbs)
    add_diff(verbs)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed command line; an unknown option is reported with its verb's usage
    (argparse would print the top-level usage, which does not list the verb's options)."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        verbs.choices[args.verb].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    quiet_third_party_warnings()
    args = parse(build_parser(), argv)
    verb = f"mockserver {args.verb}"
    try:
        return int(args.run(args))
    except MockserverError as error:
        print(error_line(verb, error), file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: one line and "could not run", not a traceback
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        print(
            f"{verb}: internal error: {type(error).__name__}: {error} "
            f"(set {TRACEBACK_VARIABLE}=1 to see where)",
            file=sys.stderr,
        )
        return EXIT_COULD_NOT_RUN
