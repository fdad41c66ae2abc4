"""A SQLite store on a full disk or in a read-only file: every write is a 503 naming the
file and SQLite's error (never a 500), and the server keeps serving reads and the journal.

Each test runs ``mockserver serve`` in a subprocess set up the way the fault needs:

- a full disk is a file-size limit (``RLIMIT_FSIZE``): Python ignores ``SIGXFSZ``, so a
  write past the limit fails with ``EFBIG``, as a write to a full disk fails with
  ``ENOSPC``, and SQLite reports both as its own error;
- a read-only file needs a process that file permissions apply to. Root's are lifted by
  three capabilities (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``, ``CAP_FOWNER``); as
  root, the server is started without them (dropped from its bounding set before it runs,
  so it keeps them in no form). It stays uid 0 rather than becoming ``nobody`` because the
  interpreter may live where only root may look (a pyenv under ``/root``, mode 0700), and
  the files it is denied are root's own, read-only for their owner too.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mockserver.serve.state import open_store
from tests.conftest import DATA, ROOT, TOKEN, await_server, free_port, stop

pytestmark = pytest.mark.subprocess

OWNERS = "/crud-3.1/api/owners"
PR_CAPBSET_DROP = 24
#: the capabilities that let root read and write whatever the file modes say
DAC_CAPABILITIES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


@contextmanager
def serving(state: Path, tmp_path: Path, before: Callable[[], None]) -> Iterator[str]:
    """``mockserver serve`` on the CRUD document with ``--state sqlite:///STATE``, its
    process set up by ``before`` (run in the child before the interpreter starts)."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "mockserver", "serve", str(DATA / "crud-3.1.yaml")),
            *("--port", str(port), "--fixtures", str(tmp_path), "--state", f"sqlite:///{state}"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=before,  # noqa: PLW1509 (nothing else runs threads in this test)
    )
    base = f"http://127.0.0.1:{port}"
    await_server(process, base + "/")
    try:
        yield base
    finally:
        output = stop(process)
        assert "Traceback" not in output, output[-3000:]


def create(base: str, name: str) -> httpx.Response:
    return httpx.post(base + OWNERS, json={"name": name, "city": "Oslo"}, headers=TOKEN, timeout=30)


def assert_named_503(answer: httpx.Response, state: Path, error: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "1"
    detail = answer.json()["detail"]
    assert f"sqlite:///{state}" in detail and error in detail, detail


def assert_still_serving(base: str, owner: dict[str, object]) -> None:
    """Reads of the store, the journal and the dashboard all answer."""
    read = httpx.get(f"{base}{OWNERS}/{owner['id']}", headers=TOKEN, timeout=30)
    assert read.status_code == 200 and read.json() == owner
    listed = httpx.get(base + OWNERS + "?limit=100", headers=TOKEN, timeout=30)
    assert listed.status_code == 200 and owner in listed.json()["items"]
    journal = httpx.get(base + "/__mock/journal", timeout=30).json()["entries"]
    assert any(entry["status"] == 503 for entry in journal)
    assert httpx.get(base + "/", timeout=30).status_code == 200


def file_size_limit(limit: int) -> Callable[[], None]:
    def before() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return before


def test_a_full_disk_is_a_503_naming_the_file_and_reads_go_on(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    open_store(f"sqlite:///{state}").close()  # made before the limit, as a disk fills later
    limit = state.stat().st_size + 256 * 1024
    with serving(state, tmp_path, file_size_limit(limit)) as base:
        first = create(base, "before the disk filled")
        assert first.status_code == 201
        for n in range(1000):  # the write-ahead log grows a few pages a write
            answer = create(base, f"owner {n}")
            if answer.status_code != 201:
                break
        else:
            pytest.fail(f"1000 writes fitted under a limit of {limit} bytes")
        assert_named_503(answer, state, "OperationalError")
        detail = answer.json()["detail"]  # EFBIG here, ENOSPC on a real disk
        assert "SQLITE_IOERR_WRITE" in detail or "SQLITE_FULL" in detail, detail
        assert_named_503(create(base, "still full"), state, "OperationalError")
        assert_still_serving(base, first.json())
        health = httpx.get(base + "/__mock/state?sessions=0", timeout=30).json()["health"]
        assert (
            health["last_error"] is not None and "OperationalError" in health["last_error"]["error"]
        )


def without_root_s_file_access() -> None:
    """Drop the capabilities that let root ignore file modes (no-op for other users)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in DAC_CAPABILITIES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_a_read_only_file_is_served_and_every_write_is_a_503_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    state = folder / "state.db"
    store = open_store(f"sqlite:///{state}")
    store.write("default", "crud-3.1/owners", "900", {"id": 900, "name": "Kept", "city": "Oslo"})
    store.close()
    for file in folder.iterdir():
        file.chmod(0o444)
    folder.chmod(0o555)
    try:
        with serving(state, tmp_path, without_root_s_file_access) as base:
            assert_named_503(create(base, "refused"), state, "SQLITE_READONLY")
            kept = httpx.get(base + OWNERS + "/900", headers=TOKEN, timeout=30)
            assert kept.status_code == 200 and kept.json()["name"] == "Kept"
            assert_still_serving(base, kept.json())
    finally:
        folder.chmod(0o755)
    assert sorted(f.name for f in folder.iterdir()) == ["state.db"]  # nothing written beside it
