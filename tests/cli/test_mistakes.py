"""The mistakes a new user makes, made with the real command (a subprocess, real sockets):
each answers with one line and the documented exit code, never a traceback."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA, ROOT, SPECS, TOKEN, free_port, serving

pytestmark = pytest.mark.subprocess

PETSTORE = DATA / "petstore-v2.yaml"
FIND = "/v2/pet/findByStatus?status=available"
KEY = {"api_key": "mock-token"}
NOISE = ("Traceback", "Killing worker", "never awaited", "[ERROR]", "[WARNING]")
#: Seconds granian gives a worker to stop gracefully (mockserver.serve.server).
GRACEFUL_SECONDS = 10


def mockserver(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """``mockserver ARGS`` to completion, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def one_line_refusal(result: subprocess.CompletedProcess[str], verb: str) -> str:
    """The single stderr line of a run that could not start (exit 2), with no banner."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"mockserver {verb}: ")
    return lines[0]


class Server:
    """A ``mockserver serve`` process, its banner, and everything it printed."""

    def __init__(self, *args: str, cwd: Path = ROOT, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **env},
            start_new_session=True,  # its own process group, as a terminal's job is
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.banner = self.wait_for("index and Swagger UI")
        match = re.search(r"at (http://\S+)/$", self.lines[0])
        assert match, self.lines
        self.base = match.group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first printed line containing ``text`` (readiness, not timing)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if found:
                return found[0]
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never printed: {self.lines}")

    def ready(self) -> str:
        """The base URL once it answers."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.base + "/", timeout=2).status_code == 200:
                    return self.base
            assert self.process.poll() is None, self.lines
        raise AssertionError(f"never answered: {self.lines}")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> float:
        """Send ``sig`` (SIGINT to the whole group, as Ctrl-C does; SIGTERM to the server
        alone, as ``kill`` does), wait for the end; the seconds it took."""
        started = time.monotonic()
        if self.process.poll() is None:
            if sig == signal.SIGINT:
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)
        try:
            self.process.wait(timeout=GRACEFUL_SECONDS + 20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return time.monotonic() - started

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


# --- the address, checked before the banner ---------------------------------------------


def test_a_second_server_on_a_busy_port_refuses_naming_the_port_and_mockserver() -> None:
    with serving(str(SPECS / "gorules.yaml")) as base:
        port = base.rsplit(":", 1)[1]
        result = mockserver("serve", str(SPECS / "losant.yaml"), "--port", port)
        line = one_line_refusal(result, "serve")
        assert f"port {port}" in line and "another mockserver" in line
        # the port was not shared: every answer still comes from the first server
        answers = {httpx.get(base + "/gorules/api/audit-logs", headers=TOKEN).status_code}
        answers |= {httpx.get(base + "/gorules/api/audit-logs", headers=TOKEN).status_code}
        assert answers == {200}


def test_a_port_held_by_another_program_is_refused_naming_its_pid() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        line = one_line_refusal(mockserver("serve", str(PETSTORE), "--port", str(port)), "serve")
    assert f"port {port} on 127.0.0.1 is already in use by" in line
    assert f"pid {os.getpid()}" in line


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--port", "99999"], "--port 99999 is not a port"),
        (["--port", "-1"], "--port -1 is not a port"),
        (["--host", "999.1.1.1"], "--host 999.1.1.1 is neither an IP address nor a name"),
        (["--host", "no-such-host.invalid"], "no-such-host.invalid is neither"),
    ],
)
def test_an_impossible_address_is_one_line_before_any_banner(option: list[str], said: str) -> None:
    assert said in one_line_refusal(mockserver("serve", str(PETSTORE), *option), "serve")


def test_host_names_resolve_and_port_0_picks_a_free_port_it_prints() -> None:
    with Server(str(PETSTORE), "--host", "localhost", "--port", "0") as server:
        assert server.base.startswith("http://127.0.0.1:")
        assert not server.base.endswith(":0")
        assert httpx.get(server.ready() + FIND, headers=KEY).status_code == 200


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_host_is_printed_in_brackets() -> None:
    port = free_port()
    with Server(str(PETSTORE), "--host", "::1", "--port", str(port)) as server:
        assert server.lines[0].endswith(f"at http://[::1]:{port}/")
        assert httpx.get(server.ready() + "/").status_code == 200


def test_the_banner_says_how_each_scheme_takes_the_token() -> None:
    with Server(str(PETSTORE), str(SPECS / "losant.yaml"), "--port", "0") as server:
        hints = [line for line in server.lines if "development token" in line]
    assert any("'api_key: mock-token' (petstore-v2: api_key)" in line for line in hints)
    assert any("'Authorization: Bearer mock-token'" in h and "losant" in h for h in hints)


# --- stopping ---------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_running_server_stops_quietly_within_the_grace_period(sig: signal.Signals) -> None:
    server = Server(str(PETSTORE), "--port", "0")
    server.ready()
    took = server.stop(sig)
    assert took < GRACEFUL_SECONDS
    assert server.process.returncode in (0, -sig, 128 + sig)
    assert not [line for line in server.lines if any(n in line for n in NOISE)], server.lines


def test_a_server_stopped_while_its_worker_starts_stops_quietly() -> None:
    server = Server(str(PETSTORE), "--port", "0", "--workers", "2")
    took = server.stop(signal.SIGTERM)  # right after the banner: the workers are loading
    assert took < GRACEFUL_SECONDS
    assert not [line for line in server.lines if any(n in line for n in NOISE)], server.lines


# --- --reload ----------------------------------------------------------------------------


def test_reload_survives_a_broken_save_and_picks_up_the_fix(tmp_path: Path) -> None:
    document = tmp_path / "pets.yaml"
    good = PETSTORE.read_text(encoding="utf-8")
    document.write_text(good, encoding="utf-8")
    with Server(str(document), "--port", "0", "--reload", cwd=tmp_path) as server:
        base = server.ready()
        document.write_text(good + "\n  broken: [unclosed\n", encoding="utf-8")
        failed = server.wait_for("reload failed")
        assert "still serving the last good version" in failed
        assert re.search(r"pets\.yaml:\d+:\d+: MS002", failed), failed
        assert httpx.get(base + FIND, headers=KEY).status_code == 200
        fixed = good.replace("/pet/findByStatus:", "/pet/byStatus:")
        document.write_text(fixed, encoding="utf-8")
        assert "reloaded (pets.yaml)" in server.wait_for("reloaded")
        assert (
            httpx.get(base + FIND.replace("findByStatus", "byStatus"), headers=KEY).status_code
            == 200
        )
    assert not [line for line in server.lines if "Traceback" in line], server.lines


def test_reload_refuses_several_workers() -> None:
    result = mockserver("serve", str(PETSTORE), "--reload", "--workers", "2")
    assert "--reload serves with one worker" in one_line_refusal(result, "serve")


# --- documents from URLs -----------------------------------------------------------------


@contextlib.contextmanager
def http_folder(folder: Path) -> Iterator[str]:
    """A static file server for ``folder`` on 127.0.0.1; yields its base URL."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_serve_takes_a_document_url_and_caches_it(tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "openapi.yaml").write_text(PETSTORE.read_text(encoding="utf-8"))
    cache = tmp_path / "cache"
    with http_folder(tmp_path / "www") as site:
        url = f"{site}/openapi.yaml"
        with Server(url, "--port", "0", XDG_CACHE_HOME=str(cache)) as server:
            assert "openapi" in server.lines[1]
            answer = httpx.get(server.ready() + "/openapi" + FIND, headers=KEY)
            assert answer.status_code == 200
    assert [p.name for p in cache.glob("mockserver/documents/*/*")] == ["openapi.yaml"]


def test_an_unreachable_or_missing_url_is_one_line(tmp_path: Path) -> None:
    with http_folder(tmp_path) as site:
        missing = mockserver("serve", f"{site}/nope.json", XDG_CACHE_HOME=str(tmp_path))
    assert "answered 404" in one_line_refusal(missing, "serve")
    closed = f"http://127.0.0.1:{free_port()}/openapi.json"
    unreachable = mockserver("serve", closed, XDG_CACHE_HOME=str(tmp_path))
    assert "cannot be reached" in one_line_refusal(unreachable, "serve")


# --- options -----------------------------------------------------------------------------


def test_an_unknown_flag_prints_its_verbs_usage() -> None:
    result = mockserver("validate", "--nope")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mockserver validate")
    assert "unrecognized arguments: --nope" in result.stderr


@pytest.mark.parametrize("verb", ["serve", "contract"])
def test_a_missing_fixtures_folder_is_an_error(verb: str) -> None:
    result = mockserver(verb, "--fixtures", "nope")
    assert "nope: --fixtures is not a folder" in one_line_refusal(result, verb)


# --- reports and what validate checks ----------------------------------------------------


def test_reports_into_a_missing_folder_are_written_there(tmp_path: Path) -> None:
    sarif = tmp_path / "reports" / "x.sarif"
    validated = mockserver("validate", str(PETSTORE), "--format", "sarif", "--output", str(sarif))
    assert validated.returncode == 0, validated.stderr
    assert '"version": "2.1.0"' in sarif.read_text(encoding="utf-8")
    report = tmp_path / "deep" / "er" / "d.json"
    diffed = mockserver(
        "diff", str(PETSTORE), str(PETSTORE), "--format", "json", "--output", str(report)
    )
    assert diffed.returncode == 0, diffed.stderr
    assert report.is_file()
    assert "Traceback" not in validated.stderr + diffed.stderr


def test_contract_makes_the_junit_folder_before_running(tmp_path: Path) -> None:
    junit = tmp_path / "reports" / "c.xml"
    result = mockserver(
        "contract",
        "--spec",
        str(SPECS / "gorules.yaml"),
        "--operation",
        "getAuditLog",
        "--max-examples",
        "2",
        "--junit-xml",
        str(junit),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert junit.read_text(encoding="utf-8").startswith("<?xml")


def test_a_report_path_that_cannot_be_made_refuses_before_running(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = mockserver("validate", str(PETSTORE), "--output", str(tmp_path / "file" / "x.sarif"))
    assert "--output: cannot create its folder" in one_line_refusal(result, "validate")


def test_validate_with_nothing_to_check_fails(tmp_path: Path) -> None:
    here = one_line_refusal(mockserver("validate", cwd=tmp_path), "validate")
    assert "nothing to check: no specs/ or fixtures/ folder" in here
    (tmp_path / "empty").mkdir()
    empty = one_line_refusal(mockserver("validate", "empty", cwd=tmp_path), "validate")
    assert "nothing to check: no OpenAPI document or fixture folder in empty" in empty


def test_validate_reads_unquoted_integer_status_keys(tmp_path: Path) -> None:
    document = tmp_path / "api.yaml"
    document.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        200:\n          description: ok\n"
    )
    result = mockserver("validate", str(document))
    assert result.returncode == 0, result.stdout + result.stderr  # a warning, not a failure
    assert "warning MS132" in result.stdout and "Traceback" not in result.stderr


def test_one_problem_in_one_file_is_counted_in_the_singular(tmp_path: Path) -> None:
    document = tmp_path / "api.yaml"
    document.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nbogus: 1\n")
    result = mockserver("validate", str(document))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "1 problem in 1 file (1 checked)"


# --- start-up cost -----------------------------------------------------------------------


def _imported(*args: str) -> set[str]:
    """The mockserver modules ``mockserver ARGS`` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mockserver", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return set(re.findall(r"\|\s+(mockserver[\w.]*)$", result.stderr, flags=re.MULTILINE))


def test_version_and_help_load_no_verb_machinery() -> None:
    for args in (["--version"], ["--help"]):
        loaded = _imported(*args)
        assert "mockserver.cli" in loaded
        assert not {m for m in loaded if m.split(".")[1:2] not in (["cli"], ["errors"], [])}, loaded


def test_validate_does_not_load_the_server_contract_or_diff() -> None:
    loaded = _imported("validate", str(PETSTORE))
    assert "mockserver.validate.runner" in loaded
    assert not {m for m in loaded if m.split(".")[1:2] in (["serve"], ["contract"], ["diff"])}
