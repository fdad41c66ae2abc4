"""`make compare`: mockserver validate, Spectral and Redocly over the same corpus, in one run,
then the same tools and openapi-spec-validator over the official validity suites
(bench/official.py), then mockserver diff beside oasdiff's asserted results
(:func:`diff_section`).

The corpus is tests/validate/broken/: one planted defect per document (its line listed in
expected.yaml) and clean/ documents that must produce nothing. A tool finds a defect when
it reports an error-level problem on the planted line of that document (mockserver: the
expected rule code on that line); any error-level problem on a clean document is a false
error. Time is the wall time of each command line on LaunchDarkly's 2.6 MB document,
median of three (Spectral, which takes tens of seconds, once). Writes
bench/validate-compare.md. Spectral and Redocly are installed from the npm registry into
the ignored bench/.tools/validators/.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench import diff_compare, official
from mockserver.spec.source import load_source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "validate" / "broken"
CLEAN = CORPUS / "clean"
FULL = ROOT / "tests" / "data" / "ld-openapi.full.json"
TOOLS = Path(__file__).resolve().parent / ".tools" / "validators"
REPORT = Path(__file__).resolve().parent / "validate-compare.md"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"
REDOCLY = "@redocly/cli@2.77.0"

Hits = dict[Path, set[int]]  # file -> lines with an error-level problem


def install() -> tuple[list[str], list[str]]:
    """The Spectral and Redocly commands, installed locally from the npm registry."""
    bin_dir = TOOLS / "node_modules" / ".bin"
    if not (bin_dir / "spectral").exists() or not (bin_dir / "redocly").exists():
        if shutil.which("npm") is None:
            sys.exit("make compare needs npm (Node.js 20 or later)")
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(TOOLS),
             SPECTRAL, REDOCLY],
            check=True,
        )
    (TOOLS / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n')
    spectral = [str(bin_dir / "spectral"), "lint", "-r", str(TOOLS / ".spectral.yaml")]
    return spectral, [str(bin_dir / "redocly"), "lint"]


def _run(command: list[str]) -> str:
    try:
        result = subprocess.run(
            command, cwd=TOOLS, capture_output=True, text=True, check=False, timeout=600
        )
    except subprocess.TimeoutExpired:
        return ""
    return result.stdout


def batched(hits: Callable[[list[str], list[Path]], Hits]) -> Callable[..., Hits]:
    """Run a tool once over the readable files and alone on each unreadable one: both
    Spectral (on an alias bomb) and Redocly (on a syntax error) give up on the whole batch
    when one file breaks them."""

    def run(command: list[str], readable: list[Path], unreadable: list[Path]) -> Hits:
        found = hits(command, readable)
        for path in unreadable:
            found.update(hits(command, [path]))
        return found

    return run


def spectral_hits(command: list[str], files: list[Path]) -> Hits:
    """Error-level problems from one Spectral run over every file."""
    out = _run([*command, "-f", "json", "--quiet", *map(str, files)])
    hits: Hits = {}
    for problem in json.loads(out[out.index("[") :]) if "[" in out else []:
        if problem.get("severity") == 0:
            line = problem["range"]["start"]["line"] + 1
            hits.setdefault(Path(problem["source"]).resolve(), set()).add(line)
    return hits


def redocly_hits(command: list[str], files: list[Path]) -> Hits:
    """Error-level problems from one Redocly run over every file, placed by their pointer."""
    out = _run([*command, "--format", "json", *map(str, files)])
    hits: Hits = {}
    for report in _json_documents(out):  # one JSON report per file, one after the other
        for problem in report.get("problems", []):
            if problem.get("severity") != "error":
                continue
            for where in problem.get("location", [])[:1]:
                path = (TOOLS / where["source"]["ref"]).resolve()
                line = where.get("start", {}).get("line") or _line(path, where.get("pointer", "#"))
                hits.setdefault(path, set()).add(line)
    return hits


def _json_documents(text: str) -> list[Any]:
    decoder, documents, index = json.JSONDecoder(), [], 0
    while True:
        start = text.find("{", index)
        if start < 0:
            return documents
        document, index = decoder.raw_decode(text, start)
        documents.append(document)


def _line(path: Path, pointer: str) -> int:
    try:
        return load_source(path).position(pointer.lstrip("#")).line
    except Exception:  # an unparsable file: Redocly places its error at the top
        return 1


def mockserver_hits(files: list[Path]) -> dict[Path, set[tuple[str, int]]]:
    """(code, line) of every finding of one `mockserver validate` run over every file."""
    out = _run([sys.executable, "-m", "mockserver", "validate", "--format", "json",
                *map(str, files)])
    found: dict[Path, set[tuple[str, int]]] = {}
    for finding in json.loads(out)["findings"]:
        path = (ROOT / finding["file"]).resolve() if not Path(finding["file"]).is_absolute() \
            else Path(finding["file"])
        found.setdefault(path.resolve(), set()).add((finding["code"], finding["line"]))
    return found


def wall_time(command: list[str], rounds: int) -> float:
    """Median wall time of ``command``, in seconds."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, cwd=TOOLS, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    spectral, redocly = install()
    expected: list[dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
    broken = [(CORPUS / e["file"]).resolve() for e in expected]
    clean = sorted(p.resolve() for p in CLEAN.glob("*.yaml"))
    files = broken + clean
    unreadable = [p for p, e in zip(broken, expected, strict=True) if e["code"] < "MS100"]
    readable = [p for p in files if p not in unreadable]
    ours = mockserver_hits(files)
    theirs = {
        "Spectral": batched(spectral_hits)(spectral, readable, unreadable),
        "Redocly": batched(redocly_hits)(redocly, readable, unreadable),
    }
    rows = []
    for entry, path in zip(expected, broken, strict=True):
        row = {"file": entry["file"], "code": entry["code"], "line": entry["line"]}
        row["mockserver"] = (entry["code"], entry["line"]) in ours.get(path, set())
        for tool, hits in theirs.items():
            row[tool] = entry["line"] in hits.get(path, set())
        rows.append(row)
    false_errors = {"mockserver": sum(len(ours.get(p, ())) for p in clean)}
    for tool, hits in theirs.items():
        false_errors[tool] = sum(len(hits.get(p, ())) for p in clean)
    times = {
        "mockserver": wall_time([sys.executable, "-m", "mockserver", "validate", str(FULL)], 3),
        "Redocly": wall_time([*redocly, str(FULL)], 3),
        "Spectral": wall_time([*spectral, str(FULL)], 1),
    }
    report = render(rows, false_errors, times, len(clean))
    REPORT.write_text(report + official_section(spectral, redocly))
    print(REPORT.read_text())


def official_section(spectral: list[str], redocly: list[str]) -> str:
    """The four tools on the official suites, each document alone."""
    from importlib.metadata import version

    valid, invalid = official.documents()
    judges = [
        ("`mockserver validate`", official.mockserver_judge),
        (f"openapi-spec-validator {version('openapi-spec-validator')}",
         official.openapi_spec_validator_judge),
        (f"Spectral {SPECTRAL.rsplit('@', 1)[1]}", official.spectral_judge(spectral)),
        (f"Redocly CLI {REDOCLY.rsplit('@', 1)[1]}", official.redocly_judge(redocly)),
    ]
    scores = [official.score(name, judge, valid, invalid) for name, judge in judges]
    return official.render(scores, len(valid), len(invalid))


def render(
    rows: list[dict[str, Any]], false_errors: dict[str, int], times: dict[str, float], clean: int
) -> str:
    """The report as Markdown."""
    tools = ("mockserver", "Spectral", "Redocly")
    names = {
        "mockserver": "`mockserver validate`",
        "Spectral": f"Spectral {SPECTRAL.rsplit('@', 1)[1]} (`spectral:oas`)",
        "Redocly": f"Redocly CLI {REDOCLY.rsplit('@', 1)[1]} (`recommended`)",
    }
    mark: Callable[[bool], str] = lambda hit: "yes" if hit else "–"  # noqa: E731, RUF001
    lines = [
        "# `mockserver validate` against Spectral and Redocly",
        "",
        f"Written by `make compare` on {datetime.now(UTC):%Y-%m-%d} "
        f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}). "
        f"{len(rows)} documents with one planted defect each, {clean} clean documents "
        "(tests/validate/broken/). A defect counts as found when the tool reports an "
        "error-level problem on its line (mockserver: the expected rule code on that line).",
        "",
        "| tool | planted defects found at their line | errors on the clean documents "
        "| time on ld-openapi.full.json (2.6 MB) |",
        "|---|---|---|---|",
    ]
    for tool in tools:
        found = sum(row[tool] for row in rows)
        how = "median of 3" if tool != "Spectral" else "one run"
        lines.append(
            f"| {names[tool]} | {found} of {len(rows)} | {false_errors[tool]} "
            f"| {times[tool]:.2f} s ({how}) |"
        )
    missed = [r for r in rows if not r["mockserver"] and (r["Spectral"] or r["Redocly"])]
    only = [r for r in rows if r["mockserver"] and not (r["Spectral"] or r["Redocly"])]
    lines += [
        "",
        f"Found by Spectral or Redocly but not by mockserver: {len(missed)}"
        + (": " + ", ".join(r["file"] for r in missed) if missed else "."),
        f"Found by mockserver and by neither of the others: {len(only)}.",
        "",
        "| document | rule | line | mockserver | Spectral | Redocly |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['file']} | {row['code']} | {row['line']} | "
            + " | ".join(mark(row[t]) for t in tools)
            + " |"
        )
    return "\n".join(lines) + "\n"


def diff_section() -> None:
    """The diff section: mockserver diff beside oasdiff's asserted results on oasdiff's
    own test pairs (bench/diff_compare.py), written to bench/diff-compare.md."""
    diff_compare.main()


if __name__ == "__main__":
    if sys.argv[1:] != ["diff"]:  # `python -m bench.compare diff`: the diff section alone
        main()
    diff_section()
