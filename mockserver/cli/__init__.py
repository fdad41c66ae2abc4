"""The ``mockserver`` command: options in, exit code out; one module per verb."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mockserver import __version__
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError

#: Each verb's module and the function that registers it, in help order. A run imports
#: only its own verb's module, so ``validate`` never loads the server, the contract
#: suite or diff.
VERBS: dict[str, tuple[str, str]] = {
    "validate": ("mockserver.cli.validate", "add_validate"),
    "serve": ("mockserver.cli.serve", "add_serve"),
    "contract": ("mockserver.cli.contract", "add_contract"),
    "diff": ("mockserver.cli.diff", "add_diff"),
}


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    verb = argv[0] if argv and argv[0] in VERBS else None
    if verb != "validate":  # validate imports no third-party web framework
        from mockserver.cli.serve import quiet_third_party_warnings

        quiet_third_party_warnings()
    parser = build_parser(verb)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except MockserverError as error:
        print(f"mockserver {args.verb}: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        return 130
