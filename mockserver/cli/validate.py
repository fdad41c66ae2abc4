"""``mockserver validate``: documents, fixture folders and captured payloads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockserver.cli.common import spec_path
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError, UsageError
from mockserver.report.findings import Finding
from mockserver.report.reporters import FORMATS
from mockserver.report.run import Outcome, deliver
from mockserver.validate.rules import RULES

DEFAULT_TARGETS = ("specs", "fixtures")


def add_validate(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = verbs.add_parser(
        "validate",
        help="check documents, fixtures and captured payloads",
        description="Check OpenAPI documents and fixture folders (default: specs/ and "
        "fixtures/), or, with --spec and --operation, one captured payload. Exit 0 when "
        "clean, 1 on findings, 2 when something could not be checked.",
    )
    cmd.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="documents, fixture folders or folders of them; with --operation, the payload file",
    )
    cmd.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )
    cmd.add_argument("--output", type=Path, help="write the report here instead of stdout")
    cmd.add_argument(
        "--specs-dir",
        type=Path,
        default=Path("specs"),
        help="where --spec names and fixture declarations look for documents",
    )
    cmd.add_argument(
        "--ref-root",
        type=Path,
        help="folder $refs may reach (default: the repository holding each document, else "
        "the current folder if it holds it, else the document's folder)",
    )
    payload = cmd.add_argument_group("captured payloads")
    payload.add_argument("--spec", help="document name (file stem in --specs-dir) or path")
    payload.add_argument("--operation", metavar="OPERATION_ID", help="operationId or 'GET /path'")
    payload.add_argument("--status", type=int, help="the response status the payload came with")
    payload.add_argument(
        "--request", action="store_true", help="the payload is a request body, not a response"
    )
    payload.add_argument("--content-type", help="media type (default: the JSON one declared)")
    cmd.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """``mockserver validate``."""
    try:
        outcome = _payload_outcome(args) if args.operation or args.spec else _paths_outcome(args)
    except UsageError as error:
        print(f"mockserver validate: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except MockserverError as error:
        outcome = Outcome([Finding.from_error(error, RULES)], [])
    return deliver(outcome, RULES, verb="mockserver validate", fmt=args.format, output=args.output)


def _paths_outcome(args: argparse.Namespace) -> Outcome:
    paths = list(args.paths) or [Path(p) for p in DEFAULT_TARGETS if Path(p).exists()]
    from mockserver.validate.runner import validate_paths  # not for the other verbs to load

    return validate_paths(paths, args.specs_dir, args.ref_root)


def _payload_outcome(args: argparse.Namespace) -> Outcome:
    from mockserver.spec.loader import load_document
    from mockserver.validate.payload import check_payload

    if not (args.spec and args.operation and len(args.paths) == 1):
        raise UsageError(None, "payload checks need --spec, --operation and one PAYLOAD file")
    if not args.request and args.status is None:
        raise UsageError(
            None,
            "say which response the payload is with --status CODE, or --request for a request body",
        )
    spec = spec_path(args.spec, args.specs_dir)
    document = load_document(spec)
    findings = check_payload(
        args.paths[0],
        document,
        args.operation,
        status=args.status,
        request=args.request,
        content_type=args.content_type,
    )
    return Outcome(findings, [args.paths[0]])
