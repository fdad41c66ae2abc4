"""``mockserver contract --base-url URL --compare-mock``: the drift report's command line.

It composes the two verbs as ``contract`` does: the mock is built here with ``serve`` and
handed to :mod:`mockserver.contract.compare` as a target beside the provider, so neither
verb imports the other. The table goes to stdout; ``--format`` renders the differences
through the shared report layer (JSON, JUnit, GitHub annotations, SARIF) instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mockserver.cli.common import REPORT_FORMATS
from mockserver.errors import UsageError


def add_compare_options(cmd: argparse.ArgumentParser) -> None:
    """Register ``--compare-mock`` and its report options on ``contract``."""
    group = cmd.add_argument_group("drift report (--compare-mock)")
    group.add_argument(
        "--compare-mock",
        action="store_true",
        help="send the same seeded cases to --base-url and to the in-process mock and report "
        "where their answers differ (status class, content type, schema branch)",
    )
    group.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="text",
        help="drift report format (default: text)",
    )
    group.add_argument("--output", type=Path, help="write the drift report here")


def run_compare(args: argparse.Namespace, plan: Any) -> int:
    """Compare the provider with the mock; exit 1 when their answers differ."""
    from mockserver.contract.compare import COMPARE_RULES, as_findings, compare, table
    from mockserver.contract.targets import AsgiTarget, HttpTarget
    from mockserver.report.run import Outcome, deliver
    from mockserver.serve.app import create_app
    from mockserver.serve.mount import ServeOptions, load_apis

    if not plan.base_url:
        raise UsageError(None, "--compare-mock needs the provider: add --base-url URL")
    options = ServeOptions(fixtures_dir=Path(plan.fixtures))
    apis = load_apis([Path(p) for p in plan.specs], options)
    provider = HttpTarget(plan.base_url, dict(plan.headers))
    mock = AsgiTarget(create_app(apis, options))
    only = set(args.operation) or None
    try:
        comparisons = []
        for api in apis:
            targets = ((provider, api.document.base_path), (mock, api.mounts[0]))
            found = compare(api.document, targets, plan.max_examples, plan.seed, only)
            comparisons.append(found)
    finally:
        provider.close()
        mock.close()
    findings = as_findings(comparisons)
    outcome = Outcome(findings, [Path(p) for p in plan.specs])
    if args.junit_xml:
        deliver(outcome, COMPARE_RULES, verb="mockserver contract --compare-mock", fmt="junit",
                output=args.junit_xml)  # fmt: skip
    if args.format == "text" and args.output is None:
        print(table(comparisons))
        return outcome.exit_code()
    return deliver(outcome, COMPARE_RULES, verb="mockserver contract --compare-mock",
                   fmt=args.format, output=args.output)  # fmt: skip
