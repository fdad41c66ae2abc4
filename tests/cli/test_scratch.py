"""serve's temporary folders never outlive it: removed on every exit it sees (a usage
error, a failed first load, SIGTERM or SIGINT while starting), and those of a serve killed
outright swept by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.cli.scratch import make_folder, sweep_stale
from tests.conftest import DATA, ROOT, await_server, free_port, launch, stop, until

LARGE = DATA / "ld-openapi.full.json"  # slow enough to load that a signal lands mid-start


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _serve(temporary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", *args, "--port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TMPDIR": str(temporary)},
    )


@pytest.fixture
def temporary(tmp_path: Path) -> Path:
    """A temporary directory of the server's own, watched alone."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_a_folder_is_named_after_its_owner(temporary: Path) -> None:
    folder = make_folder("start", temporary)
    assert folder.parent == temporary
    assert folder.name.startswith(f"mockserver-start-{os.getpid()}-")


def test_the_sweep_removes_only_folders_of_dead_serves(temporary: Path) -> None:
    dead = _dead_pid()
    stale = [temporary / f"mockserver-{kind}-{dead}-x1" for kind in ("start", "journal", "state")]
    live = temporary / f"mockserver-start-{os.getpid()}-x2"
    older = temporary / "mockserver-start-abcdef"  # an older mockserver's name: not known
    other = temporary / f"mockserver-bench-{dead}-x3"  # not a kind serve makes
    for folder in [*stale, live, older, other]:
        folder.mkdir()
        (folder / "ready").touch()
    assert sorted(sweep_stale(temporary)) == sorted(stale)
    assert sorted(p.name for p in temporary.iterdir()) == sorted(
        p.name for p in (live, older, other)
    )


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "options",
    [
        ["--latency", "bogus"],
        ["--workers", "2", "--proxy-timeout", "0"],
        ["--workers", "2", "--state", "memory:"],
    ],
    ids=["latency", "proxy-timeout", "memory-state"],
)
def test_a_usage_error_leaves_no_folder(temporary: Path, options: list[str]) -> None:
    result = _serve(temporary, str(DATA / "crud-3.1.yaml"), *options)
    assert result.returncode == 2, result.stderr
    assert list(temporary.iterdir()) == []


@pytest.mark.subprocess
def test_a_failed_first_load_leaves_no_folder(temporary: Path, tmp_path: Path) -> None:
    broken = tmp_path / "api.yaml"
    broken.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {$ref: '#/no'}}\n"
    )
    result = _serve(temporary, str(broken), "--workers", "2", "--no-cache")
    assert result.returncode == 2 and "MS102" in result.stderr, result.stderr
    assert list(temporary.iterdir()) == []


@pytest.mark.subprocess
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_start_up_leaves_no_folder(
    temporary: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    process = launch(
        "serve", str(LARGE), "--workers", "2", "--port", str(free_port()), "--no-cache",
        "--fixtures", str(tmp_path), env={"TMPDIR": str(temporary)}, own_group=True,
    )  # fmt: skip
    try:
        assert until(lambda: any(temporary.iterdir()) or process.poll() is not None)
        process.send_signal(signum)  # while the folders exist: serve is starting
        errors, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert list(temporary.iterdir()) == [], errors


@pytest.mark.subprocess
def test_the_folders_of_a_killed_serve_are_swept_by_the_next(
    temporary: Path, tmp_path: Path
) -> None:
    env = {"TMPDIR": str(temporary)}
    port = free_port()
    killed = launch(
        "serve", str(DATA / "crud-3.1.yaml"), "--port", str(port), "--workers", "2",
        "--fixtures", str(tmp_path), env=env, own_group=True,
    )  # fmt: skip
    try:
        assert until(lambda: len(list(temporary.iterdir())) == 3)
        os.killpg(killed.pid, signal.SIGKILL)  # the parent and its workers, no clean-up
    finally:
        if killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)
        killed.communicate()
    left = set(temporary.iterdir())
    assert len(left) == 3  # start, journal, state: nobody removed them
    port = free_port()
    process = launch(
        "serve", str(DATA / "crud-3.1.yaml"), "--port", str(port), "--fixtures", str(tmp_path),
        env=env,
    )  # fmt: skip
    await_server(process, f"http://127.0.0.1:{port}/")
    swept = not left & set(temporary.iterdir())
    stop(process)
    assert swept
    assert list(temporary.iterdir()) == []
