"""Run the Schemathesis CLI against a served document and read back every failure.

The CLI runs in its own process: its Hypothesis settings, warnings and plugins stay apart
from the caller's (pytest's profile, ``filterwarnings = error``), and a run that overstays
its budget is interrupted like a user's Ctrl-C, so its events written so far still count.
Failures come from the NDJSON event stream (``--report ndjson``), which records, for each
failing check, the case, the request sent and the response received.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TOKEN = "mock-token"
ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
POSITIVE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
#: What a server must refuse: a request that breaks the document (negative data), and one
#: without valid credentials where the document asks for them.
NEGATIVE_CHECKS = ("negative_data_rejection", "ignored_auth")
EXCERPT = 400  # characters of a response body kept with a failure


@dataclass(frozen=True)
class Failure:
    """One failing check on one request."""

    operation: str  # "GET /pets/{id}", as the document spells it
    check: str  # the check's name, e.g. status_code_conformance
    code: str  # Schemathesis' failure code, e.g. ST103
    title: str
    message: str
    phase: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_type: str
    response_body: str
    case: dict[str, Any] = field(repr=False)  # the case as generated (before serialisation)

    def curl(self) -> str:
        """The request as a curl command line."""
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.request_headers.items():
            parts += ["-H", f"{name}: {value}"]
        if self.request_body is not None:
            parts += ["--data-binary", self.request_body]
        return shlex.join([*parts, self.url])

    def as_json(self) -> dict[str, Any]:
        """Everything but the raw case, for reports."""
        found = asdict(self)
        found.pop("case")
        found["curl"] = self.curl()
        return found


@dataclass
class Run:
    """What one Schemathesis run found."""

    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the engine's own errors, one line each
    cases: int = 0  # test cases whose response was checked
    exit_code: int | None = None
    timed_out: bool = False
    log: str = ""  # the CLI's terminal output, for a human to read


def credentials(document: Mapping[str, Any], token: str = TOKEN) -> dict[str, dict[str, str]]:
    """A credential for every security scheme the document declares, keyed by scheme name.

    Bearer-like schemes (HTTP bearer and other HTTP schemes, OAuth 2, OpenID Connect) get
    ``Bearer <token>``, API keys the raw token wherever they go, HTTP basic the token as
    its password. Mutual TLS has no credential to give.
    """
    schemes = document.get("components", {}).get("securitySchemes") or document.get(
        "securityDefinitions", {}
    )
    found: dict[str, dict[str, str]] = {}
    for name, scheme in (schemes or {}).items():
        if not isinstance(scheme, Mapping) or "$ref" in scheme:
            continue
        kind = scheme.get("type")
        if kind == "apiKey":
            found[name] = {"api_key": token}
        elif kind == "basic" or (kind == "http" and str(scheme.get("scheme")).lower() == "basic"):
            found[name] = {"username": "mock", "password": token}
        elif kind in ("http", "oauth2", "openIdConnect"):
            found[name] = {"bearer": token}
    return found


def config_text(schemes: Mapping[str, Mapping[str, str]]) -> str:
    """schemathesis.toml giving each scheme its credential, with no state kept between runs.

    Schemathesis otherwise caches failing cases and replays them on the next run: each
    run would depend on the ones before it.
    """
    lines = ["[cache]", "enabled = false"]
    for name, values in schemes.items():
        lines.append(f"[auth.openapi.{_toml_string(name)}]")
        lines += [f"{key} = {_toml_string(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    # A JSON string with ASCII escapes is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=True)


def run(
    location: Path,
    base_url: str,
    work: Path,
    *,
    checks: tuple[str, ...] = ("all",),
    phases: tuple[str, ...] = ALL_PHASES,
    mode: str = "all",
    max_examples: int = 10,
    seed: int = 1,
    timeout: float = 120.0,
    request_timeout: float = 10.0,
    continue_on_failure: bool = False,
) -> Run:
    """Run Schemathesis on ``location`` against ``base_url``; interrupt it after ``timeout`` s."""
    work.mkdir(parents=True, exist_ok=True)
    document = json.loads(location.read_text()) if location.suffix == ".json" else _yaml(location)
    config = work / "schemathesis.toml"
    config.write_text(config_text(credentials(document)))
    events = work / "events.ndjson"
    events.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", str(location), "--url", base_url,
        "--checks", ",".join(checks), "--phases", ",".join(phases), "--mode", mode,
        "--max-examples", str(max_examples), "--seed", str(seed),
        # No example database: every run starts from the seed alone.
        "--generation-database", "none",
        # Health checks judge Schemathesis' own data generation (too slow, too filtered,
        # too large), not the server.
        "--suppress-health-check", "all",
        "--request-timeout", str(request_timeout), "--workers", "1",
        # Keep the real credential in the reproducers: it is the mock's public token.
        "--output-sanitize", "false",
        "--report", "ndjson", "--report-ndjson-path", str(events),
    ]  # fmt: skip
    if continue_on_failure:
        command.append("--continue-on-failure")
    result = Run()
    result.exit_code, result.timed_out, result.log = _execute(command, timeout, work)
    if events.exists():
        _read_events(events, result)
    return result


def _yaml(location: Path) -> Any:
    import yaml  # noqa: PLC0415 - only YAML documents need it

    return yaml.safe_load(location.read_text())


def _execute(command: list[str], timeout: float, cwd: Path) -> tuple[int | None, bool, str]:
    """Run in ``cwd``, and on overstay interrupt (SIGINT: Schemathesis finishes its reports),
    then kill."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "120"}
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
        start_new_session=True,
    )  # fmt: skip
    timed_out = False
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGINT)
        try:
            out, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
    return process.returncode, timed_out, out.decode("utf-8", "replace")


def _read_events(path: Path, result: Run) -> None:
    seen: set[tuple[str, ...]] = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:  # the last line of an interrupted run
                continue
            kind, body = next(iter(event.items()))
            if kind in ("ScenarioFinished", "FuzzScenarioFinished"):
                phase = body.get("phase") or "fuzz"
                recorder = body.get("recorder") or {}
                result.cases += len(recorder.get("interactions") or {})
                for failure in _failures(recorder, phase):
                    key = (failure.operation, failure.check, failure.title, failure.message,
                           failure.method, failure.url, str(failure.status))  # fmt: skip
                    if key not in seen:
                        seen.add(key)
                        result.failures.append(failure)
            elif kind in ("NonFatalError", "FatalError"):
                result.errors.append(_error_line(body))


def _failures(recorder: Mapping[str, Any], phase: str) -> Iterator[Failure]:
    cases = recorder.get("cases") or {}
    interactions = recorder.get("interactions") or {}
    for case_id, checks in (recorder.get("checks") or {}).items():
        for check in checks:
            if check.get("status") != "failure":
                continue
            info = (check.get("failure_info") or {}).get("failure") or {}
            interaction = interactions.get(case_id) or {}
            request = interaction.get("request") or {}
            response = interaction.get("response") or {}
            headers = _headers(response)
            case = (cases.get(case_id) or {}).get("value") or {}
            yield Failure(
                operation=info.get("operation") or recorder.get("label", "?"),
                check=check.get("name", "?"),
                code=info.get("code") or "",
                title=info.get("title") or info.get("type", ""),
                message=(info.get("message") or "").strip(),
                phase=phase,
                method=request.get("method", "?"),
                url=request.get("uri", "?"),
                request_headers=_sent_headers(case, request),
                request_body=_text(request.get("body")),
                status=response.get("status_code"),
                response_type=headers.get("content-type", headers.get("Content-Type", "")),
                response_body=(_text(response.get("content")) or "")[:EXCERPT],
                case=case,
            )


def _sent_headers(case: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, str]:
    """The headers sent: the recorded request's, plus the case's own (the recording leaves
    out some, ``Accept`` among them), plus its cookies."""
    found = {str(k): str(v) for k, v in (case.get("headers") or {}).items()}
    found.update(_headers(request))
    cookies = case.get("cookies") or {}
    if cookies and not any(k.lower() == "cookie" for k in found):
        found["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return found


def _headers(message: Mapping[str, Any]) -> dict[str, str]:
    return {k: ", ".join(v) for k, v in (message.get("headers") or {}).items()}


def _text(payload: Any) -> str | None:
    """A recorded payload as text: plain, or ``{"$base64": ...}``."""
    if payload is None:
        return None
    if isinstance(payload, Mapping) and "$base64" in payload:
        return base64.b64decode(payload["$base64"]).decode("utf-8", "replace")
    return payload if isinstance(payload, str) else json.dumps(payload)


def _error_line(body: Mapping[str, Any]) -> str:
    value = body.get("value") or body.get("exception") or body
    label = body.get("label") or ""
    text = value if isinstance(value, str) else json.dumps(value)[:300]
    return f"{label}: {text}" if label else text
