"""The ``mockserver`` command: options in, exit code out; one module per verb.

A run imports only its own verb's module, and the verbs' modules import their machinery
only when they run, so ``--help`` and ``--version`` answer at once and ``validate`` never
loads the server, the contract suite or diff.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mockserver import __version__
from mockserver.cli.common import error_line
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError

#: Each verb's module and the function that registers it, in help order.
VERBS: dict[str, tuple[str, str]] = {
    "validate": ("mockserver.cli.validate", "add_validate"),
    "serve": ("mockserver.cli.serve", "add_serve"),
    "contract": ("mockserver.cli.contract", "add_contract"),
    "diff": ("mockserver.cli.diff", "add_diff"),
}
#: Set to see the traceback of an unexpected error instead of its one line.
TRACEBACK_VARIABLE = "MOCKSERVER_TRACEBACK"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser for every verb, or for verb ``only``."""
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Contract-testing mock server for OpenAPI 2.0, 3.0 and 3.1.",
    )
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, (module, register) in VERBS.items():
        if only in (None, verb):
            getattr(importlib.import_module(module), register)(verbs)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; an unknown option is reported with its verb's usage
    (argparse would print the top-level usage, which does not list the verb's options)."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        verbs.choices[args.verb].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    verb = argv[0] if argv and argv[0] in VERBS else None
    if verb != "validate":  # validate imports no third-party web framework
        from mockserver.cli.serve import quiet_third_party_warnings

        quiet_third_party_warnings()
    args = parse(build_parser(verb), argv)
    name = f"mockserver {args.verb}"
    try:
        return int(args.run(args))
    except MockserverError as error:
        print(error_line(name, error), file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: one line and "could not run", not a traceback
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        print(
            f"{name}: internal error: {type(error).__name__}: {error} "
            f"(set {TRACEBACK_VARIABLE}=1 to see where)",
            file=sys.stderr,
        )
        return EXIT_COULD_NOT_RUN
