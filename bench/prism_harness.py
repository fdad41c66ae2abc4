"""Prism's own behavioural test harness, run against mockserver: `python -m bench.prism_harness`.

Issue 17 measures the promise "what the real API refuses, the mock refuses" with a peer's
suite rather than our own opinion: Stoplight Prism's test-harness cases (vendored in
bench/prism-harness/cases, see its PROVENANCE.md). Each case is a document, a curl command
and the answer Prism gives. This runner starts the real `mockserver serve --any-token` as a
subprocess once per case (the honest path: sockets, granian, the CLI), sends the translated
request and compares status, content type and body as Prism's runner does (exact for
====expect====, loose for ====expect-loose====). It writes bench/prism-harness.md.

Prism's flags are translated: `-d`/`--dynamic` is `Prefer: dynamic=true`; `--errors` is
serve's own `--errors` (an example that breaks its schema is a 500); the faker options have
no counterpart and are ignored; proxy cases (they need httpbin.org) and Postman-collection
cases are skipped with their reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from bench.harness_case import (
    Answer,
    Case,
    Request,
    body_agrees,
    media_agrees,
    parse_answer,
    parse_case,
    translate,
)
from bench.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "prism-harness" / "cases"
REPORT = ROOT / "bench" / "prism-harness.md"
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0


@dataclass
class Outcome:
    """One case's result: skipped (with a reason), failed to run, or compared."""

    case: Case
    skipped: str = ""
    request: Request | None = None
    expected: Answer | None = None
    got: Answer | None = None
    error: str = ""
    status: bool = False
    media: bool = False
    body: bool = False
    category: str = ""

    @property
    def agrees(self) -> bool:
        return self.status and self.media and self.body


def load_cases(root: Path = CASES) -> list[Case]:
    """Every case Prism's runner reads (``**/*.txt``), sorted by name."""
    return [
        parse_case(str(p.relative_to(root)), p.read_text(encoding="utf-8"))
        for p in sorted(root.rglob("*.txt"))
    ]


def skip_reason(case: Case) -> str:
    """Why a case cannot be run against a mock server, or an empty string."""
    server = case.get("server").split()
    if server and server[0] == "proxy":
        return "proxy mode (the case forwards to httpbin.org: no network beyond loopback here)"
    if case.name.endswith(".pc.txt") or "schema.getpostman.com" in case.get("spec"):
        return "Postman collection (mockserver reads OpenAPI only)"
    return ""


def prism_flags(case: Case, request: Request) -> None:
    """Translate Prism's server flags into the request: -d/--dynamic is Prefer: dynamic=true."""
    flags = case.get("server").split()
    if "-d" in flags or "--dynamic" in flags:
        current = request.header("prefer")
        request.headers = [(k, v) for k, v in request.headers if k.lower() != "prefer"]
        request.headers.append(
            ("Prefer", f"{current}, dynamic=true" if current else "dynamic=true")
        )


def serve_flags(case: Case) -> tuple[str, ...]:
    """Prism's server flags that `mockserver serve` shares: ``--errors``."""
    return ("--errors",) if "--errors" in case.get("server").split() else ()


def _suffix(spec: str) -> str:
    return ".json" if spec.lstrip().startswith("{") else ".yaml"


@contextmanager
def serving(
    spec_path: Path, flags: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`mockserver serve --any-token` (and ``flags``) on a free port, until the block ends."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "serve",
        "--any-token",
        "--port",
        str(port),
        "--journal-size",
        "0",
        *flags,
        str(spec_path),
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(process, base, log)
            yield base, process
        finally:
            _stop(process)


def _wait(process: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    started = time.perf_counter()
    with httpx.Client(timeout=2) as client:
        while time.perf_counter() - started < START_TIMEOUT:
            if process.poll() is not None:
                raise RuntimeError(f"mockserver exited ({process.returncode}): {_tail(log)}")
            try:
                client.get(base + "/__mock/health")
                return
            except httpx.TransportError:
                time.sleep(0.02)
    raise RuntimeError(f"mockserver did not answer within {START_TIMEOUT:.0f} s")


def _tail(log: IO[bytes]) -> str:
    """The last lines the server wrote: why it would not start."""
    log.seek(0)
    lines = log.read().decode(errors="replace").strip().splitlines()
    return " / ".join(line.strip() for line in lines[-3:])[:400]


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def send(base: str, request: Request) -> Answer:
    """Send ``request`` to the mock at ``base`` and read the answer."""
    with httpx.Client(timeout=REQUEST_TIMEOUT, follow_redirects=request.follow) as client:
        response = client.request(
            request.method,
            base + request.target,
            headers=request.headers,
            content=request.body or None,
        )
    headers = {k.lower(): v for k, v in response.headers.items()}
    return Answer(response.status_code, headers, response.text)


def prepare(case: Case) -> Outcome:
    """The case's expected answer and translated request, or why it is skipped."""
    outcome = Outcome(case, skipped=skip_reason(case))
    if outcome.skipped:
        return outcome
    try:
        outcome.expected = parse_answer(case.expected)
        outcome.request = translate(case.get("command").strip())
    except (ValueError, IndexError) as error:
        outcome.skipped = f"the case could not be read: {error}"
        return outcome
    prism_flags(case, outcome.request)
    return outcome


def run_case(case: Case) -> Outcome:
    """Start the mock on the case's document, send its request and compare the answer."""
    outcome = prepare(case)
    request = outcome.request
    if request is None:
        return outcome
    with tempfile.TemporaryDirectory() as folder:
        spec_path = Path(folder) / f"harness{_suffix(case.get('spec'))}"
        spec_path.write_text(case.get("spec"), encoding="utf-8")
        try:
            with serving(spec_path, serve_flags(case)) as (base, _):
                outcome.got = send(base, request)
        except (RuntimeError, httpx.HTTPError) as error:
            outcome.error = f"{type(error).__name__}: {error}"
    judge(outcome, request)
    return outcome


def judge(outcome: Outcome, request: Request) -> None:
    """Compare status, content type and body; name the disagreement's category."""
    expected, got = outcome.expected, outcome.got
    if expected is None or got is None:
        outcome.category = "document refused or no answer"
        return
    outcome.status = expected.status == got.status
    outcome.media = media_agrees(expected, got)
    outcome.body = (
        request.head_only
        or not expected.stated_body
        or body_agrees(expected.body, got.body, outcome.case.mode)
    )
    if not outcome.agrees:
        outcome.category = categorise(outcome.case, request, expected, got)


def categorise(case: Case, request: Request, expected: Answer, got: Answer) -> str:
    """A short, heuristic name for why mockserver's answer differs from Prism's."""
    spec = case.get("spec")
    checks = [
        (request.method == "HEAD", "HEAD"),
        (request.header("origin") is not None and got.status == 400, "CORS origin not allowed"),
        (
            any(f"{k}=" in request.target for k in ("__code", "__example", "__dynamic")),
            "query override __code",
        ),
        (got.status >= 500 and "pattern" in spec, "pattern dialect"),
        (expected.status in (401, 403) or got.status in (401, 403), "security scheme"),
        (406 in (expected.status, got.status), "content negotiation (406)"),
        (expected.status >= 500 > got.status, "Prism fails (5xx) where mockserver answers"),
        (expected.status >= 400 > got.status >= 200, "refused request answered 2xx"),
        (expected.status < 400 <= got.status, "valid request refused"),
        (expected.status != got.status, "other status"),
        (not media_agrees(expected, got), "content type"),
        (case.mode == "keys", "key order"),
        (case.mode == "loose", "generated data omits declared properties"),
        (expected.body.lstrip().startswith("<xml"), "XML root element name"),
        (
            '"string"' in expected.body or expected.body.strip() in ("string", "0"),
            "Prism's static placeholder (no example)",
        ),
        (not expected.body.strip() and got.body.strip() != "", "body where none is declared"),
        ("example" in spec or "default" in spec, "schema example ignored"),
    ]
    return next((name for hit, name in checks if hit), "other")


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _answer(answer: Answer | None) -> str:
    if answer is None:
        return "—"
    return f"{answer.status} `{answer.media_type or '(none)'}` {_short(answer.body)}"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def render(outcomes: list[Outcome], seconds: float) -> str:
    """The Markdown report: totals, categories, every disagreement and every skipped case."""
    ran = [o for o in outcomes if not o.skipped]
    skipped = [o for o in outcomes if o.skipped]
    total = len(ran)

    def pct(n: int) -> str:
        return f"{n} of {total} ({100 * n / total:.0f}%)" if total else "0"

    lines = [
        "# Prism's test harness against mockserver",
        "",
        f"Generated by `python -m bench.prism_harness` (`make prism-harness`) on "
        f"{dt.date.today().isoformat()} at commit `{_commit()}`, in {seconds:.0f} s: each case "
        "starts `mockserver serve --any-token` once as a subprocess and sends the case's curl "
        "request over a real socket. Cases: bench/prism-harness/cases (Prism's "
        "`test-harness/specs`, see PROVENANCE.md).",
        "",
        "Comparison: status exactly; content type by its essence (parameters such as charset "
        "ignored) when the case names one; body exactly for `====expect====` (JSON compared as "
        "values), for `====expect-loose====` as Prism's runner does (every expected JSON "
        "key present, values free; text exact) and for `====expect-keysOnly====` by the "
        "top-level keys in order. XML bodies are compared by element structure (values "
        "free), as Prism's runner does. "
        "Bodies are not compared for `curl -I` requests nor where the case states no body "
        "(no blank line after its headers). "
        "Categories are a heuristic first reading, not a diagnosis.",
        "",
        f"- cases: {len(outcomes)}, run: {total}, skipped: {len(skipped)}",
        f"- status agrees: {pct(sum(o.status for o in ran))}",
        f"- content type agrees: {pct(sum(o.media for o in ran))}",
        f"- body agrees: {pct(sum(o.body for o in ran))}",
        f"- all three agree: {pct(sum(o.agrees for o in ran))}",
        "",
        "## Disagreements by category",
        "",
        "| category | cases | of which status differs |",
        "|---|---|---|",
    ]
    wrong = [o for o in ran if not o.agrees]
    counts = Counter(o.category for o in wrong)
    status_counts = Counter(o.category for o in wrong if not o.status)
    lines += [f"| {c} | {n} | {status_counts[c]} |" for c, n in counts.most_common()]
    lines += [
        "",
        "## Every disagreement",
        "",
        "| case | category | status | type | body | expected (Prism) | got (mockserver) |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in wrong:
        got = _answer(o.got) if o.got else _short(o.error)
        lines.append(
            f"| {o.case.name} | {o.category} | {_mark(o.status)} | {_mark(o.media)} | "
            f"{_mark(o.body)} | {_answer(o.expected)} | {got} |"
        )
    lines += ["", "## Skipped", "", "| case | reason |", "|---|---|"]
    lines += [f"| {o.case.name} | {o.skipped} |" for o in skipped]
    return "\n".join(lines) + "\n"


def save_raw(path: Path, outcomes: list[Outcome], seconds: float) -> None:
    """Keep what mockserver answered, so the judging can be re-run without the servers."""
    rows = [
        {"name": o.case.name, "error": o.error, "got": None if o.got is None else vars(o.got)}
        for o in outcomes
    ]
    path.write_text(json.dumps({"seconds": seconds, "outcomes": rows}), encoding="utf-8")


def rejudge(path: Path) -> tuple[list[Outcome], float]:
    """Judge answers kept by save_raw again, against the cases as they are now."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    cases = {c.name: c for c in load_cases()}
    outcomes = []
    for row in raw["outcomes"]:
        outcome = prepare(cases[row["name"]])
        outcome.error = row["error"]
        outcome.got = Answer(**row["got"]) if row["got"] else None
        if outcome.request is not None:
            judge(outcome, outcome.request)
        outcomes.append(outcome)
    return outcomes, float(raw["seconds"])


def run_all(only: str) -> tuple[list[Outcome], float]:
    """Run every case whose name contains ``only``, printing each verdict."""
    started = time.perf_counter()
    outcomes = []
    for case in load_cases():
        if only not in case.name:
            continue
        outcome = run_case(case)
        outcomes.append(outcome)
        state = "skip" if outcome.skipped else ("ok" if outcome.agrees else outcome.category)
        print(f"{case.name}: {state}", flush=True)
    return outcomes, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--out", type=Path, default=REPORT, help="the report to write")
    parser.add_argument("--raw", type=Path, help="also keep mockserver's answers in this file")
    parser.add_argument("--rejudge", type=Path, help="judge answers kept by --raw; no servers")
    args = parser.parse_args(argv)
    if args.rejudge:
        outcomes, seconds = rejudge(args.rejudge)
    else:
        outcomes, seconds = run_all(args.only)
        if args.raw:
            save_raw(args.raw, outcomes, seconds)
    args.out.write_text(render(outcomes, seconds), encoding="utf-8")
    ran = [o for o in outcomes if not o.skipped]
    print(
        f"status agrees on {sum(o.status for o in ran)} of {len(ran)}; "
        f"all three on {sum(o.agrees for o in ran)}; {seconds:.0f} s; wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
