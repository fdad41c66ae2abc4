"""`make compare`: mockserver validate, Spectral and Redocly over the same corpus, in one run,
then the same tools and openapi-spec-validator over the official validity suites
(bench/official.py), then mockserver diff beside oasdiff's asserted results
(:func:`diff_section`).

The corpus is tests/validate/broken/: one planted defect per document (its line listed in
expected.yaml) and clean/ documents that must produce nothing. A tool finds a defect when
it reports an error-level problem on the planted line of that document (mockserver: the
expected rule code on that line); any error-level problem on a clean document is a false
error. Time is the wall time of each command line on LaunchDarkly's 2.6 MB document:
mockserver and Redocly alternate, median of five rounds each; Spectral, which takes tens of
seconds, runs once. Writes bench/validate-compare.md. Spectral and Redocly are installed
from the npm registry into the ignored bench/.tools/validators/.

No tool can stop the report (bench/external.py): every run has a deadline, per document
(a run over many documents at once gets a deadline for them all; if it misses it, each
document is run again alone), and a tool that hangs on a document gets "timeout after N s"
there; a tool that cannot be installed gets "not installed".
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench import diff_compare, external, official
from mockserver.spec.source import load_source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "validate" / "broken"
CLEAN = CORPUS / "clean"
FULL = ROOT / "tests" / "data" / "ld-openapi.full.json"
TOOLS = Path(__file__).resolve().parent / ".tools" / "validators"
REPORT = Path(__file__).resolve().parent / "validate-compare.md"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"
REDOCLY = "@redocly/cli@2.77.0"
#: Each tool takes under 2 s on one small document; Spectral spins for minutes on an
#: alias bomb. A run over N documents at once gets DOC_TIMEOUT + N * BATCH_PER_DOC (all
#: of them take under 20 s on the 165 of the corpus); one that misses it, or gives no
#: report, is run again on each document alone, with DOC_TIMEOUT each.
DOC_TIMEOUT = 30.0
BATCH_PER_DOC = 2.0
#: Spectral took 29 s on the 2.6 MB document, the others about 3 s.
FULL_TIMEOUT = 300.0
ROUNDS = 5

Found = set[tuple[str, int]]  # (rule, line) of each error-level problem
Verdicts = dict[Path, Found | str]  # per file: its problems, or why the tool gave no report
Parse = Callable[[str], dict[Path, Found] | None]  # None: the output holds no report
Command = list[str] | None  # None: the tool is not installed
REDOCLY_PARSE_FAILURE = re.compile(
    r"Failed to parse API description at (?P<file>.+?):\n.*?\((?P<line>\d+):\d+\)", re.DOTALL
)
REDOCLY_REFUSAL = re.compile(
    r"Something went wrong when processing (?P<file>.+?):\n\s*- (?P<why>.+)"
)
#: openapi-spec-validator's place for an error: the instance's path in the document.
OSV_INSTANCE = re.compile(r"^On instance((?:\[[^\]]*\])*):", re.MULTILINE)
OSV_YAML_LINE = re.compile(r"line (\d+), column \d+")
OSV_ERROR = re.compile(r"Validation Error: (?:\[\d+\] )?|^\[\d+\] ", re.MULTILINE)
OSV_STEP = re.compile(r'\[("(?:[^"\\]|\\.)*"|\d+)\]')
NO_LINE = 0  # an error reported without a place in the document


def install() -> dict[str, Command]:
    """The Spectral and Redocly commands, installed locally from the npm registry."""
    bin_dir = TOOLS / "node_modules" / ".bin"
    missing = not (bin_dir / "spectral").exists() or not (bin_dir / "redocly").exists()
    if missing and shutil.which("npm") is not None:
        TOOLS.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(TOOLS)]
        external.run([*npm, SPECTRAL, REDOCLY], timeout=900, cwd=TOOLS)
    if (bin_dir / "spectral").exists():
        (TOOLS / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n')
    return {
        "Spectral": _command(bin_dir / "spectral", "lint", "-r", str(TOOLS / ".spectral.yaml")),
        "Redocly": _command(bin_dir / "redocly", "lint"),
    }


def _command(binary: Path, *args: str) -> Command:
    return [str(binary), *args] if binary.exists() else None


def lint(command: list[str], parse: Parse, alone: list[Path], batch: list[Path]) -> Verdicts:
    """Run a tool once over ``batch`` and alone on each of ``alone``: both Spectral (on an
    alias bomb) and Redocly (on a syntax error) give up on the whole batch when one file
    breaks them. A batch that gives no report is run again, one document at a time."""
    verdicts: Verdicts = {}
    if batch:
        found = once(command, parse, batch)
        if isinstance(found, str):
            alone = [*batch, *alone]
        else:
            verdicts.update(found)
    for path in alone:
        verdicts.update(_alone(command, parse, path))
    return verdicts


def _alone(command: list[str], parse: Parse, path: Path) -> Verdicts:
    found = once(command, parse, [path])
    return {path: found} if isinstance(found, str) else found


def once(command: list[str], parse: Parse, files: list[Path]) -> Verdicts | str:
    """One run over ``files``: each file's problems, or why there are none."""
    outcome = external.run([*command, *map(str, files)], timeout=_deadline(files), cwd=TOOLS)
    if outcome.problem is not None:
        return outcome.problem
    parsed = parse(outcome.stdout + "\n" + outcome.stderr)
    if parsed is None:
        return "no report"
    return {path: parsed.get(path, set()) for path in files}


def _deadline(files: list[Path]) -> float:
    return DOC_TIMEOUT if len(files) == 1 else DOC_TIMEOUT + BATCH_PER_DOC * len(files)


def spectral_parse(out: str) -> dict[Path, Found] | None:
    """Error-level problems (severity 0) of Spectral's JSON report."""
    try:  # the report, then whatever the tool wrote on stderr
        problems = json.JSONDecoder().raw_decode(out, out.index("["))[0]
    except ValueError:
        return None
    found: dict[Path, Found] = {}
    for problem in problems:
        if problem.get("severity") == 0:
            line = problem["range"]["start"]["line"] + 1
            where = Path(problem["source"]).resolve()
            found.setdefault(where, set()).add((str(problem.get("code", "")), line))
    return found


def redocly_parse(out: str) -> dict[Path, Found] | None:
    """Error-level problems of Redocly's JSON reports, placed by their pointer."""
    reports = _json_documents(out)  # one JSON report per file, one after the other
    if not reports:
        return _redocly_parse_failure(out)
    found: dict[Path, Found] = {}
    for report in reports:
        for problem in report.get("problems", []):
            if problem.get("severity") != "error":
                continue
            for where in problem.get("location", [])[:1]:
                path = (TOOLS / where["source"]["ref"]).resolve()
                line = where.get("start", {}).get("line") or _line(path, where.get("pointer", "#"))
                found.setdefault(path, set()).add((str(problem.get("ruleId", "")), line))
    return found


def _redocly_parse_failure(out: str) -> dict[Path, Found] | None:
    """Redocly's answer on a file it cannot parse or read as OpenAPI: no report, one line
    naming the place (or only the reason)."""
    if failed := REDOCLY_PARSE_FAILURE.search(out):
        return {(TOOLS / failed["file"]).resolve(): {("parse", int(failed["line"]))}}
    if refused := REDOCLY_REFUSAL.search(out):  # "Unsupported specification": no place
        return {(TOOLS / refused["file"]).resolve(): {(refused["why"], NO_LINE)}}
    return None


def _json_documents(text: str) -> list[Any]:
    decoder, index = json.JSONDecoder(), 0
    documents: list[Any] = []
    while (start := text.find("{", index)) >= 0:
        try:
            document, index = decoder.raw_decode(text, start)
        except ValueError:
            return documents
        documents.append(document)
    return documents


def _line(path: Path, pointer: str) -> int:
    try:
        return load_source(path).position(pointer.lstrip("#")).line
    except Exception:  # an unparsable file: Redocly places its error at the top
        return 1


def mockserver_parse(out: str) -> dict[Path, Found] | None:
    """(code, line) of every finding, whatever its level, of mockserver's JSON report."""
    try:
        findings = json.loads(out)["findings"]
    except (ValueError, KeyError):
        return None
    found: dict[Path, Found] = {}
    for finding in findings:
        path = (ROOT / finding["file"]).resolve()  # relative to the run's folder, ROOT
        found.setdefault(path, set()).add((finding["code"], finding["line"]))
    return found


def mockserver_verdicts(files: list[Path]) -> Verdicts:
    """One `mockserver validate` run over every file (it reads each file on its own)."""
    command = [sys.executable, "-m", "mockserver", "validate", "--format", "json"]
    outcome = external.run([*command, *map(str, files)], timeout=_deadline(files), cwd=ROOT)
    parsed = mockserver_parse(outcome.stdout) if outcome.ok else None
    if parsed is None:
        return dict.fromkeys(files, outcome.problem or "no report")
    return {path: parsed.get(path, set()) for path in files}


def osv_verdicts(files: list[Path]) -> Verdicts:
    """openapi-spec-validator's command line on each file alone (it stops at the first failing
    file of a batch), as it runs by default: its first error (`--validation-errors all` fails
    with "Error: 'in'" on some documents), placed at the line of the instance it names."""
    command = [sys.executable, "-m", "openapi_spec_validator"]

    def judge(path: Path) -> Found | str:
        outcome = external.run([*command, str(path)], timeout=DOC_TIMEOUT, cwd=ROOT)
        text = outcome.stdout + outcome.stderr
        return outcome.problem or (set() if outcome.code == 0 else _osv_found(path, text))

    with ThreadPoolExecutor(official.WORKERS) as pool:
        return dict(zip(files, pool.map(judge, files), strict=True))


def _osv_found(path: Path, text: str) -> Found | str:
    errors = OSV_ERROR.split(text)[1:]
    if not errors:  # not a validation error: YAML's own message names the line, or nothing
        if lines := OSV_YAML_LINE.findall(text):
            return {("yaml", int(lines[-1]))}
        return {(text.strip(), NO_LINE)} if "Error:" in text else "no report"
    found: Found = set()
    for error in errors:
        place = OSV_INSTANCE.search(error)
        if place is None:
            found.add((error.split("\n", 1)[0], NO_LINE))
            continue
        steps = [str(json.loads(step)) for step in OSV_STEP.findall(place[1])]
        found.add((error.split("\n", 1)[0], _line(path, "".join("/" + s for s in steps))))
    return found


def timings(commands: dict[str, Command]) -> dict[str, str]:
    """Wall time on the 2.6 MB document: mockserver and Redocly alternate, ROUNDS rounds,
    median of each; the others once."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    problems: dict[str, str] = {n: external.NOT_INSTALLED for n, c in commands.items() if not c}
    for round_ in range(ROUNDS):
        for name, command in commands.items():
            if command is None or name in problems or (name not in ALTERNATE and round_):
                continue
            cwd = ROOT if name == "mockserver" else TOOLS
            outcome = external.run([*command, str(FULL)], timeout=FULL_TIMEOUT, cwd=cwd)
            if outcome.problem is not None:
                problems[name] = outcome.problem
            else:
                samples[name].append(outcome.seconds)
    return {name: problems.get(name) or _median(samples[name]) for name in commands}


def _median(samples: list[float]) -> str:
    how = f"median of {len(samples)}" if len(samples) > 1 else "one run"
    return f"{statistics.median(samples):.2f} s ({how})"


def main() -> None:
    commands = install()
    expected: list[dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
    broken = [(CORPUS / e["file"]).resolve() for e in expected]
    clean = sorted(p.resolve() for p in CLEAN.glob("*.yaml"))
    files = broken + clean
    unreadable = [p for p, e in zip(broken, expected, strict=True) if e["code"] < "MS100"]
    readable = [p for p in files if p not in unreadable]
    verdicts: dict[str, Verdicts | str] = {"mockserver": mockserver_verdicts(files)}
    flags = {"Spectral": ["-f", "json", "--quiet"], "Redocly": ["--format", "json"]}
    parsers: dict[str, Parse] = {"Spectral": spectral_parse, "Redocly": redocly_parse}
    for tool, command in commands.items():
        verdicts[tool] = (
            lint([*command, *flags[tool]], parsers[tool], unreadable, readable)
            if command
            else external.NOT_INSTALLED
        )
    osv = official.openapi_spec_validator_judge() is not None
    verdicts[OSV] = osv_verdicts(files) if osv else external.NOT_INSTALLED
    rows = [_row(entry, path, verdicts) for entry, path in zip(expected, broken, strict=True)]
    validate = [sys.executable, "-m", "mockserver", "validate"]
    times = timings({"mockserver": validate, "Redocly": commands["Redocly"],
                     "Spectral": commands["Spectral"],
                     OSV: [sys.executable, "-m", "openapi_spec_validator"] if osv else None})
    report = render(rows, verdicts, clean, times)
    REPORT.write_text(report + official_section(commands))
    print(REPORT.read_text())


def _row(entry: dict[str, Any], path: Path, verdicts: dict[str, Verdicts | str]) -> dict[str, Any]:
    """One planted defect: per tool, found (True), missed (False), or why no report."""
    row: dict[str, Any] = {"file": entry["file"], "code": entry["code"], "line": entry["line"]}
    for tool, per_file in verdicts.items():
        found = per_file if isinstance(per_file, str) else per_file.get(path, set())
        if isinstance(found, str):
            row[tool] = found
        elif tool == "mockserver":
            row[tool] = (entry["code"], entry["line"]) in found
        elif any(line == entry["line"] for _, line in found):
            row[tool] = True
        else:
            row[tool] = "no line" if any(line == NO_LINE for _, line in found) else False
    return row


def official_section(commands: dict[str, Command]) -> str:
    """The four tools on the official suites, each document alone."""
    valid, invalid = official.documents()
    redocly = commands["Redocly"]
    judges: list[tuple[str, official.Judge | None]] = [
        ("`mockserver validate`", official.mockserver_judge),
        (official.openapi_spec_validator_name(), official.openapi_spec_validator_judge()),
        (NAMES["Spectral"], official.spectral_judge(commands["Spectral"])),
        (NAMES["Redocly"], official.redocly_judge(redocly)),
        # Redocly's `recommended` makes style rules errors (servers, security); `spec` is its
        # ruleset of the specification's requirements alone, the fair one for validity
        (NAMES["Redocly"].replace("`recommended`", "`spec`"),
         official.redocly_judge([*redocly, "--extends", "spec"] if redocly else None)),
    ]
    scores = [official.score(name, judge, valid, invalid) for name, judge in judges]
    return official.render(scores, len(valid), len(invalid))


OSV = "openapi-spec-validator"
ALTERNATE = ("mockserver", "Redocly")  # timed in alternation, median of ROUNDS
TOOLS_SHOWN = ("mockserver", "Spectral", "Redocly", OSV)
NAMES = {
    "mockserver": "`mockserver validate`",
    "Spectral": f"Spectral {SPECTRAL.rsplit('@', 1)[1]} (`spectral:oas`)",
    "Redocly": f"Redocly CLI {REDOCLY.rsplit('@', 1)[1]} (`recommended`)",
    OSV: official.openapi_spec_validator_name() + " (its first error)",
}


def render(
    rows: list[dict[str, Any]],
    verdicts: dict[str, Verdicts | str],
    clean: list[Path],
    times: dict[str, str],
) -> str:
    """The corpus's part of the report, as Markdown."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# `mockserver validate` against Spectral, Redocly and openapi-spec-validator",
        "",
        f"Written by `make compare` on {datetime.now(UTC):%Y-%m-%d} "
        f"({platform.machine()}, {os.cpu_count()} cores shared with other work, load average "
        f"{load} after the timings, Python {platform.python_version()}). "
        f"{len(rows)} documents with one planted defect each, {len(clean)} clean documents "
        "(tests/validate/broken/). A defect counts as found when the tool reports an "
        "error-level problem on its line (mockserver: the expected rule code on that line); "
        "openapi-spec-validator reports its first error and names the object it is about, "
        "placed here at that object's first line (an unknown key counts at its parent's "
        'line). "no line": the tool rejects the document without naming a place. Errors '
        "on the clean documents are distinct (rule, line) pairs of error level (mockserver: "
        "findings of any level). "
        f"Every run has a deadline of {DOC_TIMEOUT:g} s per document "
        f"({FULL_TIMEOUT:g} s on the 2.6 MB document); a tool that misses it gets "
        '"timeout after N s" for that document, and one that cannot be installed "not '
        'installed"; "no report": the tool printed neither a report nor a place. Times: '
        f"mockserver and Redocly alternate, median of {ROUNDS} runs each; the others, one run.",
        "",
        "| tool | planted defects found at their line | errors on the clean documents "
        "| documents without a report | time on ld-openapi.full.json (2.6 MB) |",
        "|---|---|---|---|---|",
    ]
    for tool in TOOLS_SHOWN:
        lines.append(_summary(tool, rows, verdicts[tool], clean, times[tool]))
    lines += _versus(rows)
    lines += [
        "",
        "| document | rule | line | mockserver | Spectral | Redocly | openapi-spec-validator |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = " | ".join(_mark(row[t]) for t in TOOLS_SHOWN)
        lines.append(f"| {row['file']} | {row['code']} | {row['line']} | {cells} |")
    return "\n".join(lines) + "\n"


def _summary(
    tool: str, rows: list[dict[str, Any]], verdicts: Verdicts | str, clean: list[Path], time: str
) -> str:
    if isinstance(verdicts, str):  # not installed
        return f"| {NAMES[tool]} | {verdicts} | {verdicts} | – | {time} |"  # noqa: RUF001
    found = sum(row[tool] is True for row in rows)
    errors = sum(len(v) for p in clean if not isinstance(v := verdicts.get(p, set()), str))
    silent = [v for v in verdicts.values() if isinstance(v, str)]
    why = f" ({', '.join(sorted(set(silent)))})" if silent else ""
    return f"| {NAMES[tool]} | {found} of {len(rows)} | {errors} | {len(silent)}{why} | {time} |"


def _versus(rows: list[dict[str, Any]]) -> list[str]:
    others = TOOLS_SHOWN[1:]
    missed = [r for r in rows if r["mockserver"] is not True and any(r[t] is True for t in others)]
    only = [r for r in rows if r["mockserver"] is True and not any(r[t] is True for t in others)]
    return [
        "",
        f"Found by another tool but not by mockserver: {len(missed)}"
        + (": " + ", ".join(r["file"] for r in missed) if missed else "."),
        f"Found by mockserver and by neither of the others: {len(only)}.",
    ]


def _mark(cell: bool | str) -> str:
    if isinstance(cell, str):
        return cell
    return "yes" if cell else "–"  # noqa: RUF001


def diff_section() -> None:
    """The diff section: mockserver diff beside oasdiff's asserted results on oasdiff's
    own test pairs (bench/diff_compare.py), written to bench/diff-compare.md."""
    diff_compare.main()


if __name__ == "__main__":
    if sys.argv[1:] != ["diff"]:  # `python -m bench.compare diff`: the diff section alone
        main()
    diff_section()
