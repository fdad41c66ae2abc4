"""The official validity suites in `make compare`: documents no one here wrote.

tests/data/official/ holds the OpenAPI Initiative's schema tests and openapi-spec-validator's
documents, each marked valid or invalid in suites.json. Every tool runs on every document
alone (so one document that breaks a tool cannot hide the others' verdicts): a document
is rejected when the tool reports an error-level problem, accepted when it reports none,
and a crash when the tool gives no report at all. Each run has a deadline
(bench/external.py): a tool that misses it gets "timeout after N s" for that document, a
tool that is not there "not installed". Spectral and Redocly are the commands
bench/compare.py installs; openapi-spec-validator is the Python package of the venv.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench import external

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = ROOT / "tests" / "data" / "official"
#: Every tool reads one of these small documents in under 2 s.
TIMEOUT = 30.0
#: Documents judged at once (each run is one process on one core): the time, not the
#: verdicts, depends on it. `make compare`'s timings run alone, after these.
WORKERS = 2

ACCEPTED, REJECTED, CRASHED = "accepted", "rejected", "crashed"
Judge = Callable[[Path], str]  # a verdict, or "timeout after N s"


@dataclass
class Score:
    """One tool's verdicts on the suites (``installed`` False: none)."""

    tool: str
    installed: bool = True
    caught: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    rejected_valid: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)


def documents() -> tuple[list[Path], list[Path]]:
    """(valid, invalid) documents, as suites.json lists them."""
    manifest = json.loads((OFFICIAL / "suites.json").read_text(encoding="utf-8"))
    pick: dict[str, list[Path]] = {
        verdict: sorted(p for pattern in manifest[verdict] for p in OFFICIAL.glob(pattern))
        for verdict in ("valid", "invalid")
    }
    return pick["valid"], pick["invalid"]


def _output(command: list[str]) -> tuple[int, str] | str:
    """(exit code, stdout and stderr), or why there is none."""
    outcome = external.run(command, timeout=TIMEOUT, cwd=ROOT)
    if outcome.problem is not None:
        return outcome.problem
    return outcome.code, outcome.stdout + outcome.stderr


def mockserver_judge(path: Path) -> str:
    """Rejected on an error-level finding (a warning does not fail the run); MS006 (mockserver
    itself failed on the file) or no JSON report is a crash."""
    done = _output([sys.executable, "-m", "mockserver", "validate", "--format", "json",
                    str(path)])
    if isinstance(done, str):
        return done
    code, out = done
    try:
        findings = json.loads(out[out.index("{"):])["findings"]
    except (ValueError, KeyError):
        return CRASHED
    if any(f["code"] == "MS006" for f in findings):
        return CRASHED
    if any(f.get("severity", "error") == "error" for f in findings):
        return REJECTED
    return ACCEPTED if code == 0 else CRASHED


def openapi_spec_validator_name() -> str:
    """The tool's name and version, as the report shows it."""
    try:
        return f"openapi-spec-validator {version('openapi-spec-validator')}"
    except PackageNotFoundError:
        return "openapi-spec-validator"


def openapi_spec_validator_judge() -> Judge | None:
    """Its command line prints OK, or the validation error; a traceback is a crash."""
    if importlib.util.find_spec("openapi_spec_validator") is None:
        return None

    def judge(path: Path) -> str:
        done = _output([sys.executable, "-m", "openapi_spec_validator", str(path)])
        if isinstance(done, str):
            return done
        code, out = done
        if "Traceback" in out:
            return CRASHED
        return ACCEPTED if code == 0 else REJECTED

    return judge


def spectral_judge(command: list[str] | None) -> Judge | None:
    """Spectral's JSON report: severity 0 is an error."""
    if command is None:
        return None

    def judge(path: Path) -> str:
        done = _output([*command, "-f", "json", "--quiet", str(path)])
        if isinstance(done, str):
            return done
        out = done[1]
        try:
            problems = json.loads(out[out.index("["):])
        except ValueError:
            return CRASHED
        return REJECTED if any(p.get("severity") == 0 for p in problems) else ACCEPTED

    return judge


def redocly_judge(command: list[str] | None) -> Judge | None:
    """Redocly's JSON report: problems of severity "error"."""
    if command is None:
        return None

    def judge(path: Path) -> str:
        done = _output([*command, "--format", "json", str(path)])
        if isinstance(done, str):
            return done
        out = done[1]
        try:
            report = json.JSONDecoder().raw_decode(out, out.index("{"))[0]
        except ValueError:
            return CRASHED
        problems = report.get("problems", [])
        return REJECTED if any(p.get("severity") == "error" for p in problems) else ACCEPTED

    return judge


def score(tool: str, judge: Judge | None, valid: list[Path], invalid: list[Path]) -> Score:
    """Every document judged once by ``judge`` (None: the tool is not installed)."""
    result = Score(tool, installed=judge is not None)
    if judge is None:
        return result
    documents = [*((p, True) for p in valid), *((p, False) for p in invalid)]
    with ThreadPoolExecutor(WORKERS) as pool:
        verdicts = list(pool.map(judge, [path for path, _ in documents]))
    for (path, is_valid), verdict in zip(documents, verdicts, strict=True):
        name = path.relative_to(OFFICIAL).as_posix()
        print(f"{tool}: {name}: {verdict}", file=sys.stderr)
        if verdict not in (ACCEPTED, REJECTED, CRASHED):
            result.timed_out.append(f"{name} ({verdict})")
        elif verdict == CRASHED:
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
        "examples) and openapi-spec-validator's test data (its 2.0, 3.0 and 3.1 documents). "
        "Each tool runs on each document alone, with a deadline of "
        f"{TIMEOUT:g} s; a document is rejected on an error-level problem (a warning, such as "
        "mockserver's MS132 on an unquoted status code, does not reject it). The valid "
        "documents mockserver rejects break a MUST of the specification's text or reach the "
        "network; each is listed with its reason in docs/validate.md.",
        "",
        "| tool | invalid caught | valid rejected | crashes | timeouts |",
        "|---|---|---|---|---|",
    ]
    for s in scores:
        if not s.installed:
            lines.append(f"| {s.tool} | not installed | not installed | – | – |")  # noqa: RUF001
            continue
        lines.append(
            f"| {s.tool} | {len(s.caught)} of {invalid} | {len(s.rejected_valid)} of {valid} "
            f"| {len(s.crashed)} | {len(s.timed_out)} |"
        )
    for s in scores:
        if s.installed:
            lines += ["", _details(s)]
    return "\n".join(lines) + "\n"


def _details(s: Score) -> str:
    text = (
        f"{s.tool}: misses {_names(s.missed)}; rejects valid {_names(s.rejected_valid)}; "
        f"crashes on {_names(s.crashed)}"
    )
    return text + (f"; no answer in time on {_names(s.timed_out)}." if s.timed_out else ".")


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"
