"""Every clean document of the validate corpus also starts ``mockserver serve``.

A document ``mockserver validate`` calls clean must be usable: the server is started as
users start it, in a subprocess on a free port, and must answer ``GET /``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

CLEAN = Path(__file__).resolve().parent / "broken" / "clean"
#: Known serving bugs outside validate, each an honest strict xfail until fixed.
KNOWN: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _starts(document: Path) -> tuple[bool, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port), str(document)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and process.poll() is None:  # readiness polling
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
            except httpx.TransportError:
                continue
            if answered:
                break
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    return answered, output


def _case(path: Path) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN[path.name])] if path.name in KNOWN else []
    return pytest.param(path, id=path.name, marks=marks)


@pytest.mark.parametrize("document", [_case(p) for p in sorted(CLEAN.glob("*.yaml"))])
def test_clean_document_starts_the_server(document: Path) -> None:
    answered, output = _starts(document)
    assert answered, output[-2000:]
    assert "Traceback" not in output
