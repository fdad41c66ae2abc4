"""`mockserver contract` from the command line: output, JUnit, exit codes, --base-url."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import uvicorn

from mockserver.cli import main
from mockserver.serve.app import create_app
from mockserver.serve.mount import MountedApi, ServeOptions
from tests.conftest import FIXTURES, SPECS
from tests.contract.test_mutants import Mutant, _json_rewrite, _repeat_entry

ARGS = [
    "--specs-dir",
    str(SPECS),
    "--fixtures",
    str(FIXTURES),
    "--max-examples",
    "5",
    "--seed",
    "1",
]


def contract(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["contract", *ARGS, *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_in_process_run_passes_and_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "contract.xml"
    code, out = contract(
        capsys, "--spec", "gorules", "--operation", "getAuditLog", "--junit-xml", str(junit)
    )
    assert code == 0
    assert "gorules        GET /api/audit-logs/{auditLogId}" in out
    assert "checks: 1 not_a_server_error" in out and "all checks passed" in out
    assert "cases/s" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"


@pytest.mark.parametrize(
    "args",
    [["-H", "no colon"], ["--base-url", "http://x"], ["--spec", "nope"], ["--operation", "nope"]],
)
def test_unusable_options_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out = contract(capsys, *args)
    assert code == 2 and "Traceback" not in out


def test_unreachable_provider_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = contract(capsys, "--spec", "gorules", "--base-url", f"http://127.0.0.1:{_port()}")
    assert code == 2 and "cannot reach" in out


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def broken_provider(vendored_apis: list[MountedApi]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 whose list pages repeat an entry."""
    app = Mutant(
        create_app(vendored_apis, ServeOptions(fixtures_dir=FIXTURES)),
        response=_json_rewrite(_repeat_entry),
    )
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # readiness: uvicorn sets this once it listens
        thread.join(timeout=0.01)
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
    yield f"http://127.0.0.1:{port}/launchdarkly"
    server.should_exit = True
    thread.join(timeout=30)


def test_failures_against_a_provider_exit_1_with_curl_and_seed(
    capsys: pytest.CaptureFixture[str], broken_provider: str
) -> None:
    code, out = contract(
        capsys,
        "--spec",
        "launchdarkly",
        "--operation",
        "getAuditLogEntries",
        "--base-url",
        broken_provider,
        "-H",
        "Authorization: mock-token",
        "--max-examples",
        "20",
    )
    assert code == 1
    assert "FAILED launchdarkly GET /api/v2/auditlog: paging_completeness" in out
    assert f"reproduce: curl -i -X GET '{broken_provider}/api/v2/auditlog" in out
    assert "seed: 1" in out


def test_workers_spread_operations_over_processes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = contract(capsys, "--spec", "gorules", "--workers", "2")
    assert code == 0
    assert out.count("gorules        GET") == 3 and "all checks passed" in out
