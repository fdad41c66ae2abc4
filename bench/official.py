"""The official validity suites in `make compare`: documents no one here wrote.

tests/data/official/ holds the OpenAPI Initiative's schema tests and openapi-spec-validator's
documents, each marked valid or invalid in suites.json. Every tool runs on every document
alone (so one document that breaks a tool cannot hide the others' verdicts): a document
is rejected when the tool reports an error-level problem, accepted when it reports none,
and a crash when the tool gives no report at all. Spectral and Redocly are the commands
bench/compare.py installs; openapi-spec-validator is the Python package of the venv.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = ROOT / "tests" / "data" / "official"

ACCEPTED, REJECTED, CRASHED = "accepted", "rejected", "crashed"
Judge = Callable[[Path], str]


@dataclass
class Score:
    """One tool's verdicts on the suites."""

    tool: str
    caught: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    rejected_valid: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)


def documents() -> tuple[list[Path], list[Path]]:
    """(valid, invalid) documents, as suites.json lists them."""
    manifest = json.loads((OFFICIAL / "suites.json").read_text(encoding="utf-8"))
    pick = lambda verdict: sorted(  # noqa: E731
        p for pattern in manifest[verdict] for p in OFFICIAL.glob(pattern)
    )
    return pick("valid"), pick("invalid")


def _output(command: list[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
        )
    except subprocess.TimeoutExpired:
        return -1, ""
    return done.returncode, done.stdout + done.stderr


def mockserver_judge(path: Path) -> str:
    """Exit 0 accepted, 1 findings; 2 with MS006 (or no JSON report) is a crash."""
    code, out = _output([sys.executable, "-m", "mockserver", "validate", "--format", "json",
                         str(path)])
    try:
        findings = json.loads(out[out.index("{"):])["findings"]
    except (ValueError, KeyError):
        return CRASHED
    if any(f["code"] == "MS006" for f in findings):
        return CRASHED
    return REJECTED if findings else ACCEPTED if code == 0 else CRASHED


def openapi_spec_validator_judge(path: Path) -> str:
    """Its command line prints OK, or the validation error; a traceback is a crash."""
    code, out = _output([sys.executable, "-m", "openapi_spec_validator", str(path)])
    if "Traceback" in out:
        return CRASHED
    return ACCEPTED if code == 0 else REJECTED


def spectral_judge(command: list[str]) -> Judge:
    """Spectral's JSON report: severity 0 is an error."""

    def judge(path: Path) -> str:
        _, out = _output([*command, "-f", "json", "--quiet", str(path)])
        try:
            problems = json.loads(out[out.index("["):])
        except ValueError:
            return CRASHED
        return REJECTED if any(p.get("severity") == 0 for p in problems) else ACCEPTED

    return judge


def redocly_judge(command: list[str]) -> Judge:
    """Redocly's JSON report: problems of severity "error"."""

    def judge(path: Path) -> str:
        _, out = _output([*command, "--format", "json", str(path)])
        try:
            report = json.JSONDecoder().raw_decode(out, out.index("{"))[0]
        except ValueError:
            return CRASHED
        problems = report.get("problems", [])
        return REJECTED if any(p.get("severity") == "error" for p in problems) else ACCEPTED

    return judge


def score(tool: str, judge: Judge, valid: list[Path], invalid: list[Path]) -> Score:
    """Every document judged once by ``judge``."""
    result = Score(tool)
    for path, is_valid in [*((p, True) for p in valid), *((p, False) for p in invalid)]:
        name = path.relative_to(OFFICIAL).as_posix()
        verdict = judge(path)
        if verdict == CRASHED:
            result.crashed.append(name)
        elif is_valid and verdict == REJECTED:
            result.rejected_valid.append(name)
        elif not is_valid:
            (result.caught if verdict == REJECTED else result.missed).append(name)
    return result


def render(scores: list[Score], valid: int, invalid: int) -> str:
    """The suites' section of bench/validate-compare.md."""
    lines = [
        "",
        "## The official validity suites",
        "",
        f"tests/data/official/ (provenance in its README): {invalid} invalid and {valid} valid "
        "documents from the OpenAPI Initiative's schema tests (3.1 pass and fail, the 3.0 "
        "examples) and openapi-spec-validator's test data. Each tool runs on each document "
        "alone; a document is rejected on an error-level problem. mockserver rejects 7 valid "
        "documents on purpose: 6 break a requirement of the specification's text and 1 has a "
        "remote $ref (listed with reasons in tests/validate/test_official_suites.py).",
        "",
        "| tool | invalid caught | valid rejected | crashes |",
        "|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.tool} | {len(s.caught)} of {invalid} | {len(s.rejected_valid)} of {valid} "
            f"| {len(s.crashed)} |"
        )
    for s in scores:
        lines += [
            "",
            f"{s.tool}: misses {_names(s.missed)}; rejects valid {_names(s.rejected_valid)}; "
            f"crashes on {_names(s.crashed)}.",
        ]
    return "\n".join(lines) + "\n"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"
