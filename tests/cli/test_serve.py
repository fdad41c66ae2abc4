"""`mockserver serve`: documents found, banner printed, workers sharing state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.cli.serve import (
    ENVIRONMENT_KEY,
    app_from_environment,
    banner,
    spec_files,
    token_hint,
)
from mockserver.errors import UsageError
from mockserver.serve.mount import ServeOptions, load_apis
from mockserver.spec.model import SecurityScheme
from tests.conftest import (
    DATA,
    FIXTURES,
    SPECS,
    TOKEN,
    answers,
    await_server,
    free_port,
    launch,
    stop,
    until,
)


def test_spec_files_takes_folders_and_files() -> None:
    assert [p.stem for p in spec_files([SPECS])] == [
        "anaconda",
        "gorules",
        "launchdarkly",
        "losant",
    ]
    assert spec_files([DATA / "petstore-v2.yaml"]) == [DATA / "petstore-v2.yaml"]


def test_spec_files_refuses_missing_paths_and_clashing_names(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        spec_files([tmp_path / "nope.yaml"])
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "api.yaml").write_text("openapi: 3.1.0\n")
    (tmp_path / "api.json").write_text("{}")
    with pytest.raises(UsageError, match="named 'api'"):
        spec_files([tmp_path / "a" / "api.yaml", tmp_path / "api.json"])


def test_banner_says_what_is_mounted_where_and_the_token() -> None:
    apis = load_apis(
        [SPECS / "losant.yaml", DATA / "petstore-v2.yaml"], ServeOptions(fixtures_dir=FIXTURES)
    )
    text = banner(apis, "127.0.0.1", 8000)
    assert "losant" in text and "http://127.0.0.1:8000/losant" in text
    assert "from fixtures/losant/" in text
    assert "http://127.0.0.1:8000/petstore-v2/v2" in text
    assert "Authorization: Bearer mock-token" in text


def test_workers_build_the_app_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = {
        "paths": [str(DATA / "keywords-3.1.yaml")],
        "seed": 3,
        "any_token": False,
        "cors_origins": [],
        "fixtures": str(tmp_path),
        "state": "memory:",
    }
    monkeypatch.setenv(ENVIRONMENT_KEY, json.dumps(settings))
    assert app_from_environment() is not None


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = launch("serve", "--port", str(port), "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    await_server(process, base + "/")
    yield base, process
    stop(process)


@pytest.mark.subprocess
def test_serve_with_two_workers_shares_export_jobs(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    base, process = served
    assert process.poll() is None, process.stdout.read() if process.stdout else ""
    url = base + "/anaconda/api/audit-logs/export"
    job = httpx.post(url, json={"q": ["action_key:user_logged_in"]}, headers=TOKEN).json()
    # each request opens a new connection, which either worker may accept
    statuses = {httpx.get(f"{url}/{job['job_id']}", headers=TOKEN).status_code for _ in range(20)}
    assert statuses == {200}


def _workers(pid: int) -> set[int]:
    """The worker processes under the server process ``pid``."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            kids = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for kid in map(int, kids):
            pending.append(kid)
            try:
                if "mockserver" in Path(f"/proc/{kid}/cmdline").read_text():
                    found.add(kid)
            except OSError:
                continue
    return found


@pytest.mark.subprocess
@pytest.mark.parametrize("which", [0, 1])
def test_a_killed_worker_is_replaced_and_every_request_after_it_succeeds(
    served: tuple[str, subprocess.Popen[str]], which: int
) -> None:
    base, process = served
    assert until(lambda: len(_workers(process.pid)) == 2)
    victim = sorted(_workers(process.pid))[which]
    os.kill(victim, signal.SIGKILL)
    assert until(lambda: len(_workers(process.pid) - {victim}) == 2), "no replacement"
    assert process.poll() is None  # the server itself goes on
    assert until(lambda: answers(base + "/")), "the server does not answer after the replacement"
    statuses = [
        httpx.get(base + "/launchdarkly/api/v2/auditlog", headers={"Authorization": "mock-token"})
        for _ in range(20)
    ]
    assert {s.status_code for s in statuses} == {200}
    process.terminate()
    output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output
    assert "worker" in output.lower()  # the exit is logged


@pytest.mark.subprocess
def test_a_broken_fixture_fails_fast_naming_file_line_and_pointer(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures" / "keywords-3.1"
    folder.mkdir(parents=True)
    (folder / "mock.yaml").write_text(
        "datasets:\n  things: {file: things.json, id: id}\noperations:\n"
        "  getThing: {behaviour: get, param: nope}\n"
    )
    (folder / "things.json").write_text("[]")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            str(DATA / "keywords-3.1.yaml"),
            "--fixtures",
            str(tmp_path / "fixtures"),
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "mock.yaml:4:" in result.stderr and "/operations/getThing/param" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.subprocess
def test_a_broken_document_fails_fast(tmp_path: Path) -> None:
    broken = tmp_path / "api.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "api.yaml:" in result.stderr and "MS002" in result.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--latency", "soon"], "'soon' is not a delay"),
        (["--error-rate", "2"], "error-rate takes a probability from 0 to 1"),
        (["--faults", "reset,explode"], "unknown fault 'explode'"),
        (["--journal-size", "-1"], "--journal-size must be 0 (off) or more"),
    ],
)
def test_bad_latency_and_journal_options_stop_start_up(option: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", str(DATA / "keywords-3.1.yaml"), *option],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("scheme", "hint"),
    [
        (
            SecurityScheme("k", "apiKey", location="header", parameter_name="api_key"),
            "'api_key: mock-token'",
        ),
        (
            SecurityScheme("k", "apiKey", location="query", parameter_name="key"),
            "'?key=mock-token'",
        ),
        (
            SecurityScheme("k", "apiKey", location="cookie", parameter_name="sid"),
            "'Cookie: sid=mock-token'",
        ),
        (SecurityScheme("b", "http", scheme="bearer"), "'Authorization: Bearer mock-token'"),
        (SecurityScheme("o", "oauth2"), "'Authorization: Bearer mock-token'"),
        (
            SecurityScheme("b", "http", scheme="basic"),
            "'Authorization: Basic dXNlcjptb2NrLXRva2Vu' (any user, password mock-token)",
        ),
    ],
)
def test_the_token_hint_follows_the_scheme(scheme: SecurityScheme, hint: str) -> None:
    assert token_hint(scheme) == hint
