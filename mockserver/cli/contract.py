"""``mockserver contract``: the property-based contract, against the mock or a provider.

Without ``--base-url`` it runs in process against the mock's ASGI app (no sockets); with
it, against that server. The two verbs meet here, not in each other: this module builds
the mock with ``serve`` and hands its app to ``contract``'s session (:func:`open_session`).

``--workers N`` spreads operations over processes, each with its own target, so a suite
that outgrows one machine splits the same way across several (``--operation`` picks a
share).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.cli.common import fixtures_folder, named_spec_files, writable
from mockserver.errors import UsageError

if TYPE_CHECKING:
    from mockserver.contract.session import Plan, Session


def add_contract(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``mockserver contract``."""
    cmd = verbs.add_parser(
        "contract",
        help="run the property-based contract against the mock or a provider",
        description="Generate requests from each document with Hypothesis and check every "
        "response: status, content type, headers and body against the document, rejection "
        "of invalid requests, authentication, and the semantic properties declared in "
        "fixtures/<name>/mock.yaml. Exit 0 when every check passes, 1 on failures, 2 when "
        "the run cannot start.",
    )
    cmd.add_argument(
        "--spec",
        action="append",
        default=[],
        metavar="NAME",
        help="document name in --specs-dir, or a path (repeatable; default all)",
    )
    cmd.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="OPERATION_ID",
        help="only these operations (repeatable)",
    )
    cmd.add_argument("--base-url", help="run against this server instead of the in-process mock")
    cmd.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="send this header with every request (e.g. a real token)",
    )
    cmd.add_argument(
        "--max-examples", type=int, default=50, help="examples per operation and phase (default 50)"
    )
    cmd.add_argument("--seed", type=int, help="seed, to reproduce a run (default: random)")
    cmd.add_argument(
        "--derandomize",
        action="store_true",
        help="same examples on every run, as the CI profile does",
    )
    cmd.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    cmd.add_argument("--junit-xml", type=Path, metavar="FILE", help="also write JUnit XML")
    cmd.add_argument("--specs-dir", type=Path, default=Path("specs"))
    cmd.add_argument(
        "--fixtures",
        type=Path,
        help="the folder of fixture folders (default: fixtures/ when it exists)",
    )
    cmd.set_defaults(run=run_contract)


def run_contract(args: argparse.Namespace) -> int:
    """``mockserver contract``."""
    from mockserver.contract.report import (
        as_findings,
        failures_text,
        junit_xml,
        table,
        totals_line,
    )
    from mockserver.report.plural import counted
    from mockserver.report.run import exit_code

    junit = writable(args.junit_xml, "--junit-xml")  # before the run, not after it
    plan = _plan(args)
    if plan.base_url:
        _check_reachable(plan.base_url)
    jobs = _jobs(plan, set(args.operation) or None)
    if not jobs:
        raise UsageError(None, "no operations match", hint="check --spec and --operation")
    print(
        f"mockserver contract: {counted(len(jobs), 'operation')}, seed {plan.seed}"
        + (f", against {plan.base_url}" if plan.base_url else ", in process"),
        flush=True,
    )
    results = _execute(plan, jobs, max(args.workers, 1))
    print()
    print(table(results))
    failed = [r for r in results if r.failures]
    if failed:
        print()
        print(
            failures_text(
                failed,
                plan.seed,
                "mockserver contract" + "".join(f" --spec {s}" for s in args.spec),
            )
        )
    print()
    print(totals_line(results))
    if plan.base_url and (hint := not_found_hint(results, plan.base_url)):
        print(hint)
    if junit:
        junit.write_text(junit_xml(results), encoding="utf-8")
    return exit_code(as_findings(results))


#: The share of failed answers that, all 404, means the base URL misses the API's mount.
NOT_FOUND_SHARE = 0.8


def not_found_hint(results: list[Any], base_url: str) -> str:
    """One line when nearly every failed answer was a 404: the base URL most likely lacks
    the path the API is mounted at (``mockserver serve`` mounts each API at /<name>)."""
    statuses = [f.status for r in results for f in r.failures if f.status]
    if len(statuses) < 3 or statuses.count(404) < NOT_FOUND_SHARE * len(statuses):
        return ""
    name = results[0].api
    base = base_url.rstrip("/")
    return (
        f"mockserver contract: {statuses.count(404)} of {len(statuses)} failed answers were "
        f"404: does --base-url include the API's path? mockserver serve mounts it at "
        f"/{name}: --base-url {base}/{name}"
    )


def _check_reachable(base_url: str) -> None:
    """A provider that cannot be reached is a run that cannot start (exit 2), not a failure."""
    import httpx

    try:
        httpx.get(base_url, timeout=10)
    except httpx.TransportError as exc:
        raise UsageError(
            None,
            f"cannot reach {base_url}: {exc}",
            hint="check --base-url and that the server is running",
        ) from None


def _plan(args: argparse.Namespace) -> Plan:
    documents = named_spec_files(args.spec, args.specs_dir)
    if args.base_url and len(documents) != 1:
        raise UsageError(None, "--base-url serves one API: choose it with --spec NAME")
    headers = []
    for header in args.header:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            raise UsageError(None, f"-H {header!r} is not 'Name: value'")
        headers.append((name.strip(), value.strip()))
    import random

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    from mockserver.contract.session import Plan

    return Plan(
        tuple(str(p.resolve()) for p in documents),
        str(fixtures_folder(args.fixtures).resolve()),
        args.base_url,
        tuple(headers),
        args.max_examples,
        seed,
        args.derandomize,
    )


def _jobs(plan: Plan, only: set[str] | None) -> list[tuple[str, str]]:
    from mockserver.spec.loader import load_document

    jobs = []
    for path in plan.specs:
        document = load_document(Path(path))
        jobs += [
            (path, op.operation_id)
            for op in document.operations
            if only is None or op.operation_id in only or op.key in only
        ]
    return jobs


def _execute(plan: Plan, jobs: list[tuple[str, str]], workers: int) -> list[Any]:
    from mockserver.contract.report import progress_line

    if workers == 1:
        session = open_session(plan)
        try:
            results = []
            for spec, operation_id in jobs:
                result = _run_one(session, spec, operation_id)
                print(progress_line(result), flush=True)
                results.append(result)
            return results
        finally:
            session.close()
    from concurrent.futures import ProcessPoolExecutor

    shares = [jobs[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunks = list(pool.map(_run_share, [plan] * workers, shares))
    results = [r for chunk in chunks for r in chunk]
    order = {job: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order.get((r.spec_path, r.operation_id), 0))
    for result in results:
        print(progress_line(result), flush=True)
    return results


def _run_share(plan: Plan, share: list[tuple[str, str]]) -> list[Any]:
    session = open_session(plan)
    try:
        return [_run_one(session, spec, operation_id) for spec, operation_id in share]
    finally:
        session.close()


def _run_one(session: Session, spec: str, operation_id: str) -> Any:
    """One operation's result; a crash is an MS006 failure of that operation (exit 2), and
    the other operations still run and are reported."""
    from mockserver.contract.runner import CheckFailure, OperationResult

    try:
        return session.run(spec, operation_id)
    except Exception as error:  # a bug: name the file and operation, keep the others
        message = f"{spec}: mockserver failed on this operation ({type(error).__name__}: {error})"
        failure = CheckFailure("MS006", message, "", "", "")
        return OperationResult(
            Path(spec).stem, operation_id, operation_id, failures=[failure], spec_path=spec
        )


def open_session(plan: Plan) -> Session:
    """The contract session for ``plan``: against ``plan.base_url``, or the mock built here,
    in process, whose mount and records the contract may then use."""
    from mockserver.contract.session import Session, Subject
    from mockserver.contract.targets import AsgiTarget, HttpTarget, Target
    from mockserver.serve.app import create_app
    from mockserver.serve.mount import ServeOptions, load_apis

    options = ServeOptions(fixtures_dir=Path(plan.fixtures))
    apis = load_apis([Path(p) for p in plan.specs], options)
    if plan.base_url:
        target: Target = HttpTarget(plan.base_url)
        subjects = [Subject(a.document, a.document.base_path, a.declaration) for a in apis]
    else:
        target = AsgiTarget(create_app(apis, options))
        subjects = [
            Subject(
                a.document,
                a.mounts[0],
                a.declaration,
                a.responder.engine.records if a.responder.engine else None,
            )
            for a in apis
        ]
    return Session(plan, subjects, target)
