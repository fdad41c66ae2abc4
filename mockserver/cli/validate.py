"""``mockserver validate``: documents, fixture folders and captured payloads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.cli.common import (
    CONFIG_NAMES,
    REPORT_FORMATS,
    SEVERITIES,
    error_line,
    spec_path,
    writable,
)
from mockserver.errors import EXIT_COULD_NOT_RUN, MockserverError, UsageError

if TYPE_CHECKING:
    from mockserver.report.config import Policy
    from mockserver.report.findings import Severity
    from mockserver.report.run import Outcome

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
        "--format", choices=REPORT_FORMATS, default="text", help="report format (default: text)"
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
    add_adoption_options(cmd)
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
    from mockserver.report.config import load_policy
    from mockserver.report.findings import Finding
    from mockserver.report.run import Outcome, deliver
    from mockserver.validate.rules import RULES

    fail_level: Severity = args.fail_on or "error"
    try:
        output = writable(args.output, "--output")
        policy = load_policy("validate", RULES, args.config)  # a mistake stops before the run
        outcome = _payload_outcome(args) if args.operation or args.spec else _paths_outcome(args)
        outcome, fail_level = adopt(outcome, policy, args)
    except UsageError as error:
        print(error_line("mockserver validate", error), file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except MockserverError as error:
        outcome = Outcome([Finding.from_error(error, RULES)], [])
    return deliver(
        outcome,
        RULES,
        verb="mockserver validate",
        fmt=args.format,
        output=output,
        fail_level=fail_level,
    )


def add_adoption_options(cmd: argparse.ArgumentParser) -> None:
    """Options that fit the check to a project: configuration, levels, baseline."""
    group = cmd.add_argument_group("configuration and baseline")
    group.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"configuration file (default: the nearest {' or '.join(CONFIG_NAMES)} "
        "with validate settings, in the current folder or a parent)",
    )
    group.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="the least severity that fails the run (default: error, or the configuration's)",
    )
    group.add_argument(
        "--baseline", type=Path, metavar="FILE", help="report only findings FILE does not hold"
    )
    group.add_argument(
        "--baseline-write",
        type=Path,
        metavar="FILE",
        help="record today's findings in FILE; they are not reported again with --baseline",
    )


def adopt(outcome: Outcome, policy: Policy, args: argparse.Namespace) -> tuple[Outcome, Severity]:
    """``outcome`` as the project's configuration and baseline have it, and the level
    that fails the run."""
    from mockserver.report.baseline import new_findings, read_baseline, write_baseline
    from mockserver.report.run import Outcome
    from mockserver.validate.rules import RULES

    findings = policy.apply(RULES.graded(f) for f in outcome.findings)
    if args.baseline is not None and args.baseline_write is not None:
        raise UsageError(None, "use --baseline or --baseline-write, not both")
    if args.baseline_write is not None:
        count = write_baseline(args.baseline_write, findings)
        plural = "s" * (count != 1)
        print(
            f"mockserver validate: {count} finding{plural} recorded in {args.baseline_write}",
            file=sys.stderr,
        )
        findings = new_findings(findings, read_baseline(args.baseline_write))
    elif args.baseline is not None:
        findings = new_findings(findings, read_baseline(args.baseline))
    fail_level = args.fail_on or policy.fail_on or "error"
    return Outcome(findings, outcome.checked), fail_level


def _paths_outcome(args: argparse.Namespace) -> Outcome:
    from mockserver.validate.runner import validate_paths  # heavy: not for --help

    paths = list(args.paths) or [Path(p) for p in DEFAULT_TARGETS if Path(p).exists()]
    if not paths:
        raise UsageError(
            None,
            f"nothing to check: no {' or '.join(f'{t}/' for t in DEFAULT_TARGETS)} "
            f"folder in {Path.cwd()}",
            hint="run from the project's folder, or give the documents to check",
        )
    outcome = validate_paths(paths, args.specs_dir, args.ref_root)
    if not outcome.checked:
        raise UsageError(
            None,
            f"nothing to check: no OpenAPI document or fixture folder in "
            f"{', '.join(str(p) for p in paths)}",
            hint="documents end in .yaml, .yml or .json",
        )
    return outcome


def _payload_outcome(args: argparse.Namespace) -> Outcome:
    from mockserver.report.run import Outcome
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
