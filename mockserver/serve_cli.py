"""The ``serve`` verb's options (the server itself lives in :mod:`mockserver.app`)."""

from __future__ import annotations

import argparse
import sys


def add_serve(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``mockserver serve``."""
    cmd = verbs.add_parser("serve", help="serve OpenAPI documents as a mock API")
    cmd.add_argument("paths", nargs="*", help="documents to serve (default: specs/)")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=8000)
    cmd.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Placeholder until the server lands."""
    print("mockserver serve: the mock server arrives with the next issue", file=sys.stderr)
    return 0
